"""The mandate as the states see it, now and under each concession on the menu.

`present` evaluates the terms as they stand (payoff per kind, red lines, the
best free kind, the binding red line); `each_concession` and `whole_menu`
evaluate them with one open concession made, or the whole open menu at once.
The state decision rule (`sim.rules.decide`) reads its demands from them every
round, and `forcegen explain` asks them which concession would flip a state:
the search is written here, with the rules' functions. Where the compiled loops
run, `sim.rules.search` runs the same search in one compiled pass built from the
rules' per-run loops, and `tests/rules/test_search.py` checks both give the same
bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from sim.rules import actors, caveats, clarity, fused, kinds, payoff, red_lines, short_axis, vetoes
from sim.rules.terms import apply_changes, changes_anything
from sim.rules.world import after_concessions
from sim.rules.world import columns as declared_conditions
from sim.scenario.arrays import Compiled
from sim.scenario.params import Params

NEG = -np.inf


def world_conditions(
    C: Compiled, P: Params, m, level, consent_ok, accepts, cond=None
) -> np.ndarray:
    """(R, 3 + W): ceasefire holding, hosts consenting, veto players accepting, then
    the conditions the scenario declares under `world:` (`cond`, (R, W); their
    initial values when not given).

    With the veto mechanism off, veto players' acceptance is taken as given.
    """
    holding = level <= P.env.ceasefire_threshold
    accepted = vetoes.mandate_accepted(accepts, C.scenario.run.mechanisms)
    built_in = np.stack([holding, consent_ok, accepted], axis=1)
    if not len(C.world_names):
        return built_in
    return np.concatenate([built_in, declared_conditions(C, cond, len(level))], axis=1)


def counted_pledge(C: Compiled, P: Params, comp, free, vetoed, m=None):
    """Pledge a state would make at its best free kind, counted toward the target (at
    its caveats' discount under the mandate `m`, `sim.rules.caveats`), from the
    payoff components `comp`: (best slot, its payoff, any kind free, the pledge).
    One compiled pass where numba is installed (`sim.rules.fused`)."""
    d = C.scenario.decision
    best, top, anyfree, size = fused.best_pledge(
        comp, P, free, vetoed, d.thresholds.offered, d.pledge_full_payoff
    )
    if m is not None and caveats.declared(C):
        size = size * caveats.share(C, P, m, kinds.to_kind(C, best))
    return best, top, anyfree, size


def evaluate(
    C,
    P,
    m,
    obs: payoff.Observed,
    soc,
    world,
    first: bool = False,
    base=None,
    changed=(),
    u=True,
    ok=None,
):
    """Payoff components, payoff per kind (None without `u`) and red-line blocks under
    a mandate (from `ok`, the red lines held, when the caller has them)."""
    comp = payoff.components(C, P, m, obs, soc, base, changed)
    by_kind = payoff.by_kind(comp, P) if u else None
    blocked, first = red_lines.blocked(C, m, world, payoff.opted_out(C, m), first, ok)
    return comp, by_kind, blocked, first


@dataclass(frozen=True)
class Present:
    """What the states see on the terms as they stand (arrays (R, S) unless noted)."""

    world: np.ndarray  # (R, 3 + W) world conditions of red lines
    soc: dict[str, np.ndarray]  # the payoff components that do not read the mandate
    comp: dict[str, np.ndarray]  # every payoff component
    u: np.ndarray  # (R, S, Kmax) payoff per offered kind
    has_cap: np.ndarray  # (1|R, S, Kmax) the state offers the kind
    free: np.ndarray  # (R, S, Kmax) offered and free of red lines
    best: np.ndarray  # slot of the best free kind
    top: np.ndarray  # its payoff (-inf when no kind is free)
    anyfree: np.ndarray  # some kind is free
    ideal: np.ndarray  # slot of the best offered kind, red lines ignored
    binding: np.ndarray  # index of the binding red line, -1 when none
    vetoed: np.ndarray  # (1|R, S, Kmax) offered kinds whose pledges a veto player refuses

    @property
    def shown(self) -> np.ndarray:
        """The slot whose payoff the tables show: best free kind, else the ideal one."""
        return np.where(self.anyfree, self.best, self.ideal)


def present(
    C: Compiled, P: Params, m, obs: payoff.Observed, noise, mech, accepts, consent_ok
) -> Present:
    """Evaluate the mandate `m` as the states see it, with the world of last round."""
    vetoed = vetoes.at_slots(C, vetoes.vetoed(P, mech))
    world = world_conditions(C, P, m, obs.level, consent_ok, accepts, obs.cond)
    soc = payoff.social(C, P, obs, noise, mech)
    comp, u, blocked, first = evaluate(C, P, m, obs, soc, world, first=True)
    has_cap = P.slot.capacity >= P.slot.unit
    free = has_cap & ~blocked
    best, top, anyfree = kinds.best_slot(u, free)
    ideal = short_axis.argmax_last(np.where(has_cap, u, NEG))
    binding = np.where(kinds.pick(free, ideal), -1, kinds.pick(first, ideal))
    return Present(world, soc, comp, u, has_cap, free, best, top, anyfree, ideal, binding, vetoed)


def open_menu(C: Compiled, m: np.ndarray, made: np.ndarray) -> np.ndarray:
    """(R, C): concessions not made yet that would change the mandate as it stands."""
    out = np.zeros((m.shape[0], len(C.concessions)), bool)
    for j in range(len(C.concessions)):
        out[:, j] = ~made[:, j] & changes_anything(m, C.concession_changes[j])
    return out


@dataclass(frozen=True)
class Prospect:
    """The states under a changed mandate, in the runs it was evaluated in."""

    rows: np.ndarray  # (r,) the runs evaluated
    top: np.ndarray  # (r, S) payoff of the best free kind (-inf when none is free)
    free: np.ndarray  # (r, S) some kind is free of red lines
    counted: np.ndarray  # (r, S) counted pledge at the best free kind
    accepts: np.ndarray  # (r, V) veto players accepting
    lifts: np.ndarray  # (r, S) the binding red line is met
    opened: np.ndarray | None = None  # (r, S) the state's clarity term reaches its threshold


def reaches(p: Prospect, level) -> np.ndarray:
    """(r, S): some kind is free and the best free payoff reaches `level`."""
    return p.free & (p.top >= level)


def each_concession(
    C: Compiled, P: Params, m, obs: payoff.Observed, now: Present, open_: np.ndarray
) -> Iterator[tuple[int, Prospect]]:
    """Each concession in the order of the menu's search (fewest changes, lowest cost,
    menu order), evaluated in the runs where it is open: acceptance, consent, red
    lines and payoffs under the changed mandate. Payoff components that read none
    of the changed columns are taken from the present terms."""
    R = m.shape[0]
    for j in C.concession_order:
        rows = np.flatnonzero(open_[:, j])
        if not len(rows):
            continue
        Pj, obs_j, soc_j = _rows(P, obs, now.soc, rows, R)
        mj = apply_changes(m[rows], C.concession_changes[j])
        _, acc_j = actors.acceptance(C, Pj, mj)
        _, consent_j = actors.consent(C, Pj, mj)
        cond_j = after_concessions(C, obs_j.cond, np.arange(len(C.concessions)) == j)
        world_j = world_conditions(C, Pj, mj, obs_j.level, consent_j, acc_j, cond_j)
        base_j = now.comp if len(rows) == R else {k: v[rows] for k, v in now.comp.items()}
        changed = {col for col, _, _ in C.concession_changes[j]}
        ok_j = red_lines.held(C, mj, world_j)
        comp_j, _, blocked_j, _ = evaluate(
            C, Pj, mj, obs_j, soc_j, world_j, base=base_j, changed=changed, u=False, ok=ok_j
        )
        free_j = (Pj.slot.capacity >= Pj.slot.unit) & ~blocked_j
        vetoed_j = now.vetoed[rows] if now.vetoed.shape[0] > 1 else now.vetoed
        _, top_j, any_j, size_j = counted_pledge(C, Pj, comp_j, free_j, vetoed_j, mj)
        lifts = _lifts(C, ok_j, now.binding[rows])
        yield j, Prospect(rows, top_j, any_j, size_j, acc_j, lifts, clarity.opened(C, Pj, mj))


def whole_menu(
    C: Compiled, P: Params, m, obs: payoff.Observed, now: Present, made: np.ndarray
) -> Prospect:
    """Every concession not made yet, applied at once (in the order of the search)."""
    m_all = m.copy()
    for j in C.concession_order:
        rows = ~made[:, j]
        m_all[rows] = apply_changes(m_all[rows], C.concession_changes[j])
    _, acc = actors.acceptance(C, P, m_all)
    _, consent = actors.consent(C, P, m_all)
    cond = after_concessions(C, obs.cond, ~made)
    world = world_conditions(C, P, m_all, obs.level, consent, acc, cond)
    ok = red_lines.held(C, m_all, world)
    comp, _, blocked, _ = evaluate(C, P, m_all, obs, now.soc, world, u=False, ok=ok)
    free = now.has_cap & ~blocked
    _, top, anyfree, size = counted_pledge(C, P, comp, free, now.vetoed, m_all)
    lifts = _lifts(C, ok, now.binding)
    opened = clarity.opened(C, P, m_all)
    return Prospect(np.arange(m.shape[0]), top, anyfree, size, acc, lifts, opened)


def _rows(P: Params, obs: payoff.Observed, soc: dict, rows: np.ndarray, R: int):
    """Parameters, observations and social components of a subset of runs."""
    if len(rows) == R:
        return P, obs, soc
    Pj = P.gathered(rows)  # a concession's evaluation reads a few of them
    obs_j = payoff.Observed(
        *(
            None if getattr(obs, f) is None else getattr(obs, f)[rows]
            for f in payoff.Observed.__dataclass_fields__
        )
    )
    return Pj, obs_j, {k: v[rows] for k, v in soc.items()}


def _lifts(C: Compiled, ok: np.ndarray, binding) -> np.ndarray:
    """Whether each state's binding red line is held (R, S), from the lines held `ok`
    (R, L) under the changed mandate (`red_lines.held`)."""
    if not len(C.red_ids):
        return np.zeros(binding.shape, bool)
    R, L = ok.shape  # each state's binding line, taken at flat offsets (as `kinds.pick`)
    at = np.arange(R)[:, None] * L + np.maximum(binding, 0)
    return np.ascontiguousarray(ok).reshape(-1).take(at) & (binding >= 0)
