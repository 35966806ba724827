#!/usr/bin/env bash
# The whole test suite: lint, types, unit tests, conformance on engine and on
# the reference mmengine, inventory coverage, docs, benchmark smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
bash ci/setup_ref.sh
PY=.venv/bin/python
REF=.venv-ref/bin/python
step() { echo; echo "==> $*"; }

step "ruff"
$PY -m ruff check .
$PY -m ruff format --check .
step "mypy"
$PY -m mypy
step "unit tests + conformance (--impl engine)"
$PY -m pytest tests conformance --impl engine -n 2 -q -p no:cacheprovider
step "conformance (--impl mmengine, reference run)"
TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1 $REF -m pytest conformance --impl mmengine -n 2 -q -p no:cacheprovider
step "tracker round trips (MLflow, DVCLive, W&B offline)"
bash ci/trackers.sh
step "inventory coverage"
$PY -m conformance.coverage --require "$(cat ci/required-modules.txt)"
step "docs (sphinx -W)"
$PY -m sphinx -W -q -b html docs docs/_build/html
step "benchmark smoke run"
$PY -m benchmarks run --impl engine --ref mmengine --ref-python "$REF" --smoke
