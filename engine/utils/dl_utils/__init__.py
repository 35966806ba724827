"""Deep-learning helpers that need torch (import explicitly; ``engine.utils`` does not).

``collect_env`` describes the machine for the Runner's start-up banner,
``set_multi_processing`` prepares worker processes, ``has_batch_norm`` and
``is_norm`` inspect models.
"""

from engine.utils.dl_utils.env import collect_env
from engine.utils.dl_utils.misc import has_batch_norm, is_norm
from engine.utils.dl_utils.setup_env import set_multi_processing

__all__ = ["collect_env", "has_batch_norm", "is_norm", "set_multi_processing"]
