"""Run one of the benchmarks written as a Django command, outside the platform's own commands (production code
never imports the test builders they use):

    .venv/bin/python benchmarks/run_command.py procedures --procedures 50000
    .venv/bin/python benchmarks/run_command.py procedure_dashboards --procedures 50000 --provinces 1

They measure the database in DATABASE_URL (use a throwaway, migrated one: see README.md) and roll back.
"""

import importlib
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    name, arguments = sys.argv[1], sys.argv[2:]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casacomuni.settings")
    sys.path[:0] = [str(HERE.parent / "src"), str(HERE)]
    import django
    from django.core.management import call_command

    django.setup()
    call_command(importlib.import_module(name).Command(), *arguments)


if __name__ == "__main__":
    main()
