#!/usr/bin/env bash
# Benchmark: loading the whole territory of Italy from scratch, then again (idempotent run), on a fresh
# SQLite database in a temporary folder. Usage: bash benchmarks/territory_import.sh
set -euo pipefail
source "$(dirname "$0")/../scripts/_bootstrap.sh"
export CASACOMUNI_DATA_DIR="$(mktemp -d)"
trap 'rm -rf "$CASACOMUNI_DATA_DIR"' EXIT
casacomuni migrate -v0
for run in "from scratch" "again (nothing to change)"; do
    TIMEFORMAT="import_territory $run: %R s wall clock"
    time casacomuni import_territory
done
