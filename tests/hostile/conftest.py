"""Fixtures of the hostile-input suite (the helpers themselves are in helpers.py)."""

from .helpers import cli, variant

__all__ = ["cli", "variant"]
