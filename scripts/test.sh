#!/usr/bin/env bash
# Set up and run the test suite against PostgreSQL and Redis on this machine (and Debian's chromium for tests/e2e).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/services.sh
bash scripts/browser.sh
export DATABASE_URL=${TEST_DATABASE_URL:-postgres://oversight@127.0.0.1:5432/oversight}
export CACHE_URL=${TEST_CACHE_URL:-redis://127.0.0.1:6379/15}
export OPENBLAS_NUM_THREADS=1
exec .venv/bin/python -m pytest "$@"
