"""A tour of what engine does today: config, registry, fileio, utils.

Run with ``bash ci/demo.sh`` (sets up .venv first) or ``python examples/demo.py``.
Everything is written to a temporary directory and shown on stdout.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from engine import Config, Registry, dump, list_from_file, load
from engine.utils import ManagerMixin, Timer, track_iter_progress

BASE = """\
model = dict(type='MLP', in_features=4, hidden=8)
optimizer = dict(type='SGD', lr=0.1, momentum=0.9)
"""
CHILD = """\
_base_ = './base.py'
optimizer = dict(lr=0.01)
work_dir = './work_dirs/{{fileBasenameNoExtension}}'
"""

MODELS = Registry("demo model")


@MODELS.register_module()
class MLP:
    """A stand-in model built from the config."""

    def __init__(self, in_features: int, hidden: int) -> None:
        self.shape = (in_features, hidden)


class Experiment(ManagerMixin):
    """A globally reachable object, as MessageHub and MMLogger are."""

    def __init__(self, name: str, note: str = "") -> None:
        super().__init__(name)
        self.note = note


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, Timer(print_tmpl="demo took {:.3f}s"):
        root = Path(tmp)
        (root / "base.py").write_text(BASE)
        (root / "child.py").write_text(CHILD)
        cfg = Config.fromfile(str(root / "child.py"))
        print("config:", cfg.to_dict())
        print("model built from the registry:", MODELS.build(cfg.model).shape)
        dump(cfg.to_dict(), str(root / "cfg.json"))
        print("json round trip equal:", load(str(root / "cfg.json")) == cfg.to_dict())
        (root / "names.txt").write_text("cat\ndog\npanda\n")
        print("list_from_file:", list_from_file(str(root / "names.txt"), prefix="/"))
        Experiment.get_instance("demo", note="hello")
        print("current experiment:", Experiment.get_current_instance().instance_name)
        for _ in track_iter_progress(list(range(20))):
            pass


if __name__ == "__main__":
    main()
