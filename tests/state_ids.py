"""Generated state ids for wide test scenarios: three capital letters, as the schema
requires of a state id (ISO 3166 alpha-3 in form)."""

from __future__ import annotations

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def code(i: int) -> str:
    """A three-letter state id for index i (AAA, AAB, ...)."""
    return "".join(LETTERS[(i // 26**p) % 26] for p in (2, 1, 0))
