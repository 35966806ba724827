"""Black-box conformance suite: runs against ``engine`` or ``mmengine``."""
