#!/usr/bin/env bash
# Install the project into .venv and chat with the bot in this terminal: a local Bot API
# emulator, the real bot, SQLite and the knowledge base. No Telegram account or token needed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
exec .venv/bin/consult-bot chat "$@"
