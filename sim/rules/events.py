"""Incidents: ceasefire violations and clashes, at a rate set by consent and posture."""

from __future__ import annotations

import numpy as np

from sim.rules.short_axis import sum_last
from sim.rules.terms import evaluate
from sim.scenario.arrays import Compiled
from sim.scenario.params import Params

SLOTS = 4
"""Incidents per round are the number of SLOTS uniform draws below rate / SLOTS:
a binomial stand-in for a Poisson count that needs no rate-dependent draws."""


def incidents(C: Compiled, P: Params, m, consent, level, u: np.ndarray, mech):
    """(count (R,), new incident level (R,)). The level decays and each incident adds."""
    if not mech.incidents:
        return np.zeros(m.shape[0], np.int64), np.zeros(m.shape[0])
    rate = evaluate(C.env["incident_rate"], m, P.env.incident_rate_base)
    rate = np.maximum(0.0, rate + P.env.consent_incidents * (1.0 - consent))
    count = sum_last(u < (rate / SLOTS)[:, None])
    return count, P.env.incident_decay * level + P.env.incident_severity * count


def outcome(force, target, minimum, deployable, t: int, deadline: int) -> np.ndarray:
    """0 running, 1 formed, 2 formed undersized at the deadline, 3 stalled."""
    out = np.where(deployable & (force >= target), 1, 0)
    if t >= deadline:
        out = np.where(out == 0, np.where(deployable & (force >= minimum), 2, 3), out)
    return out
