"""The judgement calls a run draws, named by where they stand in the scenario file.

A `[low, high]` range is sampled once per run. The experiments table
(`params.csv`) has one column per range, named by the field path a reader can
find in the scenario (`states.IDN.domestic_opposition`, `broker.target`,
`veto_players.ISR.base`), so an analyst can ask which assumption produced
which outcome.
"""

from __future__ import annotations

import numpy as np

from sim.scenario.arrays import Compiled

STATE_FIELDS = ("domestic_opposition", "risk_tolerance", "clarity_threshold", "conformity")
BROKER_FIELDS = ("target", "minimum_viable", "engagement", "urgency", "veto_loss_cost")
ENVIRONMENT_FIELDS = (
    "consent_risk",
    "consent_incidents",
    "incident_severity",
    "incident_decay",
    "incident_perception",
    "ceasefire_threshold",
)
DECISION_FIELDS = ("hysteresis", "noise_sd", "bandwagon", "pledge_min_share")


def field_path(C: Compiled, name: str, index: tuple) -> str:
    """The scenario field path of a compiled parameter entry."""
    simple = {
        **{f: f"broker.{f}" for f in BROKER_FIELDS},
        **{f: f"environment.{f}" for f in ENVIRONMENT_FIELDS},
        **{f: f"decision.{f}" for f in (*DECISION_FIELDS, "side_payment_effect")},
        "budget": "broker.side_payments.budget",
        "max_per_state": "broker.side_payments.max_per_state",
        **{f"{n}_base": f"environment.{n}.base" for n in ("risk", "perception", "incident_rate")},
    }
    if name in simple:
        return simple[name]
    if name in STATE_FIELDS:
        return f"states.{C.states[index[0]]}.{name}"
    if name == "capacity":
        return f"states.{C.states[index[0]]}.offers.{C.kinds[index[1]]}"
    if name == "incentives":
        return f"states.{C.states[index[0]]}.incentives.{C.incentive_names[index[1]]}"
    if name.startswith("kind_"):
        return f"kinds.{C.kinds[index[0]]}.{name.removeprefix('kind_')}"
    if name == "concession_cost":
        return f"broker.concessions.{C.concessions[index[0]]}.cost"
    if name in ("veto_threshold", "veto_base"):
        return f"veto_players.{C.veto_ids[index[0]]}.{name.removeprefix('veto_')}"
    if name in ("host_threshold", "host_base"):
        return f"hosts.{C.host_ids[index[0]]}.{name.removeprefix('host_')}"
    if name == "pref_weight":
        owner, term = _preferences(C)[index[0]]
        return f"states.{owner}.preferences.{term}.salience"
    if name == "incentive_scale_base":
        return f"environment.incentive_scaling.{C.incentive_names[index[0]]}.base"
    raise KeyError(f"no field path for parameter {name!r}")


def _preferences(C: Compiled) -> list[tuple[str, str]]:
    """(state, term) of each preference, in the order they were compiled."""
    sc = C.scenario
    return [(s, term) for s in C.states for term in sc.states[s].preferences]


def drawn_names(C: Compiled) -> list[str]:
    """One name per judgement range, in the order the ranges are drawn."""
    return [field_path(C, name, index) for name, index, _, _ in C.ranges]


def drawn_values(C: Compiled, P: dict[str, np.ndarray], R: int) -> np.ndarray:
    """(R, E): each of R runs' drawn value of every range, read from their parameters."""
    out = np.empty((R, len(C.ranges)))
    for e, (name, index, _, _) in enumerate(C.ranges):
        out[:, e] = P[name][(slice(None), *index)]
    return out
