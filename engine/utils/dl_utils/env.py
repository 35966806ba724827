"""``collect_env``: the facts about the machine the start-up banner prints."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import OrderedDict
from importlib.util import find_spec

import numpy as np

__all__ = ["collect_env"]


def _gcc() -> str:
    try:
        out = subprocess.run(
            ["gcc", "--version"], capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return "n/a"
    return out.stdout.splitlines()[0].strip() if out.stdout else "n/a"


def _cuda_facts() -> dict[str, str]:
    import torch as t

    facts: dict[str, str] = {}
    names: dict[str, list[str]] = {}
    for index in range(t.cuda.device_count()):
        names.setdefault(t.cuda.get_device_name(index), []).append(str(index))
    for name, ids in names.items():
        facts["GPU " + ",".join(ids)] = name
    facts["CUDA_HOME"] = os.environ.get("CUDA_HOME", "n/a")
    return facts


def collect_env() -> dict[str, str]:
    """The platform, Python, CUDA, compiler, torch and package versions.

    Returns:
        An ordered dict of ``name: description``.

    Examples:
        >>> env = collect_env()
        >>> 'PyTorch' in env and 'Python' in env
        True
    """
    import torch

    from engine.version import __version__

    env: dict[str, str] = OrderedDict()
    env["sys.platform"] = sys.platform
    env["Python"] = sys.version.replace("\n", "")
    cuda = torch.cuda.is_available()
    env["CUDA available"] = str(cuda)
    state: tuple = np.random.get_state()  # type: ignore[assignment]
    env["numpy_random_seed"] = str(state[1][0])
    if cuda:
        env.update(_cuda_facts())
    env["GCC"] = _gcc()
    env["PyTorch"] = torch.__version__
    env["PyTorch compiling details"] = torch.__config__.show()
    if find_spec("torchvision") is not None:
        import torchvision

        env["TorchVision"] = torchvision.__version__
    if find_spec("cv2") is not None:
        import cv2

        env["OpenCV"] = cv2.__version__
    env["engine"] = __version__
    return env
