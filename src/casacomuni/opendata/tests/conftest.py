import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Generated files go to a temporary folder, never to the developer's media."""
    settings.MEDIA_ROOT = tmp_path / "media"
