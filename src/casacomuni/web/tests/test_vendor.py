"""The vendored front-end assets match package.json and their manifest (scripts/vendor_assets.sh)."""

import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
VENDOR = ROOT / "src/casacomuni/web/static/vendor"
AXE = ROOT / "tests/browser/vendor"


def manifest():
    return json.loads((VENDOR / "MANIFEST.json").read_text())


def test_vendored_versions_are_those_pinned_in_package_json():
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]
    assert manifest()["packages"] == pinned


def test_package_lock_resolves_the_pinned_versions():
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]
    locked = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    assert {name: locked[f"node_modules/{name}"]["version"] for name in pinned} == pinned


def test_every_vendored_file_has_the_checksum_of_the_manifest():
    for relative, digest in manifest()["files"].items():
        assert hashlib.sha256((ROOT / relative).read_bytes()).hexdigest() == digest, relative


def test_no_vendored_file_is_missing_from_the_manifest():
    on_disk = {
        path.relative_to(ROOT).as_posix()
        for folder in (VENDOR, AXE)
        for path in folder.rglob("*")
        if path.is_file() and path.name != "MANIFEST.json"
    }
    assert on_disk == set(manifest()["files"])


def test_no_source_map_is_vendored_nor_referenced():
    for relative in manifest()["files"]:
        assert not relative.endswith(".map")
        if relative.endswith((".js", ".css")):
            assert b"sourceMappingURL=" not in (ROOT / relative).read_bytes()[-300:], relative
