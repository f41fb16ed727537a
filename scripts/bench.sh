#!/usr/bin/env bash
# Set up .venv with the dev tools and run the benchmarks (under 10 minutes on 2 cores); writes BENCHMARKS.md.
# ./scripts/bench.sh [--quick] [--repeats N]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/_venv.sh
source scripts/_venv.sh
ensure_venv "dev"
exec .venv/bin/python -m bench.run "$@"
