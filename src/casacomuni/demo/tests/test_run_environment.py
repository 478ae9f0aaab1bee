"""The environment scripts/run gives the platform: links on the port it serves, Italian error pages.

``PORT=8831 scripts/run`` must put that port in the links of the e-mails and in the open-data URIs (both
read CASACOMUNI_BASE_URL), and a visitor of the demo must see the platform's Italian 404 page, not Django's
debug page. The probe runs in a fresh interpreter with the environment scripts/run builds.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.once  # fresh interpreters on their own database: one pass is enough

ROOT = Path(__file__).resolve().parents[4]
RUN = ROOT / "scripts" / "run"
DEMO_ENV = ROOT / "scripts" / "_demo_env.sh"

PROBE = """
import json
import django
django.setup()
from django.conf import settings
from django.test import Client
response = Client().get("/pagina-che-non-esiste/")
print(json.dumps({
    "base_url": settings.CASACOMUNI_BASE_URL,
    "debug": settings.DEBUG,
    "status": response.status_code,
    "body": response.content.decode(),
}))
"""


def demo(tmp_path, **env) -> dict:
    """Settings and a 404 as the demo started by scripts/run would have them, with ``env`` set by the user."""
    inherited = {k: v for k, v in os.environ.items() if k not in ("CASACOMUNI_BASE_URL", "DEBUG", "PORT")}
    environment = inherited | env | {"CASACOMUNI_DATA_DIR": str(tmp_path), "PROBE": PROBE}
    script = f'source "{DEMO_ENV}" && exec "{sys.executable}" -c "$PROBE"'
    done = subprocess.run(
        ["bash", "-c", script], env=environment, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.splitlines()[-1])


def test_scripts_run_takes_its_environment_from_the_demo_env_file():
    assert f'source "$(dirname "$0")/{DEMO_ENV.name}"' in RUN.read_text()


def test_links_follow_the_port_the_demo_serves(tmp_path):
    assert demo(tmp_path, PORT="8831")["base_url"] == "http://127.0.0.1:8831"
    assert demo(tmp_path)["base_url"] == "http://127.0.0.1:8000"
    # An address set by whoever runs it wins.
    assert demo(tmp_path, PORT="8831", CASACOMUNI_BASE_URL="https://demo.example.it")["base_url"] == (
        "https://demo.example.it"
    )


def test_the_demo_shows_the_italian_404_page_not_the_debug_one(tmp_path):
    probe = demo(tmp_path, PORT="8831")
    assert probe["debug"] is False
    assert probe["status"] == 404
    assert "Pagina non trovata" in probe["body"]
    assert "URLconf" not in probe["body"] and "DEBUG = True" not in probe["body"]
