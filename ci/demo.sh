#!/usr/bin/env bash
# The main job: set up .venv and run the demo of what engine does today.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
.venv/bin/python examples/demo.py "$@"
