# Sourced by chat.sh and test.sh: make .venv ready, installing only when pyproject.toml changed.
#
# ensure_venv EXTRAS: EXTRAS is "" (the bot) or "[test,dev]". After an install, a stamp file
# in .venv records pyproject.toml's digest, so later starts skip pip entirely (no 6 s pause, and
# no package index needed). An install with the test extras also serves the plain bot.

ensure_venv() {
  local extras=$1 name=base digest stamp
  [ -n "$extras" ] && name=test
  digest=$( (sha256sum pyproject.toml 2>/dev/null || shasum -a 256 pyproject.toml) | cut -d' ' -f1)
  if [ ! -x .venv/bin/python ]; then
    echo "creating .venv (first use) …" >&2
    "${PYTHON:-python3}" -m venv .venv
  fi
  for stamp in ".venv/.installed-$name" .venv/.installed-test; do
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
      return 0
    fi
  done
  echo "installing the project into .venv (pyproject.toml is new or changed) …" >&2
  if ! .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".$extras"; then
    echo "error: installing into .venv failed (see pip's message above): a package index must be" >&2
    echo "reachable the first time and whenever pyproject.toml changes." >&2
    exit 1
  fi
  echo "$digest" > ".venv/.installed-$name"
}
