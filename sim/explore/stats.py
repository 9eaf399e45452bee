"""Small statistics shared by compare and sweep."""

from __future__ import annotations

import math

Z95 = 1.959963984540054


def wilson(p: float, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a share `p` of `n` runs (95% by default).

    Unlike p ± z·sqrt(p(1−p)/n) it stays inside [0, 1] and is not empty at
    p = 0 or 1, which matters for the many scenarios where nothing forms.
    """
    if n <= 0:
        return (0.0, 1.0)
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))
