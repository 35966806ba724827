"""Weight initialisation, split by concern; the public surface is
:mod:`engine.model.weight_init`."""
