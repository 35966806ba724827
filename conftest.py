"""Settings shared by tests/ and conformance/.

Under CI (``CI`` set), hypothesis runs derandomized, so a CI run draws the
same examples every time; local runs keep exploring new ones.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
