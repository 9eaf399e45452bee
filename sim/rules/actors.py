"""Veto players and host-side actors: acceptance and consent as functions of terms."""

from __future__ import annotations

import numpy as np

from sim.rules.caveats import acceptance_shift
from sim.rules.red_lines import satisfied
from sim.rules.short_axis import all_last, min_last
from sim.rules.terms import clip01, evaluate
from sim.scenario.arrays import Compiled
from sim.scenario.params import Params


def acceptance(C: Compiled, P: Params, m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each veto player's acceptance (R, V) and whether it accepts (R, V).

    A violated `requires` predicate (e.g. a legal basis the Council has not made
    available) sets acceptance to zero.
    """
    R, V = m.shape[0], len(C.veto_ids)
    acc = np.zeros((R, V))
    for v in range(V):
        acc[:, v] = acceptance_of(C, P, m, v)
    return acc, acc >= P.veto.threshold


def acceptance_of(C: Compiled, P: Params, m: np.ndarray, v: int) -> np.ndarray:
    """One veto player's acceptance (R,): clip(base + effects + caveat_effect x caveats
    granted one by one) or 0 if a requirement fails."""
    a = clip01(evaluate(C.veto_lin[v], m, P.veto.base[:, v]) + acceptance_shift(C, m, v))
    req = C.veto_requires[v]
    if len(req["op"]):
        ok = all_last(satisfied(req, m, np.ones((m.shape[0], 3), bool)))
        a = np.where(ok, a, 0.0)
    return a


def consent(C: Compiled, P: Params, m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each host actor's consent (R, H) and whether all consent (R,)."""
    R, H = m.shape[0], len(C.host_ids)
    out = np.zeros((R, H))
    for h in range(H):
        out[:, h] = consent_of(C, P, m, h)
    return out, all_last(out >= P.host.threshold)


def consent_of(C: Compiled, P: Params, m: np.ndarray, h: int) -> np.ndarray:
    """One host actor's consent (R,): clip(base + effects of the terms)."""
    return clip01(evaluate(C.host_lin[h], m, P.host.base[:, h]))


def lowest(consents: np.ndarray) -> np.ndarray:
    """The consent that sets the risk: the least consenting host (1 with no host)."""
    return min_last(consents) if consents.shape[1] else np.ones(consents.shape[0])
