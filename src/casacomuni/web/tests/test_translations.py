"""The interface speaks Italian: the catalogue is complete and compiled."""

from pathlib import Path

import casacomuni

CATALOGUE = Path(casacomuni.__file__).parent / "locale" / "it" / "LC_MESSAGES"


def entries(po_text: str) -> list[str]:
    return [block for block in po_text.split("\n\n") if "msgid" in block]


def test_every_message_has_an_italian_translation_and_none_is_fuzzy():
    text = (CATALOGUE / "django.po").read_text(encoding="utf-8")
    untranslated = []
    for block in entries(text)[1:]:  # the first entry is the header
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        translations = [line for line in lines if line.startswith("msgstr")]
        continued = any(line.startswith('"') for line in lines[lines.index(translations[-1]) + 1 :])
        if any(line.endswith('""') for line in translations) and not continued:
            untranslated.append(lines[0])
    assert not untranslated, f"Translate these messages in locale/it: {untranslated[:10]}"
    assert "#, fuzzy" not in text


def test_the_compiled_catalogue_translates_the_interface():
    from django.utils.translation import gettext, override

    with override("it"):
        assert gettext("Log in") == "Accedi"
    assert (CATALOGUE / "django.mo").stat().st_size > 0
