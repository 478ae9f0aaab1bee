#!/usr/bin/env bash
# Benchmark: matching every open call against every comune of the 76 Provinces, on a fresh SQLite database
# in a temporary folder (territory imported first). Usage: bash benchmarks/eufunds_matching.sh [--synthetic N]
set -euo pipefail
source "$(dirname "$0")/../scripts/_bootstrap.sh"
export CASACOMUNI_DATA_DIR="$(mktemp -d)"
trap 'rm -rf "$CASACOMUNI_DATA_DIR"' EXIT
casacomuni migrate -v0
casacomuni import_territory -v0
python "$(dirname "$0")/eufunds_matching.py" "$@"
