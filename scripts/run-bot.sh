#!/usr/bin/env bash
# Set up .venv (the first time, or after pyproject.toml changed) and run the bot: ./scripts/run-bot.sh [sync [--guild ID]]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/_venv.sh
source scripts/_venv.sh
ensure_venv ""
exec .venv/bin/python -m bot "$@"
