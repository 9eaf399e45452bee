"""One way to write a number a user reads: console, report, charts and compare.

A probability that reads "48%" in the summary must not read "0.47" on a chart
or in the compare console, so every place that shows a share, a force or an
amount of money formats it here. Shares carry a 95% Wilson interval where the
run count makes it matter (`share_ci`), and a claim that a share is above or
below a threshold is checked against that interval (`resolved`).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

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
    half = z * math.sqrt(max(p * (1 - p), 0.0) / n + z * z / (4 * n * n)) / denom
    lo = 0.0 if p <= 0 else max(0.0, centre - half)  # exact ends, not 1e-18 off
    hi = 1.0 if p >= 1 else min(1.0, centre + half)
    return (lo, hi)


def _half_up(x: float, places: int = 0) -> Decimal:
    """Round half away from zero on the decimal digits a reader sees (0.475 -> 48%)."""
    q = Decimal(1).scaleb(-places)
    return Decimal(repr(float(x))).quantize(q, rounding=ROUND_HALF_UP)


def pct(p: float | None) -> str:
    """A share in [0, 1] as a whole percent: '48%'; '<1%' and '>99%' at the edges.

    A share that is not exactly 0 or 1 never reads as '0%' or '100%', so a
    rare event is not shown as impossible nor a common one as certain.
    """
    if p is None or not math.isfinite(p):
        return "n/a"
    p = min(max(float(p), 0.0), 1.0)
    whole = _half_up(p * 100)
    if p > 0 and whole == 0:
        return "<1%"
    if p < 1 and whole == 100:
        return ">99%"
    return f"{whole}%"


def pct_range(lo: float, hi: float) -> str:
    """An interval of shares, '41–55%'."""
    return f"{pct(lo).rstrip('%')}–{pct(hi)}"


def share_ci(p: float | None, n: int) -> str:
    """A share with its 95% interval over `n` runs: '48% (41–55%)'."""
    if p is None or not math.isfinite(p):
        return "n/a"
    lo, hi = wilson(p, n)
    return f"{pct(p)} ({pct_range(lo, hi)})"


def resolved(p: float, n: int, threshold: float) -> bool:
    """Whether `n` runs tell a share `p` apart from `threshold` (the interval excludes it)."""
    lo, hi = wilson(p, n)
    return not (lo <= threshold <= hi)


def runs_to_resolve(p: float, threshold: float, limit: int = 10_000_000) -> int | None:
    """The run count at which a share `p` would be told apart from `threshold`.

    None when `p` equals the threshold (no run count resolves it) or the count
    would exceed `limit`.
    """
    if abs(p - threshold) < 1e-12:
        return None
    n = 1
    while n <= limit:
        if resolved(p, n, threshold):
            lo = n // 2
            while lo + 1 < n:  # smallest n in (lo, n] that resolves
                mid = (lo + n) // 2
                lo, n = (lo, mid) if resolved(p, mid, threshold) else (mid, n)
            return n
        n *= 2
    return None


def force(x: float | None) -> str:
    """A force size in personnel, to the nearest ten: '8,000', '11,350'."""
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"{int(_half_up(x / 10)) * 10:,}"


def money(x: float | None, measure: str = "USD million") -> str:
    """An amount of money in the scenario's measure: 'USD 20 million'."""
    if x is None or not math.isfinite(x):
        return "n/a"
    amount = f"{_half_up(x, 1):,f}".removesuffix(".0")
    words = measure.split()
    if len(words) == 2 and words[0].isupper():
        return f"{words[0]} {amount} {words[1]}"
    return f"{amount} {measure}".strip()


def quantity(x: float | None, measure: str) -> str:
    """A pledge in its own measure: money for a currency measure, else personnel."""
    if measure.lower().startswith(("usd", "eur", "gbp")):
        return money(x, measure)
    return force(x)
