#!/usr/bin/env bash
# Install the project into .venv (when pyproject.toml changed) and chat with the bot in this
# terminal: a local Bot API emulator, the real bot, SQLite and the knowledge base. No Telegram
# account or token needed.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/venv.sh
ensure_venv ""
exec .venv/bin/consult-bot chat "$@"
