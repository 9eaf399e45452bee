"""World conditions a scenario declares (`world:`): how each becomes true.

A declared condition is a boolean on the world, not on the mandate ("Hamas has
agreed to disarm"), that a state's red line may require. Once true it stays
true. In week t it becomes true when

- its weekly hazard fires: the run's uniform for (t, condition) is below the
  hazard (a judgement call, drawn per run when given as a range);
- t reaches its scheduled week `from_week`;
- the broker has made the concession `by_concession` (this week or before).

The states see the conditions as they stood at the end of the previous week,
like every other world condition (docs/model.md, 'World conditions').
"""

from __future__ import annotations

import numpy as np


def evolve(
    cond: np.ndarray,
    t: int,
    u: np.ndarray,
    hazard: np.ndarray,
    from_week: np.ndarray,
    by: np.ndarray,
    made: np.ndarray,
) -> np.ndarray:
    """(R, W): the conditions at the end of week `t`.

    `cond` (R, W) at the end of the previous week; `u` (R, W) this week's
    uniforms; `hazard` (R|1, W); `from_week` (W,), 0 for no schedule; `by` (W,)
    the concession that sets each condition, -1 for none; `made` (R, C) the
    concessions made so far.
    """
    fires = u < hazard
    scheduled = (from_week > 0) & (t >= from_week)
    conceded = (by >= 0) & made[:, np.maximum(by, 0)] if made.shape[1] else np.zeros_like(cond)
    return cond | fires | scheduled[None, :] | conceded


def columns(C, cond: np.ndarray | None, R: int) -> np.ndarray:
    """(R, W) the declared conditions, their initial values where `cond` is None."""
    if cond is None:
        return np.broadcast_to(C.world_initial[None, :], (R, len(C.world_names)))
    return cond


def after_concessions(C, cond: np.ndarray | None, which: np.ndarray) -> np.ndarray | None:
    """The conditions as the states expect them once the concessions marked in `which`
    ((R|1, C) or (C,) booleans) are made: a condition a made concession sets holds
    (the demand scan, `sim.rules.demands`, so a state asks for the concession that
    meets its red line). Unchanged with `mechanisms.world_conditions` off."""
    if cond is None or not cond.shape[1] or not C.scenario.run.mechanisms.world_conditions:
        return cond
    which = np.atleast_2d(which)
    by = C.world_by
    sets = (by >= 0)[None, :] & which[:, np.maximum(by, 0)] if which.shape[1] else False
    return cond | sets
