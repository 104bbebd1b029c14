#!/usr/bin/env bash
# Install the project with its test extras into .venv (when pyproject.toml changed) and run the
# whole test suite: once on SQLite, then the database tests again on PostgreSQL if 127.0.0.1:5432
# answers.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/venv.sh
ensure_venv "[test,dev]"

export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

echo "== lint and types"
.venv/bin/ruff check bot handlers tgemulator
.venv/bin/mypy bot handlers tgemulator

echo "== tests on SQLite"
.venv/bin/python -m pytest -q "$@"

PG_URL=${TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}
if .venv/bin/python - "$PG_URL" <<'PY'
import sys
import sqlalchemy
try:
    with sqlalchemy.create_engine(sys.argv[1]).connect():
        pass
except Exception:
    sys.exit(1)
PY
then
  echo "== database tests on PostgreSQL ($PG_URL)"
  status=0
  TEST_DATABASE_URL="$PG_URL" .venv/bin/python -m pytest -q -m database "$@" || status=$?
  # 5 = no test selected (no database tests yet): not a failure.
  if [ "$status" -ne 0 ] && [ "$status" -ne 5 ]; then exit "$status"; fi
else
  echo "== PostgreSQL not reachable at 127.0.0.1:5432: database tests ran on SQLite only"
fi
