"""One parser per source, each ``parse(payload) -> Iterator[ParsedCall | BadRecord]`` (pure, never raises)."""

from pathlib import Path

from . import incentivi, regional, sedia
from ._common import BadRecord, ParsedCall

# The real captures shipped with the app (see data/samples/SOURCES.md): tests, demo and benchmark read them.
SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"

PARSERS = {"sedia": sedia.parse, "incentivi": incentivi.parse, "regional": regional.parse}

__all__ = ["PARSERS", "SAMPLES", "BadRecord", "ParsedCall"]
