"""The judgement calls a run draws, named by where they stand in the scenario file.

A `[low, high]` range is sampled once per run. The experiments table
(`params.csv`) has one column per range, named by the field path a reader can
find in the scenario (`states.IDN.domestic_opposition`, `broker.target`,
`veto_players.ISR.base`, `world.hamas_disarmament_agreed.hazard`), so an analyst can ask which assumption produced
which outcome.
"""

from __future__ import annotations

import numpy as np

from sim.scenario.arrays import Compiled
from sim.scenario.params import Params, Range


def field_path(C: Compiled, r: Range) -> str:
    """The scenario field path of a sampled parameter."""
    at = r.index[0] if r.index else None
    group, name = r.group, r.field
    if group == "state":
        state = C.states[at]
        if name == "capacity":
            kind = C.kinds[r.index[1]]
            field = "capacity" if kind in C.scenario.states[state].capacity else "offers"
            return f"states.{state}.{field}.{kind}"
        if name == "incentives":
            return f"states.{state}.incentives.{C.incentive_names[r.index[1]]}"
        if name == "pref_weight":
            owner, term = _preferences(C)[at]
            return f"states.{owner}.preferences.{term}.salience"
        return f"states.{state}.{name}"
    if group == "kind":
        return f"kinds.{C.kinds[at]}.{name}"
    if group == "broker":
        if name in ("budget", "max_per_state"):
            return f"broker.side_payments.{name}"
        if name == "concession_cost":
            return f"broker.concessions.{C.concessions[at]}.cost"
        return f"broker.{name}"
    if group == "veto":
        return f"veto_players.{C.veto_ids[at]}.{name}"
    if group == "host":
        return f"hosts.{C.host_ids[at]}.{name}"
    if group == "env":
        if name == "world_hazard":
            return f"world.{C.world_names[at]}.hazard"
        if name == "incentive_scale_base":
            return f"environment.incentive_scaling.{C.incentive_names[at]}.base"
        if name.endswith("_base"):
            return f"environment.{name.removesuffix('_base')}.base"
        return f"environment.{name}"
    if group == "bar":
        v, e = _bar(C, at)
        return f"veto_players.{v}.vetoes[{e}].p"
    if group == "caveat":
        state, cav = C.caveat_ids[at].split(".", 1)
        return f"states.{state}.caveats.{cav}.discount"
    if group == "shock":
        if name == "event_hazard":
            return f"events.{C.event_names[at]}.hazard"
        return "deployment.incident_hazard"
    if group == "deploy":
        if name == "lag_default":
            return "deployment.lag"
        if name == "lag":
            return f"states.{C.states[at]}.deployment.lag"
        return f"states.{C.states[at]}.deployment.approval.p"
    return f"decision.{name}"


def _bar(C: Compiled, at: int) -> tuple[str, int]:
    """(veto player, index in its `vetoes` list) of the at-th conditional veto."""
    seen = -1
    for vid, spec in C.scenario.veto_players.items():
        for e, entry in enumerate(spec.vetoes):
            if not isinstance(entry, str):
                seen += 1
                if seen == at:
                    return vid, e
    raise IndexError(at)


def _preferences(C: Compiled) -> list[tuple[str, str]]:
    """(state, term) of each preference, in the order they were compiled."""
    sc = C.scenario
    return [(s, term) for s in C.states for term in sc.states[s].preferences]


def drawn_names(C: Compiled) -> list[str]:
    """One name per judgement range, in the order the ranges are drawn."""
    return [field_path(C, r) for r in C.ranges]


def drawn_values(C: Compiled, P: Params, R: int) -> np.ndarray:
    """(R, E): each of R runs' drawn value of every range, read from their parameters."""
    out = np.empty((R, len(C.ranges)))
    for e, r in enumerate(C.ranges):
        out[:, e] = getattr(P.group(r.group), r.field)[(slice(None), *r.index)]
    return out
