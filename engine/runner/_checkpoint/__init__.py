"""The parts of :mod:`engine.runner.checkpoint`.

* :mod:`.safe`: what a checkpoint may hold so that
  ``torch.load(weights_only=True)`` reads it, and the allow-list that reads
  MMEngine's checkpoints safely;
* :mod:`.state_dict`: a module's state dict to and from a dict of tensors;
* :mod:`.download`: cached downloads of ``http(s)://`` checkpoints;
* :mod:`.loaders`: :class:`CheckpointLoader` and its URI schemes.
"""
