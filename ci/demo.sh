#!/usr/bin/env bash
# The main job: set up .venv, then train the quick-start model (a small ResNet
# on a synthetic CIFAR-like dataset) for a few epochs on the CPU, printing
# MMEngine-style logs and writing checkpoints to work_dirs/quickstart.
# Extra arguments go to examples/quickstart.py (e.g. --epochs 5 --resume).
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
.venv/bin/python examples/quickstart.py --epochs 3 "$@"
