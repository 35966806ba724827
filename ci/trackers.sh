#!/usr/bin/env bash
# Real round trips through MLflow, DVCLive and Weights & Biases (offline):
# build a clean .venv-trackers from scratch (torch first, then engine with the
# `test` and `vis` extras and the three trackers plus tensorboard), then run
# only tests/visualization/test_trackers_roundtrip.py. Nothing is uploaded:
# MLflow uses a local file store, W&B runs in offline mode, DVCLive writes files.
# Idempotent: the venv is rebuilt only when this script or pyproject.toml change.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${TRACKERS_VENV:-.venv-trackers}
stamp="$VENV/.trackers-stamp"
want=$(sha256sum pyproject.toml ci/trackers.sh | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "==> creating $VENV"
  start=$(date +%s)
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q torch==2.13.0 2>&1 | grep -v '^WARNING: Location' || true
  "$VENV/bin/pip" install -q -e '.[test,vis]' mlflow dvclive wandb tensorboard 2>&1 \
    | grep -v '^WARNING: Location' || true
  "$VENV/bin/python" -c "import engine, torch, mlflow, dvclive, wandb, tensorboard"
  echo "$want" > "$stamp"
  echo "==> $VENV built in $(( $(date +%s) - start )) s ($(du -sh "$VENV" | cut -f1))"
fi
echo "==> tracker round trips"
# -rs lists every skip with its reason: a skip here means a broken install.
WANDB_MODE=offline WANDB_SILENT=true MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR=false \
  "$VENV/bin/python" -m pytest tests/visualization/test_trackers_roundtrip.py \
  -q -rs -p no:cacheprovider "$@"
