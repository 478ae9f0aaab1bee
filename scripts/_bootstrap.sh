# Sourced by scripts/run and scripts/test: finds Python 3.12+ and installs the locked environment.
# Everything installs from the package registries; nothing is downloaded at run time.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

find_python() {
    # Machines may default to an older Python (3.11): look for 3.13 or 3.12 on PATH, then in pyenv's
    # and the system's usual places. A pyenv shim for a version that is not active fails to run, so
    # each candidate is executed, not just located.
    local candidates=(python3.13 python3.12)
    local root
    for root in "${PYENV_ROOT:-$HOME/.pyenv}/versions" /opt/python /usr/local/lib/python; do
        candidates+=("$root"/3.13*/bin/python3.13 "$root"/3.12*/bin/python3.12)
    done
    candidates+=(/usr/bin/python3.13 /usr/bin/python3.12 /usr/local/bin/python3.13 /usr/local/bin/python3.12 python3)
    local c
    for c in "${candidates[@]}"; do
        if "$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then
            command -v "$c" 2>/dev/null || echo "$c"
            return 0
        fi
    done
    echo "Python 3.12 or newer is required and was not found." >&2
    return 1
}

PYTHON="$(find_python)"
UV_VERSION="0.13.9"

# uv lives in its own small environment, so that syncing the project environment never removes it.
if ! .tools/bin/uv --version 2>/dev/null | grep -q "$UV_VERSION"; then
    "$PYTHON" -m venv .tools
    .tools/bin/python -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi
export UV_PYTHON="$PYTHON" UV_PROJECT_ENVIRONMENT="$ROOT/.venv" UV_NO_PROGRESS=1
# Compiled bytecode, written once: every test worker, server process and command then starts in about 4 s
# instead of compiling Django and the platform from source each time (about 10 s) -- machines that set
# PYTHONDONTWRITEBYTECODE would otherwise never keep it. __pycache__ is ignored by git.
export UV_COMPILE_BYTECODE=1
unset PYTHONDONTWRITEBYTECODE
.tools/bin/uv sync --frozen --quiet ${UV_SYNC_ARGS:-}
export PATH="$ROOT/.venv/bin:$PATH"
