"""Inventory ids the suite does not test, each with the reason.

Keep the dict sorted by id. ``python -m conformance.coverage`` reports these
as waived rather than missing.
"""

WAIVERS: dict[str, str] = {
    "HOOK-15": (
        "the hook concept in plain Python (print hello / goodbye): it calls no "
        "engine API, so no implementation can pass or fail it"
    ),
    "HOOK-16": (
        "PyTorch's own register_forward_hook with random weights: it calls no "
        "engine API, so no implementation can pass or fail it"
    ),
    "PKG-01": (
        "prerequisites (Python, PyTorch, CUDA, GCC versions) are a qualitative "
        "statement about the environment, not a behaviour of the package"
    ),
    "PKG-03": (
        "mim/pip install from PyPI and the docker image need the network and "
        "publish mmengine itself; not applicable to engine offline"
    ),
}
