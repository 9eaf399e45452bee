"""Stated positions: an offer on the record holds until the state's stance moves.

A state's `initial_offer` (Indonesia's 20,000 troops) is evidence of what its
government has said it will provide. The pledge-size rule (docs/model.md,
'Pledge size') is a stylised stand-in for when there is no such evidence: a
share of capacity rising with the payoff. Recomputing the pledge from the
payoff in week 1 would throw the record away before anything has changed. So
the stated kind and size hold for as long as the state's position does, and
the payoff takes over once the state has moved: when the stance ladder, with
its hysteresis, takes it past a threshold (an offer firming into a commitment,
or falling back), or when a red line comes to block the stated kind.

With `stated_0` true where the state has an `initial_offer` (of a size > 0),
`prev` the previous week's stance, kind and pledge, and `free_t(k)` whether
kind `k` is one the state offers and free of its red lines this week:

```
stated_t = stated_{t-1}  and  stance_t = stance_{t-1}  and  free_t(kind_{t-1})
held_t   = stated_t  and  stance_t in {offered, committed}
kind_t, pledge_t = kind_{t-1}, pledge_{t-1}   if held_t
                 = the payoff-derived ones     otherwise
```

Once cleared, the flag stays cleared: a state that has moved back to its old
rung pledges what its payoff supports, not what it once said. A human seat's
choice clears the flag for that seat (`sim.teach.seat`). The stance itself is
never held here: a state with a stated stance but no stated offer keeps that
stance only through the ladder's hysteresis, as every state does. Whether a
held pledge counts follows from stance and kind after the decision, as for any
pledge (`decide.counted`). With `mechanisms.stated_positions` off the flag is
false from week 0 and every week is decided from the payoff.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from sim.rules import short_axis
from sim.rules.decide import Decision
from sim.scenario.arrays import OFFERED, Compiled
from sim.scenario.params import Params


def initial(P: Params, R: int, mech) -> np.ndarray:
    """(R, S): the flag in week 0, true where an offer is on the record."""
    on = bool(mech.stated_positions)
    return np.repeat(P.state.initial_pledge > 0, R, axis=0) & on


def kind_free(C: Compiled, free: np.ndarray, kind: np.ndarray, where=None) -> np.ndarray:
    """(R, S): kind `kind` (an index into the kind vocabulary, -1 for none) is one
    of the state's offered slots and free of red lines (`free`, (R, S, Kmax)); with
    `where` (R, S), only there (false elsewhere): the few states still on a stated
    offer, looked at alone."""
    if where is None:
        at = C.slot_kind[None] == kind[..., None]
        return short_axis.any_last(free & at) & (kind >= 0)
    out = np.zeros(kind.shape, bool)
    r, s = np.nonzero(where)
    k = kind[r, s]
    out[r, s] = short_axis.any_last(free[r, s] & (C.slot_kind[s] == k[:, None])) & (k >= 0)
    return out


def hold(
    C: Compiled,
    dec: Decision,
    stance: np.ndarray,
    kind: np.ndarray,
    pledge: np.ndarray,
    flag: np.ndarray,
    parts: np.ndarray | None = None,
) -> Decision:
    """The week's decision with stated offers held; `stance`, `kind`, `pledge`,
    `flag` and the package `parts` are the previous week's. The new flag is carried
    in `dec.stated`. A held package keeps the parts still free of red lines."""
    if not flag.any():  # no state on a stated offer (most weeks of most runs)
        return dataclasses.replace(dec, stated=np.zeros(flag.shape, bool))
    stated = flag & (dec.stance == stance) & kind_free(C, dec.free, kind, flag)
    held = stated & (dec.stance >= OFFERED)
    if not held.any():
        return dataclasses.replace(dec, stated=stated)
    r, s = np.nonzero(held)  # only the held states' entries change
    out = dataclasses.replace(dec, kind=dec.kind.copy(), pledge=dec.pledge.copy(), stated=stated)
    out.kind[r, s], out.pledge[r, s] = kind[r, s], pledge[r, s]
    if parts is not None and dec.parts is not None:
        out.parts = dec.parts.copy()
        free = np.broadcast_to(dec.free, dec.parts.shape)[r, s]
        out.parts[r, s] = np.where(free, parts[r, s], 0.0)
    return out


def held(dec: Decision) -> np.ndarray:
    """(R, S): the states that kept their stated offer in this decision."""
    if dec.stated is None:
        return np.zeros(dec.stance.shape, bool)
    return dec.stated & (dec.stance >= OFFERED)
