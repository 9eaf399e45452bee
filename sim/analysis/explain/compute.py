"""The explanation of one state in one run, computed from a replay of the run.

The run is replayed with the Mesa model (`sim.engine.trace`), which gives the
same numbers as the ensemble for the same seed and run. The week's facts are
read from the run's tidy tables; what the tables do not hold (every red line
that binds, not only the first; the kind the payoff is shown for; which
concession would flip the state) is read from the rules' own evaluation of
that week (`sim.rules.demands`), on the inputs the decision was made on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.charts import waterfall
from sim.engine.trace import Snapshot, Trace
from sim.rules import caveats, demands, red_lines, stated, vetoes
from sim.rules import clarity as gates
from sim.scenario.arrays import STANCES, Compiled
from sim.scenario.params import Params

DETAIL = 50
"""Detail runs of the ensemble that picks the representative run (as `forcegen run`)."""


@dataclass
class Flip:
    """The concession that would move a state up: what, how far, at what price."""

    concession: str | None  # a concession id; None when nothing on the menu would
    how: str  # "demand", "menu" (smallest single), "bundle" (only the whole menu), "none"
    to: str = ""  # the stance it would reach
    payoff: float = float("nan")
    veto_losses: list[str] = field(default_factory=list)  # veto players who would then reject
    lifts: str | None = None  # when nothing brings it in: a concession that frees a kind
    lifted_payoff: float = float("nan")  # the payoff it would then have


@dataclass
class Week:
    """One week of one state."""

    week: int
    stance: str
    kind: str  # kind pledged ("" when none)
    pledge: float
    counted: bool
    considered: str  # kind the payoff is shown for
    payoff: float
    components: dict[str, float]
    binding: str  # red line id, "" when none (the first of `bindings`, as in states.csv)
    clarity: float
    gate_open: bool
    conformity: float
    peers_committed: list[str]
    peers_declined: list[str]
    demand: str
    flip: Flip | None
    vetoed: bool
    bindings: list[str] = field(default_factory=list)  # every red line that binds, in order
    held: bool = False  # kept the offer stated in the record (`sim.rules.stated`)
    clarity_term: str = ""  # the term whose clarity gates the state (its own or the force's)
    share: float = 1.0  # share of the pledge that counts: 1 less its caveats' discounts
    package: str = ""  # package parts besides the lead kind, `kind:size;...` (`sim.rules.packages`)
    package_counted: float = 0.0  # their strength counted toward the target


@dataclass
class Explanation:
    """Everything the text and the chart say about one state in one run."""

    C: Compiled
    code: str
    run: int
    representative: bool
    runs_in_ensemble: int | None
    weeks: list[Week]
    outcome: dict
    threshold: float
    conformity_weight: float
    follows: list[str]
    peers: list[str]
    thresholds: dict[str, float]
    target: float  # the force the broker seeks in this run (its drawn value if a range)
    row: dict  # the final week's states-table row (for the waterfall)
    charts: dict = field(default_factory=dict)
    deployment: dict | None = None  # after formation: its vote, lag and arrival (if staged)

    @property
    def name(self) -> str:
        """The state's name."""
        return self.C.scenario.states[self.code].name


def choose_run(C: Compiled, runs: int | None = None) -> tuple[int, int]:
    """The representative run of the scenario's ensemble (as in report.md)."""
    from sim.analysis.summary import representative_run
    from sim.engine.ensemble import run_ensemble

    n = C.scenario.run.runs if runs is None else runs
    tables = run_ensemble(C, runs=n, detail=DETAIL)
    return representative_run(tables), n


def explain(C: Compiled, code: str, run: int | None = None, runs: int | None = None) -> Explanation:
    """Replay run `run` (default: the representative run) and explain state `code`."""
    representative = run is None
    n = None
    if run is None:
        run, n = choose_run(C, runs)
    trace = Trace(C, C.scenario.run.seed, run).run_to_end()
    tables = trace.tables()
    i = C.states.index(code)
    st = tables["states"]
    rows = st[st["state"] == code].sort_values("round")
    P = trace.params
    th = C.scenario.decision.thresholds
    weeks = [
        _week(C, P, snap, i, row)
        for snap, (_, row) in zip(trace.snapshots, rows.iterrows(), strict=True)
    ]
    spec = C.scenario.states[code]
    return Explanation(
        C=C,
        code=code,
        run=run,
        representative=representative,
        runs_in_ensemble=n,
        weeks=weeks,
        outcome=tables["runs"].iloc[0].to_dict(),
        threshold=float(P.state.clarity_threshold[0, i]),
        conformity_weight=float(P.state.conformity[0, i]),
        follows=list(spec.follows if spec.follows is not None else spec.blocs),
        peers=[C.states[j] for j in np.flatnonzero(C.peers[i])],
        thresholds={
            "conditional": th.conditional,
            "offered": th.offered,
            "committed": th.committed,
        },
        target=float(P.broker.target[0]),
        row=rows.iloc[-1].to_dict(),
        deployment=after_formation(C, P, tables, code),
    )


def after_formation(C: Compiled, P: Params, tables: dict, code: str) -> dict | None:
    """The state's contingent after the force formed: its vote, its generation lag in
    this run, the week it was ready, the week it arrived (`sim.rules.deployment`), and
    its suspensions and withdrawal under shocks (`sim.rules.withdrawal`).
    None without a deployment stage, or when the state had no counted contingent."""
    from sim.rules.deployment import staged
    from sim.rules.withdrawal import withdraw_chance

    if not staged(C, C.scenario.run.mechanisms):
        return None
    d = tables["deployments"]
    mine = d[d["state"] == code]
    if mine.empty:
        return None
    i = C.states.index(code)
    own = float(P.deploy.lag[0, i])
    lag = float(P.deploy.lag_default[0]) if np.isnan(own) else own
    formed = int(tables["runs"].iloc[0]["rounds"])
    row = mine.iloc[0]
    weeks = int(C.deploy_weeks[i])
    return {
        "formed": formed,
        "approval": row["approval"],
        "by": C.scenario.states[code].deployment.approval.by if row["approval"] else None,
        "p": float(P.deploy.approval_p[0, i]),
        "vote_week": formed + weeks,
        "lag": lag,
        "ready": formed + weeks + int(np.ceil(lag - 1e-9)),
        "arrived": None if pd.isna(row["arrival_week"]) else int(row["arrival_week"]),
        "requires": list(C.scenario.deployment.requires),
        "host_consent": C.scenario.deployment.host_consent,
        "suspended": str(row.get("suspended") or ""),
        "withdrawn": None if pd.isna(row.get("withdrawn_week")) else int(row["withdrawn_week"]),
        "withdrawn_by": str(row.get("withdrawn_by") or ""),
        "withdraw_chance": float(withdraw_chance(P)[0, i]),
        "incident_hazard": float(P.shock.incident_hazard[0]),
    }


def seen(C: Compiled, P: Params, snap: Snapshot) -> demands.Present:
    """The week's terms as the states saw them when they decided (the rule's own inputs)."""
    mech = C.scenario.run.mechanisms
    obs = snap.observed
    return demands.present(C, P, snap.mandate, obs, snap.noise, mech, snap.accepts, snap.consent_ok)


def week_params(C: Compiled, P: Params, snap: Snapshot) -> Params:
    """The run's parameters as they stood in the snapshot's week: the vetoes that held
    then (`sim.rules.vetoes.hold`, as the week's first phase sets them)."""
    cond = snap.observed.cond
    return vetoes.hold(C, P, snap.t, snap.made, C.scenario.run.mechanisms, cond)


def _week(C: Compiled, P: Params, snap: Snapshot, i: int, row: pd.Series) -> Week:
    P = week_params(C, P, snap)
    now = seen(C, P, snap)
    peers = np.flatnonzero(C.peers[i])
    prev = snap.observed.stance[0]
    col = int(gates.columns(C)[i])
    clarity = float(snap.mandate[0, col])
    stance = str(row["stance"])
    demand = str(row["demand"] or "")
    flip = None if stance == "committed" else concession_to_flip(C, P, snap, now, i, demand)
    binding = str(row["binding_red_line"] or "")
    return Week(
        week=snap.t,
        stance=stance,
        kind=str(row["kind"] or ""),
        pledge=float(row["pledge"]),
        package=str(row.get("package", "") or ""),
        package_counted=float(row.get("package_counted", 0.0) or 0.0),
        counted=bool(row["counted"]),
        considered=C.kinds[int(C.slot_kind[i, now.shown[0, i]])],
        payoff=float(row["payoff"]),
        components={k: float(row[k]) for k in waterfall.COMPONENTS},
        binding=binding,
        clarity=clarity,
        gate_open=bool(snap.decision.gate_open[0, i]),
        conformity=float(row["conformity"]),
        peers_committed=[C.states[j] for j in peers if prev[j] == STANCES.index("committed")],
        peers_declined=[C.states[j] for j in peers if prev[j] == STANCES.index("declined")],
        demand=demand,
        flip=flip,
        vetoed=bool(now.vetoed[0, i, now.shown[0, i]]),
        bindings=binding_lines(C, snap, now, i) if binding else [],
        held=bool(stated.held(snap.decision)[0, i]),
        clarity_term=C.scenario.states[C.states[i]].clarity_term or C.scenario.force.clarity_term,
        share=_share(C, P, snap, i, str(row["kind"] or "")),
    )


def _share(C: Compiled, P: Params, snap: Snapshot, i: int, kind: str) -> float:
    """The share of state i's pledge that counts, under the mandate it decided on."""
    if not kind:
        return 1.0
    k = np.full((1, len(C.states)), C.kinds.index(kind))
    return float(caveats.share(C, P, snap.mandate, k)[0, i])


def binding_lines(C: Compiled, snap: Snapshot, now: demands.Present, i: int) -> list[str]:
    """Every red line of state i that rules out the kind it would choose this week.

    The tables record only the first violated line (`binding_red_line`); a state
    can be held back by several at once (Pakistan: no disarmament *and*
    peacekeeping, not enforcement), and lifting one leaves it held back. The
    lines are checked with the red-line rule itself (`red_lines.held`), in the
    world the decision saw, on the kind the decision rule takes as its ideal
    (best payoff among the kinds it can offer).
    """
    red = C.red
    if not len(red["op"]):
        return []
    ok = red_lines.held(C, snap.mandate, now.world)
    ideal = int(now.ideal[0, i])
    return [
        C.red_ids[n]
        for n in range(len(red["op"]))
        if red["owner"][n] == i and not ok[0, n] and red["slot_binds"][n, ideal]
    ]


def concession_to_flip(
    C: Compiled, P: Params, snap: Snapshot, now: demands.Present, i: int, demand: str = ""
) -> Flip:
    """The concession that would move state i up a rung: into an offer from below,
    into a commitment from an offer.

    The concessions are those the demand search of the decision rule weighs
    (`demands.each_concession`, in its order: fewest changes, then lowest cost),
    open whether or not the broker may make them: the first that brings the
    state to the rung (its demand, when it has one: the rule's demand is the
    first that brings it to an offer); else the whole open menu at once
    (`demands.whole_menu`, as for the rule's bundle demands).
    """
    th = C.scenario.decision.thresholds
    mech = C.scenario.run.mechanisms
    h = float(P.decision.hysteresis[0]) if mech.hysteresis else 0.0
    offered = STANCES.index("offered")
    below = int(snap.decision.stance[0, i]) < offered
    level, to = (th.offered, "offered") if below else (th.committed + h, "committed")
    m, obs = snap.mandate, snap.observed
    open_ = demands.open_menu(C, m, snap.made)

    def losses(p: demands.Prospect) -> list[str]:
        return [
            C.scenario.veto_players[v].name
            for k, v in enumerate(C.veto_ids)
            if snap.accepts[0, k] and not p.accepts[0, k]
        ]

    # In on the terms but held by its own closed gate: only a concession that opens it flips it.
    waits = not snap.decision.gate_open[0, i] and bool(
        now.anyfree[0, i] and now.top[0, i] >= th.offered
    )
    lift: tuple[str | None, float] = (None, float("nan"))
    for j, p in demands.each_concession(C, P, m, obs, now, open_):
        top, frees = float(p.top[0, i]), bool(p.free[0, i])
        cid = C.concessions[j]
        if demands.reaches(p, level)[0, i] and (not waits or p.opened[0, i]):
            return Flip(cid, "demand" if cid == demand else "menu", to, top, losses(p))
        if frees and not now.anyfree[0, i] and lift[0] is None:
            lift = (cid, top)
    if open_.any():
        whole = demands.whole_menu(C, P, m, obs, now, snap.made)
        if demands.reaches(whole, level)[0, i] and (not waits or whole.opened[0, i]):
            return Flip(demand or None, "bundle", to, float(whole.top[0, i]), losses(whole))
    return Flip(None, "none", to, lifts=lift[0], lifted_payoff=lift[1])
