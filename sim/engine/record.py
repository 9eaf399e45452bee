"""The tidy tables both engines fill.

Per-round, per-state detail is kept for the first `detail` runs only; run-level
rows, per-round force and acceptance (for the bands), commitments per state and
kind, and coalition counts cover every run. Memory therefore grows with runs
only through one row per run and a (runs x rounds) float array per band series.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING

import numpy as np

from sim.engine.draws import watched
from sim.rules import deployment, packages, short_axis, vetoes, withdrawal
from sim.scenario.arrays import COMMITTED, OUTCOMES, STANCES, Compiled

if TYPE_CHECKING:  # pandas is imported where tables are built, not by the runs
    import pandas as pd

COMPONENTS = (
    "incentives",
    "distance",
    "domestic",
    "risk",
    "conformity",
    "bandwagon",
    "side_payment",
    "noise",
)


VOTES = {-1: "", 0: "failed", 1: "passed"}
"""A contingent's approval vote as the deployments table writes it."""


@dataclass
class RoundView:
    """One round of a batch of runs, as the recorder needs it."""

    runs: np.ndarray  # global run ids (R,)
    t: int
    dec: object  # rules.decide.Decision
    counted: np.ndarray
    mandate: np.ndarray
    force: np.ndarray
    accept: np.ndarray
    accepts: np.ndarray
    consent: np.ndarray
    incidents: np.ndarray
    level: np.ndarray
    concession: np.ndarray
    side_paid_to: np.ndarray
    cond: np.ndarray | None = None  # (R, W) declared world conditions at the week's end
    barred: np.ndarray | None = None  # (R|1, S, K) kinds vetoed this week
    parts_counted: np.ndarray | None = None  # (R, S, Kmax) package parts counted
    veto_demand: np.ndarray | None = None  # (R, V) concession each veto player asks for, -1

    def take(self, rows: np.ndarray) -> RoundView:
        """The view of the runs at `rows` (indices): each array with a row per run taken
        at them, the decision's too; an array every run shares ((1, ...)) stays shared."""
        R = len(self.runs)

        def pick(a):
            if isinstance(a, dict):
                return {k: pick(x) for k, x in a.items()}
            return a[rows] if isinstance(a, np.ndarray) and a.ndim and a.shape[0] == R else a

        dec = replace(
            self.dec, **{f.name: pick(getattr(self.dec, f.name)) for f in fields(self.dec)}
        )
        taken = {f.name: pick(getattr(self, f.name)) for f in fields(self) if f.name != "dec"}
        return replace(self, **taken, dec=dec)


TABLES = ("runs", "deployments", "rounds", "states", "commits", "coalitions", "bands", "params")
"""The tidy tables a recorder gives (`Recorder.tables`)."""

SHOCK_COLUMNS = ("suspended_weeks", "suspended", "withdrawn_week", "withdrawn_by")
"""A contingent's suspensions and withdrawal in the deployments table (`_shocked`)."""
DEPLOY_COLUMNS = ("run", "state", "kind", "pledge", "package", "approval", "arrival_week",
                  *SHOCK_COLUMNS)  # fmt: skip
"""The deployments table's columns, in order: one row per contingent of a formed run."""

RUN_COLUMNS = ("run", "outcome", "rounds", "force", "coalition", "concessions", "side_payments",
               "rejected_by", "deployed_week", "deployed_force")  # fmt: skip
"""The runs table's columns, in order."""


def _by_index(names) -> np.ndarray:
    """Names by index, '' at index -1 (none): a column of codes read as text in one take."""
    return np.array([*names, ""], dtype=object)


def _patterns(rows: np.ndarray, text) -> list[str]:
    """`text(columns set in the row)` for each row of a boolean array, computed once per
    distinct row (coalitions, veto players rejecting: few patterns, many runs)."""
    return _distinct(rows, lambda row: text(np.flatnonzero(row)))


def _distinct(rows: np.ndarray, text) -> list[str]:
    """`text(row)` for each row of a 2-D array of integers or booleans, computed once
    per distinct row. Rows are told apart by their bytes, each row one opaque item
    (ten times faster than `np.unique(axis=0)`, which compares column by column)."""
    if not len(rows) or not rows.shape[1]:
        return [text(np.zeros(0, rows.dtype))] * len(rows)
    whole = np.ascontiguousarray(rows)
    keys = whole.view(np.dtype((np.void, whole.dtype.itemsize * whole.shape[1]))).reshape(-1)
    _, first, which = np.unique(keys, return_index=True, return_inverse=True)
    names = [text(whole[i]) for i in first]
    return [names[k] for k in which.reshape(-1)]


class Recorder:
    """Collects rows and aggregates as the engines step, then builds the tables."""

    def __init__(
        self, C: Compiled, runs: int, detail: int, first: int = 0, count: int | None = None
    ):
        """Record runs first .. first+count-1 of an ensemble of `runs` runs."""
        self.C = C
        self.runs = runs
        self.detail = min(detail, runs)
        self.first = first
        count = runs - first if count is None else count
        T = C.scenario.broker.deadline
        self.force = np.zeros((count, T))
        self.deployed = np.zeros((count, watched(C)))  # deployed strength, weeks 1..H
        self.deploy_cols: dict[str, list] = {name: [] for name in DEPLOY_COLUMNS}
        self.accept = np.zeros((len(C.veto_ids), count, T))
        self.state_rows: list[dict] = []  # columns of the states table, week by week
        self.round_rows: list[dict] = []  # columns of the rounds table, week by week
        self.run_cols: dict[str, list] = {name: [] for name in RUN_COLUMNS}
        self.commits = np.zeros((len(C.states), len(C.kinds)), np.int64)
        self.leads = np.zeros((len(C.states), len(C.kinds)), np.int64)  # as the lead kind
        self.pledges = np.zeros((len(C.states), len(C.kinds)))
        self.coalitions: Counter = Counter()
        self.outcomes = np.zeros(len(OUTCOMES), np.int64)
        self.drawn: list[tuple[np.ndarray, np.ndarray]] = []  # (run ids, values) per batch
        self._kind_names, self._state_names = _by_index(C.kinds), _by_index(C.states)
        self._red_names, self._concession_names = _by_index(C.red_ids), _by_index(C.concessions)
        # the event that withdrew a contingent, `incident` at INCIDENT (-2), '' at NEVER (-1)
        self._shock_causes = _by_index([*C.event_names, "incident"])

    def merge(self, other: Recorder) -> None:
        """Add another recorder's runs (computed elsewhere, e.g. in a worker process).

        Every run is recorded by exactly one recorder and tables are sorted by run
        at the end, so the merged tables do not depend on how runs were split.
        """
        rows = slice(other.first - self.first, other.first - self.first + other.force.shape[0])
        self.force[rows] = other.force
        self.deployed[rows] = other.deployed
        for name, values in other.deploy_cols.items():
            self.deploy_cols[name] += values
        self.accept[:, rows] = other.accept
        self.state_rows += other.state_rows
        self.round_rows += other.round_rows
        for name, values in other.run_cols.items():
            self.run_cols[name] += values
        self.commits += other.commits
        self.leads += other.leads
        self.pledges += other.pledges
        self.coalitions.update(other.coalitions)
        self.outcomes += other.outcomes
        self.drawn += other.drawn

    def round(self, v: RoundView) -> None:
        """Record one round for the runs in the view."""
        at = v.runs - self.first
        self.force[at, v.t - 1] = v.force
        for j in range(len(self.C.veto_ids)):
            self.accept[j, at, v.t - 1] = v.accept[:, j]
        sel = np.flatnonzero(v.runs < self.detail)
        if len(sel):
            self._detail(v, sel)

    def _detail(self, v: RoundView, sel: np.ndarray) -> None:
        C, dec = self.C, v.dec
        S = len(C.states)
        n = len(sel)
        row = {
            "run": np.repeat(v.runs[sel], S),
            "round": np.full(n * S, v.t),
            "state": np.tile(np.array(C.states, dtype=object), n),
            "stance": np.array(STANCES, dtype=object)[dec.stance[sel]].ravel(),
            "kind": self._kind_names[dec.kind[sel]].ravel(),
            "pledge": dec.pledge[sel].ravel(),
            "package": self._package_text(dec.parts, sel),
            "counted": v.counted[sel].ravel(),
            "package_counted": self._package_counted(v.parts_counted, sel),
            "payoff": dec.payoff[sel].ravel(),
        }
        for name in COMPONENTS:
            row[name] = np.broadcast_to(dec.components[name][sel], (n, S)).ravel()
        row["binding_red_line"] = self._red_names[dec.binding[sel]].ravel()
        row["demand"] = self._concession_names[dec.demand[sel]].ravel()
        row["vetoed"] = self._vetoed(v, sel).ravel()
        self.state_rows.append(row)
        self.round_rows.append(self._round_cols(v, sel))

    def _package_text(self, parts, sel: np.ndarray) -> np.ndarray:
        """(n * S,): each state's package parts besides its lead kind, `kind:size;...`."""
        S = len(self.C.states)
        if parts is None or not packages.declared(self.C):
            return np.full(len(sel) * S, "", dtype=object)
        rows = parts[sel].reshape(len(sel) * S, -1)
        return np.array(self._texts(rows, np.tile(np.arange(S), len(sel))), dtype=object)

    def _texts(self, rows: np.ndarray, states: np.ndarray) -> list[str]:
        """`packages.text` of each row of parts (n, Kmax), row k of state `states[k]`;
        '' for a row with none (most states pledge no package), computed only for others."""
        out = [""] * len(rows)
        for at in np.flatnonzero((rows > 0).any(axis=1)).tolist():
            out[at] = packages.text(self.C, rows[at], int(states[at]))
        return out

    def _package_counted(self, parts_counted, sel: np.ndarray) -> np.ndarray:
        """(n * S,): the strength of each state's package parts counted toward the
        target, at their caveats' share (the lead kind's is `pledge` when `counted`)."""
        if parts_counted is None:
            return np.zeros(len(sel) * len(self.C.states))
        return short_axis.sum_last(parts_counted[sel]).ravel()

    def _vetoed(self, v: RoundView, sel: np.ndarray) -> np.ndarray:
        """(n, S): a veto bars the state's pledge this week (its kind's, or any kind's
        while it pledges none)."""
        mech = self.C.scenario.run.mechanisms
        barred = v.barred if v.barred is not None else self.C.params.bar.now
        barred = np.broadcast_to(barred & bool(mech.vetoes), (len(v.runs), *barred.shape[1:]))[sel]
        kind = v.dec.kind[sel]
        return np.where(kind >= 0, vetoes.at_kind(barred, kind), short_axis.any_last(barred))

    def _all_parts_by_kind(self, parts) -> np.ndarray:
        """(R, S, K): every run's package parts over the kind vocabulary."""
        if not packages.declared(self.C):
            return np.zeros((parts.shape[0], len(self.C.states), len(self.C.kinds)))
        return packages.by_kind(self.C, parts)

    def _round_cols(self, v: RoundView, sel: np.ndarray) -> dict[str, np.ndarray]:
        """The rounds table's columns for runs `sel` of the view: one row per run."""
        C, dec, cons = self.C, v.dec, self._concession_names
        n = len(sel)
        stance, kind, pledge = dec.stance[sel], dec.kind[sel], dec.pledge[sel]
        committed = stance == COMMITTED
        out = {
            "run": v.runs[sel].astype(np.int64),
            "round": np.full(n, v.t, np.int64),
            "clarity": v.mandate[sel, C.cols.col[C.scenario.force.clarity_term]].astype(float),
            "force": np.asarray(v.force, float)[sel],
            "committed": committed.sum(axis=1).astype(np.int64),
        }
        extra = self._all_parts_by_kind(dec.parts[sel]) if dec.parts is not None else None
        for k, kind_name in enumerate(C.kinds):
            mask = committed & (kind == k)
            total = np.where(mask, pledge, 0.0).sum(axis=1)
            if extra is not None:
                total = total + np.where(committed, extra[:, :, k], 0.0).sum(axis=1)
            out[f"pledged.{kind_name}"] = total
        for term, values in C.cols.decode_columns(v.mandate[sel]).items():
            out[f"term.{term}"] = values
        demand = v.veto_demand[sel] if v.veto_demand is not None else None
        for j, vid in enumerate(C.veto_ids):
            out[f"accept.{vid}"] = v.accept[sel, j].astype(float)
            out[f"accepts.{vid}"] = v.accepts[sel, j].astype(bool)
            out[f"demand.{vid}"] = cons[demand[:, j] if demand is not None else np.full(n, -1)]
        for h, hid in enumerate(C.host_ids):
            out[f"consent.{hid}"] = v.consent[sel, h].astype(float)
        out["incidents"] = np.asarray(v.incidents)[sel].astype(np.int64)
        out["incident_level"] = np.asarray(v.level, float)[sel]
        out["concession"] = cons[v.concession[sel]]
        out["side_payment_to"] = self._state_names[v.side_paid_to[sel]]
        for j, name in enumerate(C.world_names):
            out[f"world.{name}"] = v.cond[sel, j].astype(bool)
        return out

    def finish(
        self,
        runs,
        outcome,
        end,
        force,
        stance,
        kind,
        pledge,
        counted,
        made_round,
        spent,
        accepts,
        drawn=None,
        arrivals=None,
        parts=None,
    ):
        """Record the end of a batch of runs (and the values they drew, for params.csv;
        when their contingents arrived, `sim.rules.deployment`; and their package
        parts and what of them counts, `sim.rules.packages`)."""
        C = self.C
        if drawn is not None:
            self.drawn.append((np.asarray(runs), drawn))
        if parts is None:
            S, Kmax = C.slot_kind.shape
            parts = (np.zeros((len(runs), S, Kmax)),) * 2
        whole = packages.contingent(C, pledge, counted, kind, *parts)
        first = self._deployment(runs, arrivals, kind, pledge, whole, parts[0])
        counted = whole[1]
        extras = self._all_parts_by_kind(parts[0])
        at = np.asarray(runs) - self.first
        T = self.force.shape[1]
        after = np.arange(T)[None, :] >= end[:, None]  # each run's weeks from its end on
        self.force[at] = np.where(after, force[:, None], self.force[at])
        last = (end - 1) % T  # the week before the end (the last week for a run never begun)
        for j in range(len(C.veto_ids)):
            held = self.accept[j, at, last]
            self.accept[j, at] = np.where(after, held[:, None], self.accept[j, at])
        self._count(stance, kind, pledge, extras)
        keys = _patterns(counted, lambda row: ";".join(sorted(C.states[s] for s in row)))
        self.coalitions.update(keys)
        np.add.at(self.outcomes, outcome, 1)
        cols = self.run_cols
        cols["run"] += [int(r) for r in runs]
        cols["outcome"] += [OUTCOMES[o] for o in outcome]
        cols["rounds"] += np.minimum(end, T).tolist()
        cols["force"] += np.asarray(force, float).tolist()
        cols["coalition"] += keys
        cols["concessions"] += _distinct(np.asarray(made_round), self._made)
        cols["side_payments"] += np.asarray(spent, float).tolist()
        cols["rejected_by"] += _patterns(~accepts, lambda row: ";".join(C.veto_ids[j] for j in row))
        cols["deployed_week"] += np.asarray(first).tolist()
        cols["deployed_force"] += self.deployed[at, -1].tolist()

    def _count(self, stance, kind, pledge, extras) -> None:
        """Add each committed state's lead kind, its pledge and its package parts to the
        commits, leads and pledges counts (sizes are whole numbers of personnel, so
        their sums do not depend on the order they are added in)."""
        i, s = np.nonzero(stance == COMMITTED)
        k = kind[i, s]
        np.add.at(self.commits, (s, k), 1)
        np.add.at(self.leads, (s, k), 1)
        np.add.at(self.pledges, (s, k), pledge[i, s])
        np.add.at(self.commits, s, (extras[i, s] > 0).astype(np.int64))
        np.add.at(self.pledges, s, extras[i, s])

    def _made(self, made_round: np.ndarray) -> str:
        """One run's concessions in the order made (ties by name): `name@week;...`."""
        if not (made_round >= 0).any():
            return ""
        names = self.C.concessions
        made = sorted((int(t), names[j]) for j, t in enumerate(made_round) if t >= 0)
        return ";".join(f"{c}@{t}" for t, c in made)

    def _deployment(self, runs, arrivals, kind, pledge, whole, parts) -> np.ndarray:
        """Deployed strength per week and one row per contingent of a formed run (its
        lead kind and pledge, and its package parts); return each run's first
        arrival week (-1 for none). `whole` is the contingents' (size, counted,
        kind) from `sim.rules.packages.contingent`."""
        size, counted = whole[0], whole[1]
        C = self.C
        at = np.asarray(runs) - self.first
        H = self.deployed.shape[1]
        in_theatre = C.scenario.force.in_theatre
        if arrivals is None:
            self.deployed[at] = in_theatre
            return np.full(len(runs), -1)
        hit = arrivals.shocks
        present = hit.present if hit is not None else None
        self.deployed[at] = deployment.strength(
            arrivals.week, size, counted, in_theatre, H, present
        )
        rows = (arrivals.week >= 0) | (arrivals.vote >= 0)
        if hit is not None:
            rows |= (hit.withdrawn >= 0) | hit.suspended.any(axis=2)
        i, s = np.nonzero(rows)  # the contingents, in run then state order
        cols = self.deploy_cols
        cols["run"] += np.asarray(runs)[i].tolist()
        cols["state"] += np.array(C.states, dtype=object)[s].tolist()
        cols["kind"] += self._kind_names[kind[i, s]].tolist()
        cols["pledge"] += np.asarray(pledge[i, s], float).tolist()
        cols["package"] += self._texts(parts[i, s], s)
        cols["approval"] += [VOTES[v] for v in arrivals.vote[i, s].tolist()]
        cols["arrival_week"] += [w if w >= 0 else None for w in arrivals.week[i, s].tolist()]
        for name, values in self._shocked(hit, i, s).items():
            cols[name] += values
        return arrivals.first()

    def _shocked(self, hit, i: np.ndarray, s: np.ndarray) -> dict[str, list]:
        """The contingents' (runs `i`, states `s`) suspensions (weeks, and spells
        `from-to;...`) and withdrawal (week, and by which event or `incident`),
        `sim.rules.withdrawal`: a list per column of `SHOCK_COLUMNS`."""
        n = len(i)
        if hit is None:
            return {"suspended_weeks": [0] * n, "suspended": [""] * n,
                    "withdrawn_week": [None] * n, "withdrawn_by": [""] * n}  # fmt: skip
        held = hit.suspended[i, s]  # (n, H)
        spells = [""] * n
        for at in np.flatnonzero(held.any(axis=1)).tolist():  # few contingents are suspended
            spells[at] = ";".join(f"{a}-{b}" for a, b in withdrawal.spells(held[at]))
        return {
            "suspended_weeks": held.sum(axis=1).astype(np.int64).tolist(),
            "suspended": spells,
            "withdrawn_week": [w if w >= 0 else None for w in hit.withdrawn[i, s].tolist()],
            "withdrawn_by": self._shock_causes[hit.by[i, s]].tolist(),
        }

    def tables(self, names: tuple[str, ...] = TABLES) -> dict[str, pd.DataFrame]:
        """The tidy tables, sorted by run (and round, state) whatever the engine; only
        those in `names` (a sweep's point keeps runs, commits and states). Built by
        `sim.engine.tables`, imported here: the runs need no pandas (a forked helper
        runs them while this process imports it, `sim.fork`)."""
        from sim.engine.tables import build

        return build(self, names)

    @property
    def recorded(self) -> int:
        """Runs whose end is recorded."""
        return len(self.run_cols["run"])
