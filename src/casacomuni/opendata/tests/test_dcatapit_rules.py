"""The vocabularies and identifiers of rules/dcatapit.py (EU Vocabularies authority tables; DCAT-AP_IT)."""

import pytest

from casacomuni.opendata.models import FileFormat, Frequency, Licence, Theme
from casacomuni.opendata.rules import dcatapit


def test_the_thirteen_eu_data_themes_and_their_uris():
    assert len(dcatapit.DATA_THEMES) == 13
    assert dcatapit.theme_uri("GOVE") == "http://publications.europa.eu/resource/authority/data-theme/GOVE"
    with pytest.raises(ValueError):
        dcatapit.theme_uri("GOV")


def test_frequency_and_file_type_uris():
    assert (
        dcatapit.frequency_uri("ANNUAL")
        == "http://publications.europa.eu/resource/authority/frequency/ANNUAL"
    )
    assert dcatapit.file_type_uri("CSV") == "http://publications.europa.eu/resource/authority/file-type/CSV"
    with pytest.raises(ValueError):
        dcatapit.frequency_uri("YEARLY")
    with pytest.raises(ValueError):
        dcatapit.file_type_uri("XLSX")


def test_model_choices_are_exactly_the_vocabularies_in_use():
    assert tuple(Theme.values) == dcatapit.DATA_THEMES
    assert tuple(Frequency.values) == dcatapit.FREQUENCIES
    assert set(FileFormat.values) == set(dcatapit.FILE_TYPES)
    assert set(Licence.values) == set(dcatapit.LICENCES)
    assert Licence.CC_BY_4 == dcatapit.DEFAULT_LICENCE


@pytest.mark.parametrize("code", ["p_tv", "c_l407", "r_veneto", "AGID", "ulss2"])
def test_ipa_codes_accepted(code):
    assert dcatapit.is_ipa_code(code)


@pytest.mark.parametrize("code", ["", "p", "p tv", "p-tv", "p_tv;drop", "x" * 21, None])
def test_ipa_codes_refused(code):
    assert not dcatapit.is_ipa_code(code)


def test_dataset_identifier_is_ipa_code_colon_id():
    assert dcatapit.dataset_identifier("p_tv", "convenzioni") == "p_tv:convenzioni"
    with pytest.raises(ValueError):
        dcatapit.dataset_identifier("p tv", "convenzioni")
    with pytest.raises(ValueError):
        dcatapit.dataset_identifier("p_tv", "Convenzioni 2026")


def test_mandatory_properties_cover_domain_section_6():
    assert set(dcatapit.MANDATORY["Catalog"]) >= {
        "dct:title",
        "dct:description",
        "dct:publisher",
        "dct:modified",
    }
    assert "dct:rightsHolder" in dcatapit.MANDATORY["Dataset"]
    assert set(dcatapit.MANDATORY["Distribution"]) == {"dct:format", "dcat:accessURL", "dct:license"}
