#!/usr/bin/env bash
# Set up .venv with the dev tools and run every check CI runs: ruff, the formatter, mypy and the test suite.
# Extra arguments go to pytest, e.g. ./scripts/test.sh -k about -x
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/_venv.sh
source scripts/_venv.sh
ensure_venv "dev"
echo "== ruff check" >&2
.venv/bin/ruff check .
echo "== ruff format --check" >&2
.venv/bin/ruff format --check .
echo "== mypy" >&2
.venv/bin/mypy
echo "== pytest" >&2
.venv/bin/python -m pytest "$@"
