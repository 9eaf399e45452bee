"""The demand search of one week in one compiled pass.

Every week each state asks which concession on the broker's open menu would bring
it in (`sim.rules.demands.each_concession`, noted by `sim.rules.decide`). Written
with numpy, that is one evaluation per concession over the runs where it is open:
veto players' acceptance and hosts' consent under the changed terms, the world
conditions, red lines, the payoff components that read a changed term, the best
free kind and its counted pledge, the caveats' share, whether the binding red
line is lifted and the clarity term opened: dozens of passes over temporary
arrays per concession, and a gather of each parameter read.

`note_all` does the same, run by run and concession by concession in the search's
order, in one compiled loop (`_search_loop`) that calls the rules' own per-run
loops (`terms.linear_row`, `red_lines.held_row`, `payoff.distance_row`,
`fused.best_of`, `caveats.share_row`, `_note_row`), so each rule is
written once for both. It keeps the numpy rules' order of floating-point
operations: the results are the same bytes (`tests/rules/test_search.py`). The
loop allocates nothing and is compiled without reference counts (`jit.bare`).
It runs where `sim.rules.jit.compiled()` says the compiled loops run; `forcegen
explain` and small ensembles use the numpy search.
"""

from __future__ import annotations

from operator import attrgetter, itemgetter

import numpy as np

from sim.rules import caveats, clarity, demands, fused, jit, payoff, red_lines, stance, terms
from sim.scenario.arrays import REQUIRES, Compiled
from sim.scenario.params import Params

COMPONENTS = ("incentives", "distance", "domestic", "risk")
"""The payoff components a concession may change, in `fresh`'s columns."""


def note_all(C: Compiled, P: Params, m, obs, now, open_, made, needs, waits, offered,
             *out) -> demands.Prospect:  # fmt: skip
    """Evaluate every open concession in every run where it is open and note what it
    would do into `out` (accept_if, liftable, demand, pledge_if, step_key), as
    `decide` does with `demands.each_concession` and `note`; return the whole open
    menu's prospect in every run, as `demands.whole_menu` does."""
    R, S = needs.shape

    def whole(a):
        return per_run(a, R)

    comp = now.comp
    social = payoff.social_sum(comp)
    cond = whole(_cond(C, obs, R))
    menu = (np.zeros((R, S)), np.zeros((R, S), bool), np.zeros((R, S)),
            np.zeros((R, len(C.veto_ids)), bool), np.zeros((R, S), bool), np.zeros((R, S), bool))  # fmt: skip
    _search_loop(
        whole(m), whole(open_), whole(made), C.concession_order, _changes(C), _fresh(C),
        np.ones(len(COMPONENTS), bool), _world_sets(C, obs), whole(obs.level),
        whole(obs.consent), cond, whole(now.binding), whole(now.vetoed), whole(needs),
        whole(waits), float(offered), *(whole(comp[k]) for k in COMPONENTS), whole(social),
        _actors(C, P), _env(C, P), _red(C), _prefs(C, P), _slots(C, P), _caveats(C, P), *out,
        menu, _buffers(C, m.shape[1], cond.shape[1]),
    )  # fmt: skip
    top, free, counted, accepts, lifts, opened = menu
    return demands.Prospect(np.arange(R), top, free, counted, accepts, lifts, opened)


def per_run(a, R: int) -> np.ndarray:
    """`a` with a row for each of R runs (a row shared by every run repeated), C-ordered:
    the compiled passes read their arrays so, and one compiled version of each serves
    every scenario. Read-only, whether or not `a` had to be repeated: the flag is part
    of a compiled version's types. An array that already has its R rows, C-ordered, is
    taken as a read-only view (numpy's `broadcast_to` costs more than the view)."""
    if isinstance(a, np.ndarray) and a.shape[:1] == (R,) and a.flags.c_contiguous:
        out = a.view()
    else:
        out = np.ascontiguousarray(np.broadcast_to(a, (R, *np.shape(a)[1:])))
    out.flags.writeable = False
    return out


def _buffers(C: Compiled, F: int, W: int) -> tuple:
    """The pass's scratch space for one evaluation: mandate row (F,), world conditions,
    acceptance, lines held, caveats granted, free slots (and no first blocking line:
    the search never reads it), payoff components (4, S), distance, incentive and
    relief scratch, then the prospect's arrays per state (share, kind, top, any free,
    counted, lifts, opened)."""
    S, K = C.slot_kind.shape
    G = len(C.caveat_cols) if caveats.declared(C) else 0
    return (
        np.empty(F), np.zeros(3 + W, np.bool_), np.zeros(len(C.veto_ids), np.bool_),
        np.ones(len(C.red["op"]), np.bool_), np.zeros(G, np.bool_), np.zeros((S, K), np.bool_),
        np.zeros((0, 0), np.int64), np.zeros((4, S)),
        (np.zeros(len(C.prefs["owner"]), np.bool_), np.zeros(len(C.incentive_lin)),
         np.zeros(S)),
        np.ones(S), np.zeros(S, np.int64), np.zeros(S), np.zeros(S, np.bool_), np.zeros(S),
        np.zeros(S, np.bool_), np.zeros(S, np.bool_),
    )  # fmt: skip


def note(j, p: demands.Prospect, needs, waits, offered, accept_if, liftable, demand,
                pledge_if, step_key) -> None:  # fmt: skip
    """What concession j would do, evaluated in the runs `p.rows`, noted
    in place: veto players' acceptance under it, the states it would free of red
    lines, the first demand it meets (a state that needs a concession, or waits on
    its clarity term and j opens it, and whose best free payoff j lifts to the offer
    level), the pledge that demand credits, and the key that ranks j among the
    concessions a state asks for first (its binding red line lifted, then payoff)."""
    at = slice(None) if len(p.rows) == needs.shape[0] else p.rows  # every run: no gather
    accept_if[at, j, :] = p.accepts
    liftable[at] |= p.free
    brings = (needs[at] | (waits[at] & p.opened)) & demands.reaches(p, offered)
    demand[at] = np.where((demand[at] < 0) & brings, j, demand[at])
    pledge_if[at, :, j] = np.where(brings, p.counted, 0.0)
    step_key[at, :, j] = np.where(p.lifts, 1e6, 0.0) + np.maximum(p.top, -1e5)


@jit.row
def _note_row(j, r, accepts, free, top, counted, lifts, opened, needs, waits, offered,
              accept_if, liftable, demand, pledge_if, step_key):  # fmt: skip
    """`note`'s rule for run r, the prospect's arrays (S,) or (V,) of that run:
    `brings` is `demands.reaches` and the ask."""
    for v in range(accepts.shape[0]):
        accept_if[r, j, v] = accepts[v]
    for s in range(free.shape[0]):
        liftable[r, s] = liftable[r, s] or free[s]
        ask = needs[r, s] or (waits[r, s] and opened[s])
        brings = ask and free[s] and top[s] >= offered
        if brings and demand[r, s] < 0:
            demand[r, s] = j
        pledge_if[r, s, j] = counted[s] if brings else 0.0
        step_key[r, s, j] = (1e6 if lifts[s] else 0.0) + max(top[s], -1e5)


@jit.row
def _whole_row(r, accepts, free, top, counted, lifts, opened, whole):
    """Run r's prospect under the whole open menu into `whole` (`demands.Prospect`'s
    top, free, counted, accepts, lifts, opened, each (R, ...))."""
    w_top, w_free, w_counted, w_accepts, w_lifts, w_opened = whole
    for v in range(accepts.shape[0]):
        w_accepts[r, v] = accepts[v]
    for s in range(free.shape[0]):
        w_top[r, s], w_free[r, s], w_counted[r, s] = top[s], free[s], counted[s]
        w_lifts[r, s], w_opened[r, s] = lifts[s], opened[s]


def _flat(items: list, columns: list) -> tuple:
    """Per-item columns of different lengths as flat arrays, then each item's start
    (items + 1,): `columns` holds (read, dtype) pairs, `read(item)` one item's column."""
    start = np.zeros(len(items) + 1, np.int64)
    start[1:] = np.cumsum([len(columns[0][0](item)) for item in items])
    flat = (
        np.concatenate([np.asarray(read(item), dtype) for item in items])
        if items
        else np.zeros(0, dtype)
        for read, dtype in columns
    )
    return (*flat, start)


def _pack(lins) -> tuple:
    """Linear effects of several actors (`Linear`) as flat arrays and each one's start."""
    names = (("cols", np.int64), ("weights", float), ("levels", np.int64), ("scale", float))
    return _flat(lins, [(attrgetter(name), dtype) for name, dtype in names])


def _changes(C: Compiled) -> tuple:
    """Each concession's changes (column, value, mode), flat, and each one's start."""
    parts = ((0, np.int64), (1, float), (2, np.int64))
    return _flat(
        C.concession_changes,
        [(lambda changes, i=i: [c[i] for c in changes], dtype) for i, dtype in parts],
    )


def _fresh(C: Compiled) -> np.ndarray:
    """(C, 4): the payoff components each concession changes (they read a column it
    changes); the others are the present terms' (`payoff.components`' `base`)."""
    out = np.zeros((len(C.concessions), len(COMPONENTS)), np.bool_)
    for j, changes in enumerate(C.concession_changes):
        changed = {col for col, _, _ in changes}
        for i, name in enumerate(COMPONENTS):
            out[j, i] = not C.component_reads[name].isdisjoint(changed)
    return out


def _world_sets(C: Compiled, obs) -> np.ndarray:
    """(C, W): the declared conditions each concession sets (`world.after_concessions`)."""
    W = len(C.world_names)
    on = obs.cond is not None and W and C.scenario.run.mechanisms.world_conditions
    if not on:
        return np.zeros((len(C.concessions), W), np.bool_)
    return (C.world_by[None, :] >= 0) & (
        C.world_by[None, :] == np.arange(len(C.concessions))[:, None]
    )


def _cond(C: Compiled, obs, R: int) -> np.ndarray:
    """(R, W) the declared conditions last week (their initial values when unknown)."""
    if obs.cond is None:
        return np.broadcast_to(C.world_initial[None, :], (R, len(C.world_names)))
    return obs.cond


def _requires(C: Compiled) -> tuple:
    """Veto players' `requires` predicates, flat, and each player's start."""
    names = (("op", np.int64), ("col", np.int64), ("value", float), ("mask", np.int64))
    return _flat(C.veto_requires, [(itemgetter(name), dtype) for name, dtype in names])


def _actors(C: Compiled, P: Params) -> tuple:
    """Veto players and hosts: effects, bases, thresholds, caveat effect, requirements."""
    effect = (
        np.asarray(C.veto_caveat_effect, float)
        if caveats.declared(C)
        else np.zeros(len(C.veto_ids))
    )
    return (
        _pack(C.veto_lin), P.veto.base, P.veto.threshold, effect, _requires(C),
        _pack(C.host_lin), P.host.base, P.host.threshold,
        bool(C.scenario.run.mechanisms.vetoes),
    )  # fmt: skip


def _env(C: Compiled, P: Params) -> tuple:
    """Perception, risk and incentives: effects and the parameters they read."""
    e, s = P.env, P.state
    tasks = C.perception_task_cols
    return (
        e.ceasefire_threshold, _pack([C.env["perception"]]), e.perception_base,
        e.incident_perception, np.array([c for c, _ in tasks], np.int64),
        np.array([w for _, w in tasks], float), C.optout, _pack([C.env["risk"]]), e.risk_base,
        e.consent_risk, _pack(C.incentive_lin), e.incentive_scale_base, s.incentives,
        s.domestic_opposition, s.risk_tolerance,
    )  # fmt: skip


def _red(C: Compiled) -> tuple:
    """Red lines as the compiled loops read them (`red_lines._held`, `_blocked_loop`)."""
    red = C.red
    L = len(red["op"])
    unless = red.get("unless")
    return (
        red["op"], red["col"], red["value"].astype(float), red["mask"], red["world"],
        np.full(L, -1) if unless is None else unless, red["caveat_ok"], red["owner"],
        red["slot_binds"] if L else np.zeros((0, C.slot_kind.shape[1]), np.bool_),
        C.caveat_lifts if caveats.declared(C) else np.zeros((0, L), np.bool_),
    )  # fmt: skip


def _prefs(C: Compiled, P: Params) -> tuple:
    """Preference entries as `payoff._distance_loop` reads them."""
    pr = C.prefs
    E = len(pr["owner"])
    excuses = C.caveat_pref if caveats.declared(C) else np.zeros((0, E), np.bool_)
    return (pr["col"], pr["opt"], excuses, pr["ideal"], pr["is_categorical"], pr["scale"],
            P.state.pref_salience, pr["owner"])  # fmt: skip


def _slots(C: Compiled, P: Params) -> tuple:
    """Each state's offered kinds, the pledge rule's constants and its clarity term."""
    s, d = P.slot, C.scenario.decision
    return (
        s.visibility, s.exposure, s.risk, s.capacity, s.unit, s.counts, stance.min_shares(P),
        float(d.pledge_full_payoff), clarity.columns(C).astype(np.int64),
        P.state.clarity_threshold,
    )  # fmt: skip


def _caveats(C: Compiled, P: Params) -> tuple:
    """Per-state caveats as `caveats._share_loop` and `perception_relief` read them."""
    return (
        caveats.declared(C), C.caveat_cols, int(C.caveat_col), C.caveat_task, C.caveat_owner,
        caveats.discounts(C, P), C.kind_in_theatre, C.slot_kind,
        np.asarray(C.caveat_perception, float),
    )  # fmt: skip


@jit.bare
def _search_loop(m, open_, made, order, changes, fresh, every, sets, level, consent, cond,
                 binding, vetoed, needs, waits, offered, inc0, dist0, dom0, risk0, social, actors,
                 env, red, prefs, slots, cav, accept_if, liftable, demand, pledge_if, step_key,
                 whole, bufs):  # fmt: skip
    """Each run, each open concession in the search's order: the prospect
    `demands.each_concession` computes, noted as `note` notes it; then the whole open
    menu at once (`demands.whole_menu`), into `whole`. Compiled without
    reference counts (`jit.bare`): it allocates nothing, `bufs` are its buffers."""
    R, S = needs.shape
    K = vetoed.shape[2]
    (vlin, vbase, vthr, veffect, vreq, hlin, hbase, hthr, vetoes_on) = actors
    (vis, exp_, rk, cap, unit, counts, min_share, full, ccols, cthr) = slots
    (declared, gcols, gcol, gtask, gowner, disc, in_theatre, slot_kind, _) = cav
    (rop, rcol, rval, rmask, rreads, runless, rcav_ok, rowner, rbinds, rlifts) = red
    ccol, cval, cmode, cstart = changes
    V, H, W, L = vbase.shape[1], hbase.shape[1], cond.shape[1], rop.shape[0]
    (row, world, accepts, ok, granted, free, no_low, comp, scratch, share, kind, top,
     anyfree, counted, lifts, opened) = bufs  # fmt: skip
    for r in range(R):
        run = (jit.at(vis, r), jit.at(exp_, r), jit.at(rk, r), jit.at(cap, r), jit.at(unit, r),
               jit.at(counts, r), jit.at(vetoed, r), free)  # fmt: skip
        vb, vt, hb, ht = jit.at(vbase, r), jit.at(vthr, r), jit.at(hbase, r), jit.at(hthr, r)
        thr = jit.at(cthr, r)
        ms = jit.at(min_share, r)
        nc = order.shape[0]
        for q in range(nc + 1):  # each concession in the search's order, then the whole menu
            j = order[q] if q < nc else -1
            if q < nc and not open_[r, j]:
                continue
            for f in range(row.shape[0]):
                row[f] = m[r, f]
            for p in range(nc):  # `terms.apply_changes`, one concession or every one not made
                i = order[p]
                if (q < nc and i != j) or (q == nc and made[r, i]):
                    continue
                for c in range(cstart[i], cstart[i + 1]):
                    x = row[ccol[c]]
                    row[ccol[c]] = (
                        min(x, cval[c])
                        if cmode[c] < 0
                        else max(x, cval[c])
                        if cmode[c] > 0
                        else cval[c]
                    )
            fr = fresh[j] if q < nc else every  # `whole_menu` computes every component
            caveats_on = row[gcol] > 0.5 if gcol >= 0 else False
            for g in range(granted.shape[0]):
                granted[g] = row[gcols[g]] > 0.5 or caveats_on
            # Veto players' acceptance and hosts' consent (`actors`).
            for v in range(V):
                a = terms.linear_row(
                    row, vlin[0], vlin[1], vlin[2], vlin[3], vlin[4][v], vlin[4][v + 1], vb[v]
                )
                if declared and veffect[v] != 0.0:
                    n = 0
                    for g in range(gcols.shape[0]):
                        if row[gcols[g]] > 0.5:
                            n += 1
                    a = a + veffect[v] * n
                else:
                    a = a + 0.0
                a = min(1.0, max(0.0, a))
                for i in range(vreq[4][v], vreq[4][v + 1]):
                    if vreq[0][i] != REQUIRES and not red_lines.holds(
                        vreq[0][i], row[vreq[1][i]], vreq[2][i], vreq[3][i]
                    ):
                        a = 0.0
                accepts[v] = a >= vt[v]
            all_consent = True
            for h in range(H):
                c_ = terms.linear_row(
                    row, hlin[0], hlin[1], hlin[2], hlin[3], hlin[4][h], hlin[4][h + 1], hb[h]
                )
                if not min(1.0, max(0.0, c_)) >= ht[h]:
                    all_consent = False
            # World conditions (`demands.world_conditions`) and red lines held.
            world[0] = level[r] <= jit.at(env[0], r)
            world[1] = all_consent
            world[2] = accepts.all() or not vetoes_on
            for w in range(W):
                sets_w = sets[j, w] if q < nc else False
                for p in range(nc if q == nc else 0):  # a condition a concession not made sets
                    sets_w = sets_w or (sets[order[p], w] and not made[r, order[p]])
                world[3 + w] = cond[r, w] or sets_w
            red_lines.held_row(row, world, rop, rcol, rval, rmask, rreads, runless, rcav_ok,
                               caveats_on, granted, rlifts, ok)  # fmt: skip
            # Payoff components a changed column reads (`payoff.components`).
            _components(row, r, fr, caveats_on, granted, level[r], consent[r], env, prefs,
                        cav, scratch, comp, inc0, dist0, dom0, risk0)  # fmt: skip
            for s in range(S):
                for k in range(K):
                    free[s, k] = run[3][s, k] >= run[4][s, k]
            red_lines.blocked_row(ok, rowner, rbinds, free, False, no_low)
            for s in range(S):
                # A component the changes do not touch is the present terms' (`fr`).
                b, top[s], anyfree[s], counted[s] = fused.best_of(
                    run, s, comp[0, s] if fr[0] else inc0[r, s],
                    (comp[1, s] if fr[1] else dist0[r, s]) + (comp[2, s] if fr[2] else dom0[r, s]),
                    comp[3, s] if fr[3] else risk0[r, s], social[r, s], ms, offered, full,
                )  # fmt: skip
                kind[s] = slot_kind[s, b]
                lifts[s] = binding[r, s] >= 0 and ok[binding[r, s]] if L else False
                opened[s] = row[ccols[s]] >= thr[s]
            if declared:
                for s in range(S):
                    share[s] = 1.0
                caveats.share_row(row, gcols, gcol, gtask, gowner, jit.at(disc, r), in_theatre,
                                  kind, share)  # fmt: skip
                for s in range(S):
                    counted[s] = counted[s] * share[s]
            if q < nc:
                _note_row(j, r, accepts, anyfree, top, counted, lifts, opened, needs, waits,
                          offered, accept_if, liftable, demand, pledge_if, step_key)  # fmt: skip
            else:
                _whole_row(r, accepts, anyfree, top, counted, lifts, opened, whole)


@jit.row
def _components(row, r, fr, caveats_on, granted, level, consent, env, prefs, cav, scratch,
                comp, inc0, dist0, dom0, risk0):  # fmt: skip
    """The payoff components of run r that the changes touch (`fr`, 4 flags), into
    `comp` (4, S), as `payoff.components` computes them; the caller takes the others
    from the present terms (`payoff.components`' `base`)."""
    (_, plin, pbase, pinc, tcol, tw, optout, rlin, rbase, crisk, ilin, ibase, iweights,
     opposition, tolerance) = env  # fmt: skip
    (pcol, popt, pexcuses, pideal, pcat, pscale, psal, powner) = prefs
    (declared, gcols, _, gtask, gowner, _, _, _, gperc) = cav
    excused, scales, relief = scratch
    S = comp.shape[1]
    if fr[0]:
        ib = jit.at(ibase, r)
        for n in range(scales.shape[0]):
            scales[n] = terms.linear_row(
                row, ilin[0], ilin[1], ilin[2], ilin[3], ilin[4][n], ilin[4][n + 1], ib[n]
            )
        payoff.incentives_row(jit.at(iweights, r), scales, comp[0])
    if fr[1]:
        for s in range(S):
            comp[1, s] = 0.0
        if pcol.shape[0]:
            w = r if psal.shape[0] > 1 else 0
            payoff.distance_row(row, pcol, popt, caveats_on, granted, pexcuses, pideal, pcat, pscale,
                                psal, w, powner, excused, comp, 1)  # fmt: skip
    if fr[2]:
        base = terms.linear_row(
            row, plin[0], plin[1], plin[2], plin[3], 0, plin[0].shape[0], jit.at(pbase, r)
        )
        base = base + jit.at(pinc, r) * level
        for s in range(S):
            p = 0.0 + base
            for t in range(tcol.shape[0]):
                relief_t = tw[t] * row[tcol[t]] if caveats_on else 0.0
                p = p - relief_t * (1.0 if optout[s, tcol[t]] else 0.0)
            comp[2, s] = p
        if declared:  # `caveats.perception_relief`
            relief[:] = 0.0
            for g in range(gcols.shape[0]):
                if gperc[g] != 0:
                    o = gowner[g]
                    relief[o] = relief[o] + (gperc[g] * row[gtask[g]] if granted[g] else 0.0)
            for s in range(S):
                comp[2, s] = comp[2, s] - relief[s]
        opp = jit.at(opposition, r)
        for s in range(S):
            comp[2, s] = opp[s] * comp[2, s]
    if fr[3]:
        rr = terms.linear_row(
            row, rlin[0], rlin[1], rlin[2], rlin[3], 0, rlin[0].shape[0], jit.at(rbase, r)
        )
        rr = rr + jit.at(crisk, r) * (1.0 - consent) + level
        tol = jit.at(tolerance, r)
        for s in range(S):
            comp[3, s] = (1.0 - tol[s]) * rr
