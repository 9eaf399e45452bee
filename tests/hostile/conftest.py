"""Fixtures of the hostile-input suite (the helpers themselves are in helpers.py)."""

from .helpers import variant

__all__ = ["variant"]
