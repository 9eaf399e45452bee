"""The scenario as arrays: what the decision rules compute over.

A mandate becomes a row of numbers (one column per term, one per task of a
task-set term); actors become arrays indexed by state, kind, red line, veto
player and host. Judgement-call ranges are kept as a list of (array, index,
low, high) so each run can sample its own values (see `sample`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from sim.scenario.params import FLAT, Params, Range, build
from sim.scenario.references import caveat_term
from sim.scenario.schema import RedLine, Scenario, TermSpec

STANCES = ("declined", "considering", "conditional", "offered", "committed")
DECLINED, CONSIDERING, CONDITIONAL, OFFERED, COMMITTED = range(5)
OUTCOMES = ("running", "formed", "undersized", "stalled")

# Red-line operators (codes in `RedLines.op`).
EXCLUDES, INCLUDES, AT_LEAST, AT_MOST, ONE_OF, IS, REQUIRES = range(7)
OP_CODES = {"excludes": EXCLUDES, "includes": INCLUDES, "at_least": AT_LEAST}
OP_CODES |= {"at_most": AT_MOST, "one_of": ONE_OF, "is": IS, "requires": REQUIRES}
WORLD = {"ceasefire_holding": 0, "host_consent": 1, "veto_acceptance": 2}
"""The built-in world conditions; a condition declared under `world:` is compiled to
the index after them (3, 4, ... in the order of the file)."""


@dataclass(frozen=True)
class Columns:
    """Where each term (and each task) lives in a mandate row."""

    vocab: dict[str, TermSpec]
    col: dict[str, int]
    task_col: dict[tuple[str, str], int]
    width: int

    @classmethod
    def of(cls, vocab: dict[str, TermSpec]) -> Columns:
        col, task_col, i = {}, {}, 0
        for term, spec in vocab.items():
            if spec.kind == "task_set":
                for task in spec.levels:
                    task_col[(term, task)] = i
                    i += 1
            else:
                col[term] = i
                i += 1
        return cls(vocab, col, task_col, i)

    def value(self, term: str, value: Any) -> float:
        """The number stored for a non-task term's value."""
        spec = self.vocab[term]
        if spec.kind in ("ordinal", "categorical"):
            return float(spec.levels.index(value))
        return float(value)

    def encode(self, mandate: dict[str, Any]) -> np.ndarray:
        """A mandate mapping as one row."""
        row = np.zeros(self.width)
        for term, value in mandate.items():
            if self.vocab[term].kind == "task_set":
                for task in value:
                    row[self.task_col[(term, task)]] = 1.0
            else:
                row[self.col[term]] = self.value(term, value)
        return row

    def decode(self, row: np.ndarray) -> dict[str, Any]:
        """One row back to a mapping of readable values."""
        out: dict[str, Any] = {}
        for term, spec in self.vocab.items():
            if spec.kind == "task_set":
                out[term] = [t for t in spec.levels if row[self.task_col[(term, t)]] > 0.5]
            else:
                out[term] = self.decode_columns(row[None, :], [term])[term].tolist()[0]
        return out

    def decode_columns(self, rows: np.ndarray, terms=None) -> dict[str, np.ndarray]:
        """Rows (n, width) back to one array of readable values per term: a task set's
        tasks joined with `;` (as the tables write them), a level's name, a boolean, a
        number."""
        out: dict[str, np.ndarray] = {}
        for term in terms or self.vocab:
            spec = self.vocab[term]
            if spec.kind == "task_set":
                held = np.stack(
                    [rows[:, self.task_col[(term, t)]] > 0.5 for t in spec.levels], axis=1
                )
                names = np.array(spec.levels, dtype=object)
                out[term] = np.array([";".join(names[h]) for h in held], dtype=object)
            elif spec.kind in ("ordinal", "categorical"):
                levels = np.array(spec.levels, dtype=object)
                out[term] = levels[rows[:, self.col[term]].astype(np.int64)]
            elif spec.kind == "boolean":
                out[term] = rows[:, self.col[term]] > 0.5
            else:
                out[term] = rows[:, self.col[term]].astype(float)
        return out

    def changes(self, change: dict[str, Any], base: dict[str, Any]) -> list[tuple[int, float, int]]:
        """A concession's change as (column, value, mode): mode 0 sets the value,
        -1 caps the term at it (`at_most`), +1 raises the term to it (`at_least`)."""
        out = []
        for term, value in change.items():
            if self.vocab[term].kind == "task_set":
                if isinstance(value, dict):
                    for task in value.get("add") or []:
                        out.append((self.task_col[(term, task)], 1.0, 0))
                    for task in value.get("remove") or []:
                        out.append((self.task_col[(term, task)], 0.0, 0))
                else:
                    for task in self.vocab[term].levels:
                        out.append((self.task_col[(term, task)], float(task in value), 0))
            elif isinstance(value, dict):
                ((bound, level),) = value.items()
                mode = -1 if bound == "at_most" else 1
                out.append((self.col[term], self.value(term, level), mode))
            else:
                out.append((self.col[term], self.value(term, value), 0))
        return out


@dataclass(frozen=True)
class Linear:
    """base + sum of effects: slopes on a column, or a weight when a column equals a level."""

    base: Any
    cols: np.ndarray  # column read by each entry
    weights: np.ndarray
    levels: np.ndarray  # -1 for a slope entry, else the level index that triggers the weight
    scale: np.ndarray  # divisor for slopes (ordinal levels - 1), 1 otherwise

    @classmethod
    def of(cls, base: float, effects: dict[str, Any], cols: Columns) -> Linear:
        c, w, lv, sc = [], [], [], []
        for term, eff in effects.items():
            spec = cols.vocab[term]
            if spec.kind == "task_set":
                for task, weight in eff.items():
                    c.append(cols.task_col[(term, task)])
                    w.append(float(weight))
                    lv.append(-1)
                    sc.append(1.0)
            elif isinstance(eff, dict):
                for level, weight in eff.items():
                    c.append(cols.col[term])
                    w.append(float(weight))
                    lv.append(spec.levels.index(level))
                    sc.append(1.0)
            else:
                c.append(cols.col[term])
                w.append(float(eff))
                lv.append(-1)
                sc.append(float(len(spec.levels) - 1) if spec.kind == "ordinal" else 1.0)
        return cls(base, np.array(c, int), np.array(w), np.array(lv, int), np.array(sc))

    def task_weights(self, cols: Columns, term: str) -> dict[str, float]:
        """The weight each task of `term` adds (for per-state opt-outs)."""
        inv = {v: t for (tt, t), v in cols.task_col.items() if tt == term}
        return {inv[c]: float(w) for c, w in zip(self.cols, self.weights, strict=True) if c in inv}


@dataclass
class Compiled:
    """All arrays the rules need, plus the names to turn them back into tables."""

    scenario: Scenario
    cols: Columns
    mandate0: np.ndarray
    states: list[str]
    kinds: list[str]
    params: Params
    ranges: list[Range]
    red: dict[str, np.ndarray]
    red_ids: list[str]
    prefs: dict[str, np.ndarray]
    peers: np.ndarray
    concessions: list[str]
    concession_changes: list[list[tuple[int, float]]]
    concession_order: np.ndarray
    veto_ids: list[str]
    veto_lin: list[Linear]
    veto_requires: list[dict[str, np.ndarray]]
    host_ids: list[str]
    host_lin: list[Linear]
    env: dict[str, Linear]
    optout: np.ndarray
    incentive_names: list[str]
    incentive_lin: list[Linear]
    slot_kind: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), int))
    caveat_col: int = -1  # mandate column of the national-caveats term, -1 for none
    red_spread: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    component_reads: dict[str, frozenset[int]] = field(default_factory=dict)
    perception_task_cols: list[tuple[int, float]] = field(default_factory=list)
    world_names: list[str] = field(default_factory=list)  # declared conditions (W)
    world_initial: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))  # (W,)
    world_from: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # (W,) 0: none
    world_by: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # (W,) -1: none
    deploy_weeks: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # (S,) to a vote
    deploy_vote: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))  # (S,) needs one
    deploy_requires: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))  # (W,) entry
    clarity_cols: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # (S,) gate term
    bar_owner: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # (B,) veto player
    bar_state: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # (B,) vetoed state
    bar_kinds: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), bool))  # (B, K)
    bar_until: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # (B,) 0: none
    bar_lift: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # (B,) -1: none
    bar_unless: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # (B,) -1: none
    event_names: list[str] = field(default_factory=list)  # declared events (E)
    event_week: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # (E,) 0: none
    event_withdraw: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), bool))  # (E, S)
    event_suspend: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), int))  # (E, S)
    # Per-state caveats (G; `sim.rules.caveats`), none with `per_state_caveats` off.
    caveat_ids: list[str] = field(default_factory=list)  # "STATE.caveat" per caveat
    caveat_owner: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # (G,) state
    caveat_cols: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # (G,) grant column
    caveat_task: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # (G,) task column
    caveat_lifts: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), bool))  # (G, L)
    caveat_pref: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), bool))  # (G, E)
    caveat_perception: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (G,) task weight
    kind_in_theatre: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))  # (K,)
    veto_caveat_effect: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (V,)
    # Packages (`sim.rules.packages`), all false with `mechanisms.packages` off.
    package: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), bool))  # (S, Kmax)
    package_initial: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (S, Kmax)


def _num(value: Any, name: str, index: tuple, ranges: list) -> float:
    """A fixed number, or the midpoint of a range (registered for per-run sampling)."""
    if isinstance(value, tuple):
        ranges.append((name, index, value[0], value[1]))
        return (value[0] + value[1]) / 2.0
    return float(value)


def compile_scenario(sc: Scenario) -> Compiled:
    """Turn a validated scenario into the arrays the rules read."""
    cols = Columns.of(sc.vocabulary)
    states, kinds = list(sc.states), list(sc.kinds)
    declared = _declared_caveats(sc, states)
    per_state = per_state_caveats(sc)
    if per_state:  # one mandate column per caveat: granted (1) or not (0)
        cols = replace(cols, width=cols.width + len(declared))
    b = sc.broker
    menu = compiled_menu(sc)
    S, K = len(states), len(kinds)
    ranges: list = []
    p: dict[str, np.ndarray] = {}
    for name in ("domestic_opposition", "risk_tolerance", "clarity_threshold", "conformity"):
        p[name] = np.array(
            [_num(getattr(sc.states[s], name), name, (i,), ranges) for i, s in enumerate(states)]
        )
    p["capacity"] = np.zeros((S, K))
    p["initial_pledge"] = np.zeros(S)
    p["initial_kind"] = np.full(S, -1)
    p["initial_stance"] = np.array([STANCES.index(sc.states[s].initial_stance) for s in states])
    for i, s in enumerate(states):
        realised = sc.states[s].capacity
        for kind, cap in sc.states[s].offers.items():
            # The realised capacity, where the record gives one, in the offer's place
            # (and its draw): the stated offer is then an upper bound only.
            p["capacity"][i, kinds.index(kind)] = _num(
                realised.get(kind, cap), "capacity", (i, kinds.index(kind)), ranges
            )
        for kind, size in list(sc.states[s].initial_offer.items())[:1]:  # the lead kind
            p["initial_kind"][i] = kinds.index(kind)
            p["initial_pledge"][i] = float(size)
    for name in ("exposure", "risk", "visibility"):
        p[f"kind_{name}"] = np.array(
            [
                _num(getattr(sc.kinds[k], name), f"kind_{name}", (j,), ranges)
                for j, k in enumerate(kinds)
            ]
        )
    p["kind_unit"] = np.array([sc.kinds[k].unit for k in kinds])
    p["kind_counts"] = np.array([k in sc.force.counts for k in kinds])
    incentive_names = sorted({n for st in sc.states.values() for n in st.incentives})
    p["incentives"] = np.zeros((S, len(incentive_names)))
    for i, s in enumerate(states):
        for n, w in sc.states[s].incentives.items():
            j = incentive_names.index(n)
            p["incentives"][i, j] = _num(w, "incentives", (i, j), ranges)
    p["target"] = np.array(_num(b.target, "target", (), ranges))
    p["minimum_viable"] = np.array(_num(b.minimum_viable, "minimum_viable", (), ranges))
    for name in ("engagement", "urgency", "veto_loss_cost"):
        p[name] = np.array(_num(getattr(b, name), name, (), ranges))
    p["budget"] = np.array(_num(b.side_payments.budget, "budget", (), ranges))
    p["max_per_state"] = np.array(_num(b.side_payments.max_per_state, "max_per_state", (), ranges))
    p["concession_cost"] = np.array(
        [_num(c.cost, "concession_cost", (j,), ranges) for j, c in enumerate(menu)]
    )
    env = sc.environment
    for name in ("consent_risk", "consent_incidents", "incident_severity", "incident_decay"):
        p[name] = np.array(_num(getattr(env, name), name, (), ranges))
    for name in ("incident_perception", "ceasefire_threshold"):
        p[name] = np.array(_num(getattr(env, name), name, (), ranges))
    d = sc.decision
    for name in ("hysteresis", "noise_sd", "bandwagon", "pledge_min_share", "side_payment_effect"):
        p[name] = np.array(_num(getattr(d, name), name, (), ranges))
    p["veto_threshold"] = np.array(
        [
            _num(v.threshold, "veto_threshold", (j,), ranges)
            for j, v in enumerate(sc.veto_players.values())
        ]
    )
    p["host_threshold"] = np.array(
        [_num(h.threshold, "host_threshold", (j,), ranges) for j, h in enumerate(sc.hosts.values())]
    )
    p["veto_base"] = np.array(
        [_num(v.base, "veto_base", (j,), ranges) for j, v in enumerate(sc.veto_players.values())]
    )
    p["host_base"] = np.array(
        [_num(h.base, "host_base", (j,), ranges) for j, h in enumerate(sc.hosts.values())]
    )
    base_env = {n: getattr(env, n).base for n in ("risk", "perception", "incident_rate")}
    for n, v in base_env.items():
        p[f"{n}_base"] = np.array(_num(v, f"{n}_base", (), ranges))
    vetoed = np.zeros(S, bool)
    for v in sc.veto_players.values():
        for code in v.vetoes:
            if isinstance(code, str):
                vetoed[states.index(code)] = True
    p["vetoed"] = vetoed

    slot_kind = _slots(sc, states, kinds)
    red, red_ids = _red_lines(sc, cols, states, kinds, world_index(sc))
    if declared and not per_state:  # read as `caveat_ok` lines: the mandate-wide term only
        for s, cav, term in declared:
            red["caveat_ok"] |= _lines_lifted(sc, states, s, cav, term)
    red["slot_binds"] = np.zeros((len(red_ids), slot_kind.shape[1]), bool)
    for i, owner in enumerate(red["owner"]):
        valid = slot_kind[owner] >= 0
        red["slot_binds"][i, valid] = red["binds"][i, slot_kind[owner, valid]]
    concessions = [c.id for c in menu]
    grant_col = {(states[s], cav.id): cols.width - len(declared) + g
                 for g, (s, cav, _) in enumerate(declared)} if per_state else {}  # fmt: skip
    changes = [
        cols.changes(c.change, sc.mandate)
        + (
            [(grant_col[(c.grants.state, c.grants.caveat)], 1.0, 0)]
            if c.grants and per_state
            else []
        )
        for c in menu
    ]
    order = sorted(
        range(len(concessions)),
        key=lambda j: (len(changes[j]), _lo(menu[j].cost), j),
    )
    caveat_term = sc.force.caveats_term
    optout = np.zeros((S, cols.width), bool)
    for i, s in enumerate(states):
        for rl in sc.states[s].red_lines:
            if rl.caveat_ok:
                optout[i, cols.task_col[(rl.term, rl.excludes)]] = True
    if declared and not per_state:
        for s, cav, term in declared:
            optout[s, cols.task_col[(term, cav.excludes)]] = True
    peers = _peers(sc, states)
    prefs = _prefs(sc, cols, states)
    prefs["opt"] = optout[prefs["owner"], prefs["col"]]  # entries a caveat_ok line opts out of
    p["pref_weight"] = np.array(
        [_num(v, "pref_weight", (i,), ranges) for i, v in enumerate(prefs.pop("salience_spec"))]
    )
    incentive_lin = [
        Linear.of(
            0.0,
            env.incentive_scaling[n].effects if n in env.incentive_scaling else {},
            cols,
        )
        for n in incentive_names
    ]
    p["incentive_scale_base"] = np.array(
        [
            _num(env.incentive_scaling[n].base, "incentive_scale_base", (j,), ranges)
            if n in env.incentive_scaling
            else 1.0
            for j, n in enumerate(incentive_names)
        ]
    )
    # Drawn last, so declaring a condition leaves every other range's draw as it was.
    world = sc.world
    p["world_hazard"] = np.array(
        [_num(c.hazard, "world_hazard", (j,), ranges) for j, c in enumerate(world.values())]
    )
    deploy = _deployment(sc, states, p, ranges)  # drawn after the world's hazards
    bars = _bars(sc, states, kinds, p, ranges)  # drawn after the deployment stage's
    shocks = _shocks(sc, states, p, ranges)  # drawn last of all, only with shocks
    env_lin = {n: Linear.of(0.0, getattr(env, n).effects, cols) for n in base_env}
    cav = _caveats(sc, cols, states, kinds, declared if per_state else [], red, prefs, env_lin, p)
    for g, (_, c, _) in enumerate(declared if per_state else []):  # drawn last of all
        p["caveat_discount"][g] = _num(c.discount, "caveat_discount", (g,), ranges)
    cav_reads = {int(c) for c in cav["caveat_cols"]}
    if cav_reads and caveat_term in cols.col:  # the mandate-wide term grants them all
        cav_reads.add(cols.col[caveat_term])
    reads = _component_reads(cols, caveat_term, optout, prefs, env_lin, incentive_lin)
    if cav_reads:
        for name in ("distance", "domestic"):
            reads[name] = reads[name] | cav_reads
    return Compiled(
        scenario=sc,
        cols=cols,
        mandate0=cols.encode(sc.mandate),
        states=states,
        kinds=kinds,
        params=build(p, slot_kind, prefs["pref_index"]),
        ranges=[Range(*FLAT[name], index, low, high) for name, index, low, high in ranges],
        red=red,
        red_ids=red_ids,
        prefs=prefs,
        peers=peers,
        concessions=concessions,
        concession_changes=changes,
        concession_order=np.array(order, int),
        veto_ids=list(sc.veto_players),
        veto_lin=[Linear.of(0.0, v.effects, cols) for v in sc.veto_players.values()],
        veto_requires=[_predicates(v.requires, cols) for v in sc.veto_players.values()],
        host_ids=list(sc.hosts),
        host_lin=[Linear.of(0.0, h.effects, cols) for h in sc.hosts.values()],
        env=env_lin,
        optout=optout,
        incentive_names=incentive_names,
        incentive_lin=incentive_lin,
        slot_kind=slot_kind,
        caveat_col=cols.col.get(caveat_term, -1) if caveat_term else -1,
        red_spread=_spread(red, S, slot_kind.shape[1]),
        component_reads=reads,
        perception_task_cols=_perception_task_cols(env_lin["perception"], optout),
        world_names=list(world),
        world_initial=np.array([c.initially for c in world.values()], bool),
        world_from=np.array([c.from_week or 0 for c in world.values()], int),
        world_by=np.array([_index(concessions, c.by_concession) for c in world.values()], int),
        clarity_cols=np.array(
            [cols.col[sc.states[s].clarity_term or sc.force.clarity_term] for s in states], int
        ),
        **deploy,
        **bars,
        **shocks,
        **cav,
        **_packages(sc, states, kinds, slot_kind),
    )


def _packages(sc: Scenario, states: list[str], kinds: list[str], slot_kind) -> dict:
    """Each state's package over its slots, and the sizes of the stated offer's parts
    besides its lead kind (the first listed); none with `mechanisms.packages` off."""
    package = np.zeros(slot_kind.shape, bool)
    initial = np.zeros(slot_kind.shape)
    if not sc.run.mechanisms.packages:
        return {"package": package, "package_initial": initial}
    for i, s in enumerate(states):
        st = sc.states[s]
        for kind in st.package or []:
            package[i, slot_kind[i] == kinds.index(kind)] = True
        for kind, size in list(st.initial_offer.items())[1:]:
            initial[i, slot_kind[i] == kinds.index(kind)] = float(size)
    return {"package": package, "package_initial": initial}


def _index(ids: list[str], name: str | None) -> int:
    """Position of a concession in the compiled menu, -1 for none (or one left out:
    a caveat grant with `per_state_caveats` off)."""
    return ids.index(name) if name in ids else -1


def per_state_caveats(sc: Scenario) -> bool:
    """Caveats are granted state by state: some state declares one, and the
    `per_state_caveats` switch is on (else they are read as `caveat_ok` lines)."""
    return sc.run.mechanisms.per_state_caveats and any(st.caveats for st in sc.states.values())


def compiled_menu(sc: Scenario) -> list:
    """The broker's concessions as compiled: a concession that only grants a caveat
    is left out while caveats are not granted state by state."""
    per_state = per_state_caveats(sc)
    return [c for c in sc.broker.concessions if c.change or (per_state and c.grants is not None)]


def _declared_caveats(sc: Scenario, states: list[str]) -> list[tuple[int, Any, str]]:
    """(state index, caveat, task-set term) of every declared caveat, in file order."""
    return [
        (i, cav, caveat_term(sc, cav)) for i, s in enumerate(states) for cav in sc.states[s].caveats
    ]


def _lines_lifted(sc: Scenario, states: list[str], s: int, cav: Any, term: str) -> np.ndarray:
    """(L,): the red lines a state's caveat lifts: its own lines excluding that task."""
    return np.array(
        [
            i == s and rl.excludes == cav.excludes and rl.term == term
            for i, st in enumerate(states)
            for rl in sc.states[st].red_lines
        ],
        bool,
    )


def _caveats(sc, cols, states, kinds, declared, red, prefs, env_lin, p) -> dict:
    """Per-state caveats as arrays (`sim.rules.caveats`): whose, the grant column and
    the task column, the red lines and preference entries each lifts, the task's
    weight in perception, and each veto player's `caveat_effect`. The discounts are
    registered last of all (after the shocks), so a scenario without per-state
    caveats draws what it drew before they existed."""
    G = len(declared)
    p["caveat_discount"] = np.zeros(G)
    start = cols.width - G
    task = np.array([cols.task_col[(term, cav.excludes)] for _, cav, term in declared], int)
    owner = np.array([s for s, _, _ in declared], int)
    lin = env_lin["perception"]
    weight = np.zeros(G)
    for g in range(G):
        hit = (lin.cols == task[g]) & (lin.levels < 0)
        weight[g] = float(lin.weights[hit].sum())
    return {
        "caveat_ids": [f"{states[s]}.{cav.id}" for s, cav, _ in declared],
        "caveat_owner": owner,
        "caveat_cols": np.arange(start, start + G, dtype=int),
        "caveat_task": task,
        "caveat_lifts": np.array(
            [_lines_lifted(sc, states, s, cav, term) for s, cav, term in declared], bool
        ).reshape(G, len(red["op"])),
        "caveat_pref": (prefs["owner"][None, :] == owner[:, None])
        & (prefs["col"][None, :] == task[:, None]),
        "caveat_perception": weight,
        "kind_in_theatre": np.array([sc.kinds[k].in_theatre for k in kinds], bool),
        "veto_caveat_effect": np.array(
            [v.caveat_effect if declared else 0.0 for v in sc.veto_players.values()], float
        ),
    }


def _bars(sc: Scenario, states: list[str], kinds: list[str], p: dict, ranges: list) -> dict:
    """Conditional vetoes on contributors (`vetoes:` entries written as mappings):
    whose, on which kinds, until when, lifted by which concession; their chance
    `p` is drawn last of all, so a scenario without them draws what it drew before."""
    entries = [
        (j, e)
        for j, v in enumerate(sc.veto_players.values())
        for e in v.vetoes
        if not isinstance(e, str)
    ]
    p["bar_p"] = np.array([_num(e.p, "bar_p", (i,), ranges) for i, (_, e) in enumerate(entries)])
    p["bar_u"] = np.zeros(len(entries))
    p["bar_now"] = np.repeat(p["vetoed"][:, None], len(kinds), axis=1)  # fixed vetoes
    concessions = [c.id for c in compiled_menu(sc)]
    mask = np.zeros((len(entries), len(kinds)), bool)
    for i, (_, e) in enumerate(entries):
        mask[i] = [e.kinds is None or k in e.kinds for k in kinds]
    return {
        "bar_owner": np.array([j for j, _ in entries], int),
        "bar_state": np.array([states.index(e.state) for _, e in entries], int),
        "bar_kinds": mask,
        "bar_until": np.array([e.until_week or 0 for _, e in entries], int),
        "bar_lift": np.array([_index(concessions, e.lifted_by) for _, e in entries], int),
        "bar_unless": np.array([_index(list(sc.world), e.unless) for _, e in entries], int),
    }


def has_shocks(sc: Scenario) -> bool:
    """The scenario declares shocks in a deployment stage: events, or a weekly
    incident hazard in theatre that is not a fixed 0 (`sim.rules.withdrawal`)."""
    dep = sc.deployment
    return dep is not None and (bool(sc.events) or dep.incident_hazard != 0.0)


def _shocks(sc: Scenario, states: list[str], p: dict, ranges: list) -> dict:
    """Events and in-theatre incidents in the deployment stage (`sim.rules.withdrawal`).
    Their ranges are registered, and drawn, last of all and only where the scenario
    declares shocks, so every other scenario draws what it drew before they existed.

    An event's effect on a state: its own entry, else its blocs' (a withdrawal wins
    over a suspension, the longest suspension over shorter ones)."""
    S, E = len(states), len(sc.events)
    shocked = has_shocks(sc)
    p["shock_event_hazard"] = np.zeros(E)
    p["shock_incident_hazard"] = np.array(0.0)
    withdraw, suspend, week = np.zeros((E, S), bool), np.zeros((E, S), int), np.zeros(E, int)
    for j, event in enumerate(sc.events.values()):
        if shocked:
            p["shock_event_hazard"][j] = _num(event.hazard, "shock_event_hazard", (j,), ranges)
        week[j] = event.week or 0
        for i, s in enumerate(states):
            own = event.effect.get(s)
            named = [own] if own is not None else [
                event.effect[b] for b in sc.states[s].blocs if b in event.effect
            ]  # fmt: skip
            withdraw[j, i] = any(e.action == "withdraw" for e in named)
            suspend[j, i] = max((e.weeks or 0 for e in named if e.action == "suspend"), default=0)
    if shocked:
        hazard = sc.deployment.incident_hazard
        p["shock_incident_hazard"] = np.array(_num(hazard, "shock_incident_hazard", (), ranges))
    return {
        "event_names": list(sc.events),
        "event_week": week,
        "event_withdraw": withdraw,
        "event_suspend": np.where(withdraw, 0, suspend),
    }


def _deployment(sc: Scenario, states: list[str], p: dict, ranges: list) -> dict:
    """The deployment stage's parameters (drawn last of all: a scenario without
    `deployment:` draws what it drew before the stage existed) and its fixed arrays."""
    S, dep = len(states), sc.deployment
    p["deploy_lag_default"] = np.array(0.0)
    p["deploy_lag"] = np.full(S, np.nan)
    p["deploy_approval_p"] = np.ones(S)
    weeks, vote = np.zeros(S, int), np.zeros(S, bool)
    if dep is None:
        return {}
    p["deploy_lag_default"] = np.array(_num(dep.lag, "deploy_lag_default", (), ranges))
    for i, s in enumerate(states):
        own = sc.states[s].deployment
        if own is None:
            continue
        if own.lag is not None:
            p["deploy_lag"][i] = _num(own.lag, "deploy_lag", (i,), ranges)
        if own.approval is not None:
            vote[i], weeks[i] = True, own.approval.weeks
            p["deploy_approval_p"][i] = _num(own.approval.p, "deploy_approval_p", (i,), ranges)
    return {
        "deploy_weeks": weeks,
        "deploy_vote": vote,
        "deploy_requires": np.array([n in dep.requires for n in sc.world], bool),
    }


def world_index(sc: Scenario) -> dict[str, int]:
    """Column of each world condition a red line may require: the built-ins, then
    the declared ones in the order of the file."""
    return {**WORLD, **{name: len(WORLD) + j for j, name in enumerate(sc.world)}}


def _component_reads(cols, caveat_term, optout, prefs, env_lin, incentive_lin):
    """The mandate columns each mandate-dependent payoff component reads.

    A concession that changes none of a component's columns leaves it as it
    was, so the demand scan reuses it (`sim.rules.payoff.components`).
    """
    cav_col = cols.col.get(caveat_term, -1) if caveat_term else -1
    cav = {cav_col} if optout.any() and cav_col >= 0 else set()
    return {
        "incentives": frozenset(int(c) for lin in incentive_lin for c in lin.cols),
        "distance": frozenset({int(c) for c in prefs["col"]} | cav),
        "domestic": frozenset({int(c) for c in env_lin["perception"].cols} | cav),
        "risk": frozenset(int(c) for c in env_lin["risk"].cols),
    }


def _perception_task_cols(lin: Linear, optout: np.ndarray) -> list[tuple[int, float]]:
    """(column, weight) of the task slopes of perception that a state can opt out of."""
    return [
        (int(c), float(w))
        for c, w, lv in zip(lin.cols, lin.weights, lin.levels, strict=True)
        if lv < 0 and optout[:, c].any()
    ]


def _spread(red: dict[str, np.ndarray], S: int, K: int) -> np.ndarray:
    """(L, S*K) 0/1 matrix: red line l binds offered kind k of its owner s."""
    spread = np.zeros((len(red["op"]), S, K))
    spread[np.arange(len(red["op"])), red["owner"], :] = red["slot_binds"]
    return spread.reshape(len(red["op"]), S * K)


def _slots(sc: Scenario, states: list[str], kinds: list[str]) -> np.ndarray:
    """(S, Kmax): the kinds each state offers, padded with -1.

    Payoffs are computed per offered kind only, so the work grows with what
    states offer rather than with the size of the kind vocabulary.
    """
    offered = [[kinds.index(k) for k in kinds if k in sc.states[s].offers] for s in states]
    width = max(1, max(len(o) for o in offered))
    out = np.full((len(states), width), -1)
    for i, o in enumerate(offered):
        out[i, : len(o)] = o
    return out


def _lo(v: Any) -> float:
    return v[0] if isinstance(v, tuple) else float(v)


def _predicates(
    lines: list[RedLine], cols: Columns, world: dict[str, int] = WORLD
) -> dict[str, np.ndarray]:
    """Red lines as parallel arrays: operator, column, value, allowed-level mask, and
    the world condition a `requires` line reads (its column in `world`)."""
    op, col, val, mask, reads = [], [], [], [], []
    for rl in lines:
        code = OP_CODES[rl.operator]
        op.append(code)
        c, v, m, w = 0, 0.0, 0, -1
        if code == REQUIRES:
            w = world[rl.requires]
        elif code in (EXCLUDES, INCLUDES):
            c = cols.task_col[(rl.term, getattr(rl, rl.operator))]
        else:
            c = cols.col[rl.term]
            spec = cols.vocab[rl.term]
            if code == ONE_OF:
                m = sum(1 << spec.levels.index(level) for level in rl.one_of)
            elif code == IS:
                v = float(rl.is_)
            else:
                v = cols.value(rl.term, getattr(rl, rl.operator))
        col.append(c)
        val.append(v)
        mask.append(m)
        reads.append(w)
    return {
        "op": np.array(op, int),
        "col": np.array(col, int),
        "value": np.array(val),
        "mask": np.array(mask, np.int64),
        "world": np.array(reads, int),
    }


def _red_lines(
    sc: Scenario, cols: Columns, states: list[str], kinds: list[str], world: dict[str, int]
):
    lines, owner, binds, caveat, ids = [], [], [], [], []
    in_theatre = np.array([sc.kinds[k].in_theatre for k in kinds])
    for i, s in enumerate(states):
        for rl in sc.states[s].red_lines:
            lines.append(rl)
            owner.append(i)
            if rl.kinds is None:
                binds.append(in_theatre.copy())
            else:
                binds.append(np.array([k in rl.kinds for k in kinds]))
            caveat.append(rl.caveat_ok)
            ids.append(rl.id)
    red = _predicates(lines, cols, world)
    # The world condition under which a line does not bind (`unless`), -1 for none.
    red["unless"] = np.array([world[rl.unless] if rl.unless else -1 for rl in lines], int)
    red["owner"] = np.array(owner, int)
    red["binds"] = np.array(binds, bool).reshape(len(lines), len(kinds))
    red["caveat_ok"] = np.array(caveat, bool)
    return red, ids


def _prefs(sc: Scenario, cols: Columns, states: list[str]) -> dict[str, np.ndarray]:
    """Preferences as flat entries: state, column, kind of distance, ideal, scale, salience."""
    owner, col, how, ideal, scale, sal, index = [], [], [], [], [], [], []
    for i, s in enumerate(states):
        for term, pref in sc.states[s].preferences.items():
            spec = cols.vocab[term]
            sal.append(pref.salience)
            if spec.kind == "task_set":
                n = float(len(spec.levels))
                for task in spec.levels:
                    owner.append(i)
                    col.append(cols.task_col[(term, task)])
                    how.append(0)
                    ideal.append(float(task in pref.ideal))
                    scale.append(n)
                    index.append(len(sal) - 1)
            else:
                owner.append(i)
                col.append(cols.col[term])
                how.append(1 if spec.kind in ("categorical", "boolean") else 0)
                ideal.append(cols.value(term, pref.ideal))
                scale.append(float(len(spec.levels) - 1) if spec.kind == "ordinal" else 1.0)
                index.append(len(sal) - 1)
    owners, starts = np.unique(np.array(owner, int), return_index=True)
    return {
        "owner": np.array(owner, int),
        "owners": owners,  # the states with preferences, and where each one's entries start
        "starts": starts,
        "col": np.array(col, int),
        "categorical": np.array(how, int),
        "is_categorical": np.array(how, bool),
        "ideal": np.array(ideal),
        "scale": np.array(scale),
        "salience_spec": sal,  # one per preference (a range is drawn once per run)
        "pref_index": np.array(index, int),  # entry -> preference
    }


def _peers(sc: Scenario, states: list[str]) -> np.ndarray:
    """peers[s, t] = ±1 when state t belongs to a bloc that state s follows.

    +1 (complementarity) unless every followed bloc that t shares is marked
    `free_riding` in `peer_influence`, then -1: t committing pushes s out.
    """
    S = len(states)
    peers = np.zeros((S, S), np.int64)
    free_riding = {b for b, how in sc.peer_influence.items() if how == "free_riding"}
    for i, s in enumerate(states):
        follows = sc.states[s].follows
        followed = set(follows if follows is not None else sc.states[s].blocs)
        for j, t in enumerate(states):
            shared = followed & set(sc.states[t].blocs)
            if i != j and shared:
                peers[i, j] = -1 if shared <= free_riding else 1
    return peers
