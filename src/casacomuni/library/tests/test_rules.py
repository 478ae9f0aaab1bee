"""What changed between two versions, and when a copy has an update to show (pure rules)."""

from casacomuni.library.rules.changes import Snapshot, changes, update_number

V1 = Snapshot(
    fields={
        "title": "Disciplinare",
        "legal_basis": "D.Lgs. 36/2023",
        "description": "Procedura aperta",
        "questionnaire": [],
    },
    files={"disciplinare.docx": "aaa", "allegato-a.pdf": "bbb", "vecchio.odt": "ccc"},
)


def test_a_new_version_with_one_field_and_files_added_removed_replaced():
    v2 = Snapshot(
        fields=V1.fields | {"legal_basis": "D.Lgs. 36/2023 come modificato dal D.Lgs. 209/2024"},
        files={"disciplinare.docx": "ddd", "allegato-a.pdf": "bbb", "dgue.docx": "eee"},
    )
    found = changes(V1, v2)
    assert found.fields == ("legal_basis",)
    assert (found.added, found.removed, found.replaced) == (
        ("dgue.docx",),
        ("vecchio.odt",),
        ("disciplinare.docx",),
    )
    assert found.any


def test_the_same_content_under_the_same_names_changes_nothing():
    assert not changes(V1, Snapshot(fields=dict(V1.fields), files=dict(V1.files))).any


def test_an_update_is_shown_only_for_a_newer_version_not_dismissed():
    assert update_number(adopted=1, upstream=2, dismissed=None) == 2
    assert update_number(adopted=2, upstream=2, dismissed=None) is None
    assert update_number(adopted=1, upstream=None, dismissed=None) is None
    assert update_number(adopted=1, upstream=2, dismissed=2) is None
    assert update_number(adopted=1, upstream=3, dismissed=2) == 3
