"""The stance ladder with hysteresis, the clarity gate, and pledge size."""

from __future__ import annotations

import numpy as np

from sim.rules import jit
from sim.scenario.arrays import COMMITTED, CONDITIONAL, DECLINED, OFFERED

NEXT_RUNG = np.array([CONDITIONAL, CONDITIONAL, OFFERED, COMMITTED, COMMITTED])


def level(u: np.ndarray, th) -> np.ndarray:
    """The rung a payoff reaches: declined, conditional, offered or committed."""
    out = np.full(u.shape, DECLINED)
    out = np.where(u >= th.conditional, CONDITIONAL, out)
    out = np.where(u >= th.offered, OFFERED, out)
    return np.where(u >= th.committed, COMMITTED, out)


def ladder(prev, u, available, liftable, gate_open, th, h) -> np.ndarray:
    """Next stance (R, S).

    - no kind free of red lines: conditional if a concession could lift one, else declined;
    - clarity gate closed: hold the previous stance (no new commitments);
    - otherwise climb one rung when the payoff clears the next level by h, fall
      to the level the payoff supports when it is h below it; a committed state
      stays unless its payoff drops below the exit level.
    """
    up = level(u - h, th)
    down = level(u + h, th)
    new = np.where(up > prev, NEXT_RUNG[prev], np.where(down < prev, down, prev))
    stay = (prev == COMMITTED) & (u >= th.exit)
    new = np.where(stay, COMMITTED, new)
    new = np.where(gate_open, new, prev)
    capped = np.where(liftable, CONDITIONAL, DECLINED)
    return np.where(available, new, capped)


def pledge(u, capacity, unit, offered, full, min_share) -> np.ndarray:
    """Pledge size: a share of capacity rising with the payoff, in whole units.

    The share is `min_share` at the offer level and 1 at `full`; at least one
    unit is pledged when capacity allows.
    """
    span = max(full - offered, 1e-9)
    share = np.minimum(
        1.0, np.maximum(min_share, min_share + (1.0 - min_share) * (u - offered) / span)
    )
    units = np.floor(capacity * share / unit)
    units = np.where(capacity >= unit, np.maximum(units, 1.0), 0.0)
    return units * unit


def min_shares(P) -> np.ndarray:
    """(R|1,): each run's minimum pledge share, flat, as the compiled loops read it."""
    return np.asarray(P.decision.pledge_min_share, float).reshape(-1)


@jit.row
def rung(prev, u, available, liftable, gate_open, h, conditional, offered, committed, exit_):
    """`ladder` for one state: its next stance from the previous one `prev`, its best
    free payoff `u`, the hysteresis `h` and the thresholds (the same comparisons)."""
    if not available:
        return CONDITIONAL if liftable else DECLINED
    if not gate_open:
        return prev
    if prev == COMMITTED and u >= exit_:
        return COMMITTED
    if _level(u - h, conditional, offered, committed) > prev:
        return NEXT_RUNG[prev]
    down = _level(u + h, conditional, offered, committed)
    return down if down < prev else prev


@jit.row
def _level(u, conditional, offered, committed):
    """`level` for one payoff: the last threshold of the three it reaches, in `level`'s
    order (committed, else offered, else conditional, else declined)."""
    if u >= committed:
        return COMMITTED
    if u >= offered:
        return OFFERED
    return CONDITIONAL if u >= conditional else DECLINED


@jit.row
def pledge_one(u, capacity, unit, offered, full, min_share):
    """`pledge` for one state and kind (the same operations, in order)."""
    span = max(full - offered, 1e-9)
    share = min(1.0, max(min_share, min_share + (1.0 - min_share) * (u - offered) / span))
    units = np.floor(capacity * share / unit)
    return (max(units, 1.0) if capacity >= unit else 0.0) * unit
