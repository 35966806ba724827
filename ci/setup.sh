#!/usr/bin/env bash
# Create .venv with torch (the local CPU build) first, then engine and its extras.
# Idempotent: skipped when .venv already matches pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
stamp="$VENV/.engine-stamp"
want=$(sha256sum pyproject.toml ci/setup.sh | sha256sum | cut -c1-16)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "==> creating $VENV"
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
"$VENV/bin/pip" install -q torch==2.13.0 2>&1 | grep -v '^WARNING: Location' || true
"$VENV/bin/pip" install -q -e '.[test,lint,docs,fsspec,progress,analysis,tensorboard,vis]' 2>&1 | grep -v '^WARNING: Location' || true
"$VENV/bin/python" -c "import engine, torch, yaml, pytest, sphinx" # fail loudly if an install failed
echo "$want" > "$stamp"
