"""Veto players: whom they veto, and whether the mandate has their acceptance.

With the `vetoes` mechanism off, veto players neither veto contributors nor
block the mandate: their acceptance is still computed and recorded, but taken
as given. Every place that asks either question asks it here, so the switch
has one meaning.
"""

from __future__ import annotations

import numpy as np

from sim.scenario.arrays import Compiled
from sim.scenario.params import Params


def vetoed(P: Params, mech) -> np.ndarray:
    """(1 or R, S): contributors whose pledges a veto player refuses to count."""
    return P.state.vetoed & bool(mech.vetoes)


def mandate_accepted(accepts: np.ndarray, mech) -> np.ndarray:
    """(R,): every veto player accepts the mandate (always, with vetoes off)."""
    return accepts.all(axis=1) | (not mech.vetoes)


def vetoed_by(C: Compiled, code: str) -> list[str]:
    """Ids of the veto players that veto contributor `code` (none with vetoes off)."""
    if not C.scenario.run.mechanisms.vetoes:
        return []
    return [v for v, spec in C.scenario.veto_players.items() if code in spec.vetoes]
