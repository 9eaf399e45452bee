"""The stance ladder with hysteresis, the clarity gate, and pledge size."""

from __future__ import annotations

import numpy as np

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
