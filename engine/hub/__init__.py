"""Configs and models of installed packages: ``get_config`` and ``get_model``."""

from engine.hub.hub import get_config, get_model

__all__ = ["get_config", "get_model"]
