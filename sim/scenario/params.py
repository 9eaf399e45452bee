"""Typed parameters: what the rules read, in frozen groups by actor.

A compiled scenario carries its parameters as `Params`, a frozen set of typed
groups (states, kinds, the kinds each state offers, the broker, veto players,
hosts, the environment, the decision rule), so a rule names what it reads
(`P.broker.target`, `P.state.capacity`) and a misspelt name fails when the
module loads, not in the middle of a run.

Every array has a leading run axis: 1 where the value is the same in every
run, R where a judgement range is sampled per run (`sim.engine.draws`).
A value sampled per run is declared by `Range`: the group and field it sits
in, the index inside the field's array, and the range's ends.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import NamedTuple, Self

import numpy as np

Array = np.ndarray


class Range(NamedTuple):
    """A judgement call drawn per run: `group.field[index]` uniform in [low, high]."""

    group: str
    field: str
    index: tuple
    low: float
    high: float


def rows_at(v: Array, idx: np.ndarray) -> Array:
    """The rows at `idx` of `v` (a copy): `np.take` for whole-number indices, which
    gathers about a third faster than `v[idx]` (the same values, C-ordered as
    well), and a boolean mask as `v[idx]` reads it."""
    if idx.dtype == np.bool_:
        return v[idx]
    return np.take(v, idx, axis=0)


def _take(v: Array, idx: np.ndarray) -> Array:
    """The runs at `idx` of an array with a run axis (a shared value stays shared)."""
    return rows_at(v, idx) if v.shape[0] > 1 or len(idx) == 0 else v


class Gathered:
    """A group's arrays for the runs at `idx`, each gathered the first time it is read.

    The demand search evaluates every open concession in the runs where it is open
    (`sim.rules.demands`), and reads a fraction of the parameters there: gathering
    every array up front was a tenth of the engine's time. Read-only: a rule that
    needs a changed group (`dataclasses.replace`) works on `Params.take`'s copies."""

    def __init__(self, group: Group, idx: np.ndarray) -> None:
        self._group = group
        self._idx = idx

    def __getattr__(self, name: str) -> Array:
        if name.startswith("_"):  # not a parameter (copy, pickle): no gather, no recursion
            raise AttributeError(name)
        value = _take(getattr(self._group, name), self._idx)
        self.__dict__[name] = value
        return value


class Group:
    """A frozen group of arrays with a leading run axis."""

    def take(self, idx: np.ndarray) -> Self:
        """The same group for the runs at `idx` (indices or a boolean mask)."""
        return replace(self, **{f.name: _take(getattr(self, f.name), idx) for f in fields(self)})  # type: ignore[arg-type]


@dataclass(frozen=True)
class StateParams(Group):
    """Per contributor state (S), and per preference entry for salience."""

    domestic_opposition: Array  # (R|1, S)
    risk_tolerance: Array  # (R|1, S)
    clarity_threshold: Array  # (R|1, S)
    conformity: Array  # (R|1, S)
    capacity: Array  # (R|1, S, K) stated offer per kind, the most it will pledge
    initial_pledge: Array  # (1, S)
    initial_kind: Array  # (1, S), -1 for none
    initial_stance: Array  # (1, S)
    incentives: Array  # (R|1, S, N) per named incentive
    vetoed: Array  # (1, S) a veto player vetoes the state
    pref_weight: Array  # (R|1, n preferences) salience, one draw per preference
    pref_salience: Array  # (R|1, n preference entries) the salience of each entry


@dataclass(frozen=True)
class KindParams(Group):
    """Per contribution kind (K)."""

    exposure: Array
    risk: Array
    visibility: Array
    unit: Array
    counts: Array  # bool: counted toward the target


@dataclass(frozen=True)
class SlotParams(Group):
    """Per state and offered kind (S, Kmax): the kinds' values where each state offers them."""

    capacity: Array
    exposure: Array
    risk: Array
    visibility: Array
    unit: Array
    counts: Array


@dataclass(frozen=True)
class BrokerParams(Group):
    """The actor assembling the force (scalars per run, concession costs per concession)."""

    target: Array
    minimum_viable: Array
    engagement: Array
    urgency: Array
    veto_loss_cost: Array
    budget: Array
    max_per_state: Array
    concession_cost: Array  # (R|1, C)


@dataclass(frozen=True)
class ActorParams(Group):
    """Veto players (V) or hosts (H): acceptance or consent base and threshold."""

    base: Array
    threshold: Array


@dataclass(frozen=True)
class EnvParams(Group):
    """Risk, incidents and how a mandate reads at home."""

    consent_risk: Array
    consent_incidents: Array
    incident_severity: Array
    incident_decay: Array
    incident_perception: Array
    ceasefire_threshold: Array
    risk_base: Array
    perception_base: Array
    incident_rate_base: Array
    incentive_scale_base: Array  # (R|1, N)
    world_hazard: Array  # (R|1, W) weekly chance each declared world condition becomes true


@dataclass(frozen=True)
class DeployParams(Group):
    """How contingents reach the theatre after the force forms (`deployment:`)."""

    lag_default: Array  # (R|1,) weeks of force generation where a state gives none
    lag: Array  # (R|1, S) a state's own lag, NaN where it gives none
    approval_p: Array  # (R|1, S) chance its approval vote passes (1 without a vote)


@dataclass(frozen=True)
class ShockParams(Group):
    """Shocks in the deployment stage (`events:`, `deployment.incident_hazard`)."""

    event_hazard: Array  # (R|1, E) weekly chance each declared event fires
    incident_hazard: Array  # (R|1,) weekly chance of an incident in a contingent in theatre


@dataclass(frozen=True)
class BarParams(Group):
    """Conditional vetoes on contributors (B): how firm each is, and the run's draw."""

    p: Array  # (R|1, B) chance the veto holds in a run
    u: Array  # (R|1, B) the run's uniform: the veto holds where u < p
    now: Array  # (R|1, S, K) kinds of each state barred this week (`sim.rules.vetoes.hold`)


@dataclass(frozen=True)
class CaveatParams(Group):
    """Per-state caveats (G, `states.X.caveats`): how much less a caveated contingent counts."""

    discount: Array  # (R|1, G) share of the pledge not counted while the caveat is in effect


@dataclass(frozen=True)
class DecisionParams(Group):
    """Constants of the state decision rule that a scenario may give as ranges."""

    hysteresis: Array
    noise_sd: Array
    bandwagon: Array
    pledge_min_share: Array
    side_payment_effect: Array


@dataclass(frozen=True)
class Params:
    """Every parameter a run reads, by actor."""

    state: StateParams
    kind: KindParams
    slot: SlotParams
    broker: BrokerParams
    veto: ActorParams
    host: ActorParams
    env: EnvParams
    decision: DecisionParams
    deploy: DeployParams
    bar: BarParams
    shock: ShockParams
    caveat: CaveatParams

    def take(self, idx: np.ndarray) -> Params:
        """The parameters of the runs at `idx`."""
        return Params(**{f.name: getattr(self, f.name).take(idx) for f in fields(self)})

    def gathered(self, idx: np.ndarray) -> Params:
        """The parameters of the runs at `idx` (indices), read-only, each array
        gathered when first read (`Gathered`): the same numbers as `take`."""
        return Params(**{f.name: Gathered(getattr(self, f.name), idx) for f in fields(self)})  # type: ignore[arg-type]

    def group(self, name: str) -> Group:
        """A group by name (as `Range.group` names it)."""
        return getattr(self, name)

    @staticmethod
    def concat(parts: list[Params], runs: int) -> Params:
        """Several batches' parameters, `runs` runs each, as one batch, run after run.
        A value every batch shares stays shared (one row); one that differs between
        batches is repeated for each run of its batch."""

        def cat(arrays: list[np.ndarray]) -> np.ndarray:
            if all(a.shape[0] == 1 and np.array_equal(a, arrays[0]) for a in arrays):
                return arrays[0]
            return np.concatenate(
                [a if a.shape[0] == runs else np.repeat(a, runs, 0) for a in arrays]
            )

        def group(name: str) -> Group:
            first = getattr(parts[0], name)
            return replace(
                first,
                **{f.name: cat([getattr(getattr(p, name), f.name) for p in parts])
                   for f in fields(first)},
            )  # fmt: skip

        return Params(**{f.name: group(f.name) for f in fields(Params)})

    def with_runs(self, R: int, ranges: list[Range], u: np.ndarray) -> Params:
        """R runs' parameters: each range's field repeated per run and drawn from `u` (R, E)."""
        sampled: dict[str, set[str]] = {}
        for r in ranges:
            sampled.setdefault(r.group, set()).add(r.field)
        groups = {}
        for f in fields(self):
            g = getattr(self, f.name)
            names = sampled.get(f.name, set())
            groups[f.name] = replace(g, **{n: np.repeat(getattr(g, n), R, axis=0) for n in names})
        out = Params(**groups)
        for e, r in enumerate(ranges):
            arr = getattr(out.group(r.group), r.field)
            arr[(slice(None), *r.index)] = r.low + u[:, e] * (r.high - r.low)
        return out


def with_slots(P: Params, slot_kind: np.ndarray, pref_index: np.ndarray) -> Params:
    """The derived groups: each state's offered kinds as slots, and each preference
    entry's salience (a task-set preference has one entry per task).

    A state's payoff, red-line blocks and pledge are computed for its offered
    kinds only, so the work grows with what states offer, not with the kinds.
    """
    valid = slot_kind >= 0
    idx = np.maximum(slot_kind, 0)
    capacity = P.state.capacity
    cap = np.take_along_axis(capacity, np.broadcast_to(idx, (capacity.shape[0], *idx.shape)), 2)
    k = P.kind
    slot = SlotParams(
        capacity=np.where(valid, cap, 0.0),
        exposure=k.exposure[:, idx],
        risk=k.risk[:, idx],
        visibility=k.visibility[:, idx],
        unit=k.unit[:, idx],
        counts=k.counts[:, idx],
    )
    state = replace(P.state, pref_salience=np.take(P.state.pref_weight, pref_index, axis=1))
    return replace(P, slot=slot, state=state)


FLAT = {
    **{
        n: ("state", n)
        for n in (
            "domestic_opposition",
            "risk_tolerance",
            "clarity_threshold",
            "conformity",
            "capacity",
            "initial_pledge",
            "initial_kind",
            "initial_stance",
            "incentives",
            "vetoed",
            "pref_weight",
        )
    },
    **{f"kind_{n}": ("kind", n) for n in ("exposure", "risk", "visibility", "unit", "counts")},
    **{
        n: ("broker", n)
        for n in (
            "target",
            "minimum_viable",
            "engagement",
            "urgency",
            "veto_loss_cost",
            "budget",
            "max_per_state",
            "concession_cost",
        )
    },
    **{f"veto_{n}": ("veto", n) for n in ("base", "threshold")},
    **{f"host_{n}": ("host", n) for n in ("base", "threshold")},
    **{
        n: ("env", n)
        for n in (
            "consent_risk",
            "consent_incidents",
            "incident_severity",
            "incident_decay",
            "incident_perception",
            "ceasefire_threshold",
            "risk_base",
            "perception_base",
            "incident_rate_base",
            "incentive_scale_base",
            "world_hazard",
        )
    },
    **{
        n: ("decision", n)
        for n in ("hysteresis", "noise_sd", "bandwagon", "pledge_min_share", "side_payment_effect")
    },
    **{f"deploy_{n}": ("deploy", n) for n in ("lag_default", "lag", "approval_p")},
    **{f"bar_{n}": ("bar", n) for n in ("p", "u", "now")},
    **{f"shock_{n}": ("shock", n) for n in ("event_hazard", "incident_hazard")},
    "caveat_discount": ("caveat", "discount"),
}
"""Where each value the compiler collects goes: (group, field)."""

GROUP_TYPES = {
    "state": StateParams,
    "kind": KindParams,
    "broker": BrokerParams,
    "veto": ActorParams,
    "host": ActorParams,
    "env": EnvParams,
    "decision": DecisionParams,
    "deploy": DeployParams,
    "bar": BarParams,
    "shock": ShockParams,
    "caveat": CaveatParams,
}


def build(flat: dict[str, Array], slot_kind: np.ndarray, pref_index: np.ndarray) -> Params:
    """Typed parameters (run axis 1) from the compiler's collected values."""
    values: dict[str, dict[str, Array]] = {g: {} for g in GROUP_TYPES}
    for name, arr in flat.items():
        group, field = FLAT[name]
        values[group][field] = np.asarray(arr)[None]
    state = values["state"]
    state["pref_salience"] = state["pref_weight"]  # replaced by with_slots
    groups = {g: cls(**values[g]) for g, cls in GROUP_TYPES.items()}
    empty = np.zeros((1, *slot_kind.shape))
    slot = SlotParams(*(empty,) * len(fields(SlotParams)))
    return with_slots(Params(slot=slot, **groups), slot_kind, pref_index)
