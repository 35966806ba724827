#!/usr/bin/env bash
# Create .venv-ref with the original mmengine==0.10.7 (the reference implementation).
# mmengine 0.10.7 imports pkg_resources, hence setuptools<81.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${REF_VENV:-.venv-ref}
stamp="$VENV/.ref-stamp"
want=$(sha256sum ci/setup_ref.sh | cut -c1-16)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "==> creating $VENV (reference: mmengine==0.10.7)"
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q torch==2.13.0 2>&1 | grep -v '^WARNING: Location' || true
"$VENV/bin/pip" install -q 'setuptools<81' mmengine==0.10.7 pytest pytest-xdist hypothesis fsspec pyyaml numpy 2>&1 \
  | grep -v '^WARNING: Location' || true
"$VENV/bin/python" -c "import mmengine, torch, pytest; assert mmengine.__version__ == '0.10.7'"
echo "$want" > "$stamp"
