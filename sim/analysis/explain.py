"""Why one state did what it did in one run, week by week.

For each week: its stance and contribution; the red line that binds it, with
the evidence behind that red line (quote or paraphrase, speaker, date,
source); its payoff for joining split into components (also drawn as a
waterfall); the pull of the blocs it follows; the demand it sent the broker;
and the concession that would flip it (its demand, or the smallest concession
on the broker's menu that would bring it in).

The run is replayed with the Mesa model (`sim.engine.trace`), which gives the
same numbers as the ensemble for the same seed and run; the text reads the
run's tidy tables, and the what-if questions (would this concession bring it
in?) are answered with the same rule functions the engines use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from rich import box
from rich.console import Console
from rich.table import Table

from sim.analysis import words as wd
from sim.charts import waterfall
from sim.engine.trace import Snapshot, Trace
from sim.numbers import force
from sim.output.folder import atomic_folder
from sim.rules import actors, decide, payoff, red_lines
from sim.rules.terms import apply_changes, changes_anything
from sim.scenario.arrays import STANCES, Compiled
from sim.scenario.schema import Evidence, RedLine

WIDE = 150
"""Terminal width from which the week-by-week view is a table (else two lines a week)."""
DETAIL = 50
"""Detail runs of the ensemble that picks the representative run (as `forcegen run`)."""
OUTCOME_WORDS = {
    "formed": "the force formed at its target",
    "undersized": "the force formed below target at the deadline",
    "stalled": "no deployable force formed by the deadline",
}


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
    row: dict  # the final week's states-table row (for the waterfall)
    charts: dict = field(default_factory=dict)

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
    rounds = tables["rounds"].set_index("round")
    P = trace.params
    th = C.scenario.decision.thresholds
    weeks = []
    for snap, (_, row) in zip(trace.snapshots, rows.iterrows(), strict=True):
        weeks.append(_week(C, P, snap, i, row, rounds.loc[snap.t]))
    sc = C.scenario
    spec = sc.states[code]
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
        row=rows.iloc[-1].to_dict(),
    )


def _week(C: Compiled, P: dict, snap: Snapshot, i: int, row: pd.Series, rnd: pd.Series) -> Week:
    obs = snap.observed
    peers = np.flatnonzero(C.peers[i])
    prev = obs.stance[0]
    clarity = float(rnd["clarity"])
    gate = bool(snap.decision.gate_open[0, i])
    stance = str(row["stance"])
    flip = None if stance == "committed" else concession_to_flip(C, P, snap, i, str(row["demand"]))
    binding = str(row["binding_red_line"] or "")
    return Week(
        week=snap.t,
        stance=stance,
        kind=str(row["kind"] or ""),
        pledge=float(row["pledge"]),
        counted=bool(row["counted"]),
        considered=considered_kind(C, P, snap, i),
        payoff=float(row["payoff"]),
        components={k: float(row[k]) for k in waterfall.COMPONENTS},
        binding=binding,
        clarity=clarity,
        gate_open=gate,
        conformity=float(row["conformity"]),
        peers_committed=[C.states[j] for j in peers if prev[j] == STANCES.index("committed")],
        peers_declined=[C.states[j] for j in peers if prev[j] == STANCES.index("declined")],
        demand=str(row["demand"] or ""),
        flip=flip,
        vetoed=bool(row["vetoed"]),
        bindings=binding_lines(C, P, snap, i) if binding else [],
    )


def binding_lines(C: Compiled, P: dict, snap: Snapshot, i: int) -> list[str]:
    """Every red line of state i that rules out the kind it would choose this week.

    The tables record only the first violated line (`binding_red_line`); a state
    can be held back by several at once (Pakistan: no disarmament *and*
    peacekeeping, not enforcement), and lifting one leaves it held back. The
    lines are checked with the red-line rule itself (`red_lines.satisfied`,
    national caveats lifting a `caveat_ok` task line as in `red_lines.blocked`),
    on the kind the decision rule takes as its ideal (best payoff among the
    kinds it can offer).
    """
    red = C.red
    if not len(red["op"]):
        return []
    m = snap.mandate
    u, _, has_cap, _, world = _evaluate(C, P, snap, m, with_world=True)
    ok = red_lines.satisfied(red, m, world)
    ok |= red["caveat_ok"][None, :] & payoff.opted_out(C, m)[:, None]
    ideal = int(np.where(has_cap[0, i], u[0, i], -np.inf).argmax())
    return [
        C.red_ids[n]
        for n in range(len(red["op"]))
        if red["owner"][n] == i and not ok[0, n] and red["slot_binds"][n, ideal]
    ]


def _evaluate(C: Compiled, P: dict, snap: Snapshot, m: np.ndarray, with_world: bool = False):
    """Payoff per offered kind and red-line blocks under mandate `m`, as the states saw it."""
    mech = C.scenario.run.mechanisms
    obs = snap.observed
    soc = payoff.social(C, P, obs, snap.noise, mech)
    _, acc = actors.acceptance(C, P, m)
    _, consent = actors.consent(C, P, m)
    world = decide.world_conditions(C, P, m, obs.level, consent, acc)
    _, u, blocked, _ = decide.evaluate(C, P, m, obs, soc, world)
    has_cap = P.slot.capacity >= P.slot.unit
    if with_world:
        return u, has_cap & ~blocked, has_cap, acc, world
    return u, has_cap & ~blocked, has_cap, acc


def considered_kind(C: Compiled, P: dict, snap: Snapshot, i: int) -> str:
    """The kind whose payoff the tables show: best free kind, else the best it offers."""
    u, free, has_cap, _ = _evaluate(C, P, snap, snap.mandate)
    pool = free[0, i] if free[0, i].any() else has_cap[0, i]
    slot = int(np.where(pool, u[0, i], -np.inf).argmax())
    return C.kinds[int(C.slot_kind[i, slot])]


def concession_to_flip(C: Compiled, P: dict, snap: Snapshot, i: int, demand: str = "") -> Flip:
    """The concession that would move state i up a rung: into an offer from below,
    into a commitment from an offer. Its demand if it has one and that suffices;
    else the smallest concession on the menu (fewest changes, then lowest cost);
    else the whole open menu at once."""
    th = C.scenario.decision.thresholds
    mech = C.scenario.run.mechanisms
    h = float(P.decision.hysteresis[0]) if mech.hysteresis else 0.0
    stance = int(snap.decision.stance[0, i])
    offered = STANCES.index("offered")
    level, to = (th.offered, "offered") if stance < offered else (th.committed + h, "committed")
    m = snap.mandate
    open_ = [
        j
        for j in C.concession_order
        if not snap.made[0, j] and changes_anything(m, C.concession_changes[j])[0]
    ]

    free_now = _evaluate(C, P, snap, m)[1][0, i].any()
    lift: tuple[str | None, float] = (None, float("nan"))

    def reaches(mj: np.ndarray) -> tuple[bool, float, list[str], bool]:
        u, free, _, acc = _evaluate(C, P, snap, mj)
        top = float(np.where(free[0, i], u[0, i], -np.inf).max())
        losses = [
            C.scenario.veto_players[v].name
            for k, v in enumerate(C.veto_ids)
            if snap.accepts[0, k] and not acc[0, k]
        ]
        return bool(free[0, i].any() and top >= level), top, losses, bool(free[0, i].any())

    ids = {cid: j for j, cid in enumerate(C.concessions)}
    order = ([ids[demand]] if demand in ids and ids[demand] in open_ else []) + open_
    for j in order:
        ok, top, losses, frees = reaches(apply_changes(m, C.concession_changes[j]))
        if ok:
            how = "demand" if C.concessions[j] == demand else "menu"
            return Flip(C.concessions[j], how, to, top, losses)
        if frees and not free_now and lift[0] is None:
            lift = (C.concessions[j], top)
    if len(open_) > 1:
        m_all = m
        for j in open_:
            m_all = apply_changes(m_all, C.concession_changes[j])
        ok, top, losses, _ = reaches(m_all)
        if ok:
            return Flip(demand or None, "bundle", to, top, losses)
    return Flip(None, "none", to, lifts=lift[0], lifted_payoff=lift[1])


# ---------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------


def words(x: str, C: Compiled | None = None) -> str:
    """An identifier as words ('us_led' → 'US led'; see sim.analysis.words)."""
    return wd.id_words(x, C)


def concession_label(C: Compiled, cid: str) -> str:
    """A concession's label from the broker's menu."""
    return wd.concession(C, cid)


def red_line(C: Compiled, code: str, rid: str) -> RedLine | None:
    """A state's red line by id."""
    return next((r for r in C.scenario.states[code].red_lines if r.id == rid), None)


def describe(C: Compiled, rl: RedLine) -> str:
    """A red line's predicate in words."""
    vocab = C.scenario.vocabulary
    if rl.requires:
        return f"requires {wd.requirement(C, rl.requires)}"
    label = vocab[rl.term].label or wd.sentence(rl.term, C)
    label = label if label.split(" ", 1)[0].isupper() else label[:1].lower() + label[1:]
    op = rl.operator

    def lv(v) -> str:
        return wd.level(C, v)

    if op == "excludes":
        text = f"{label} must not include {lv(rl.excludes)}"
    elif op == "includes":
        text = f"{label} must include {lv(rl.includes)}"
    elif op == "at_least":
        text = f"{label} at least {lv(rl.at_least)}"
    elif op == "at_most":
        text = f"{label} at most {lv(rl.at_most)}"
    elif op == "one_of":
        text = f"{label} one of: " + ", ".join(lv(v) for v in rl.one_of or [])
    else:
        text = f"{label} must be {lv(rl.is_)}"
    if rl.caveat_ok:
        text += " (lifted if national caveats let it opt out)"
    if rl.kinds:
        text += "; applies to " + ", ".join(wd.kind(C, k) for k in rl.kinds)
    return text


def evidence_for(C: Compiled, code: str, rid: str) -> list[Evidence]:
    """The red line's own evidence, else the state's evidence that supports it."""
    rl = red_line(C, code, rid)
    if rl is not None and rl.evidence:
        return list(rl.evidence)
    key = f"red_lines.{rid}"
    return [ev for ev in C.scenario.states[code].evidence if key in ev.supports]


def cite(ev: Evidence) -> str:
    """One piece of evidence: the words, then who, when and where."""
    said = f'"{ev.quote.strip()}"' if ev.quote else f"(paraphrase) {ev.paraphrase.strip()}"
    who = ", ".join(x for x in (ev.speaker, ev.date) if x)
    tail = f" — {who}" if who else ""
    reported = " (reported)" if ev.reported else ""
    return f"{said}{tail}{reported}. Source: {ev.source}"


def contribution(C: Compiled, w: Week) -> str:
    """'12,150 combat troops' or '—'."""
    if not w.kind or w.pledge <= 0:
        return "—"
    text = wd.pledge(C, w.kind, w.pledge)
    if w.vetoed:
        text += " (vetoed: not counted)"
    elif not w.counted and w.stance == "committed":
        text += " (not counted toward the target)"
    return text


def holding_back(w: Week, ex: Explanation, short: bool = False) -> str:
    """What keeps the state where it is this week, in a few words (fewer if `short`)."""
    if w.stance == "committed":
        return "—"
    lines = w.bindings or ([w.binding] if w.binding else [])
    if lines:
        s = "s" if len(lines) > 1 else ""
        if short:
            return f"red line{s} " + ", ".join(wd.red_line(ex.C, r) for r in lines)
        return f"red line{s} " + wd.join([f"`{r}` ({wd.red_line(ex.C, r)})" for r in lines])
    if not w.gate_open:
        if short:
            return f"clarity {w.clarity:.2f} < {ex.threshold:.2f}"
        return f"waiting for clarity ({w.clarity:.2f} < {ex.threshold:.2f})"
    rung = "offered" if w.stance != "offered" else "committed"
    if short:
        return f"payoff below {rung} ({_num(ex.thresholds[rung])})"
    return f"payoff {w.payoff:+.2f} below the {rung} level ({ex.thresholds[rung]:+.2f})"


def flip_text(C: Compiled, w: Week) -> str:
    """The concession that would flip the state this week, in words."""
    f = w.flip
    if f is None:
        return "— (committed)"
    if f.how == "none":
        text = "nothing on the broker's menu"
        if f.lifts:
            text += (
                f" ({concession_label(C, f.lifts)} would lift the red line, but the payoff, "
                f"{_num(f.lifted_payoff)}, would stay below the {f.to} level)"
            )
        return text
    if f.how == "bundle":
        first = f"; it asks first for {concession_label(C, f.concession)}" if f.concession else ""
        text = f"only the whole remaining menu together{first}"
    else:
        why = " (its demand)" if f.how == "demand" else ""
        text = f"{concession_label(C, f.concession)}{why}"
    text += f" → {f.to} ({f.payoff:+.2f})"
    if w.stance != "offered" and not w.gate_open and not w.binding:
        text += ", once clarity allows"
    if f.veto_losses:
        text += "; but " + " and ".join(f.veto_losses) + " would then reject the mandate"
    return text


def _num(x: float) -> str:
    return f"{x:+.2f}"


def flip_short(C: Compiled, w: Week) -> str:
    """The concession that would flip the state, in a few words (terminal table)."""
    f = w.flip
    if f is None:
        return "—"
    if f.how == "none":
        return "none on the menu" + (
            f" ({concession_label(C, f.lifts).lower()} lifts the red line only)" if f.lifts else ""
        )
    text = "whole menu" if f.how == "bundle" else concession_label(C, f.concession).lower()
    text += f" → {f.to}"
    if w.stance != "offered" and not w.gate_open and not w.binding:
        text += " once clarity allows"
    if f.veto_losses:
        text += " (" + ", ".join(f.veto_losses) + " rejects)"
    return text


def peer_text(C: Compiled, w: Week) -> str:
    """Conformity pull and which followed peers were committed or declined."""
    parts = [f"{w.conformity:+.2f}"]
    if w.peers_committed:
        parts.append("committed: " + ", ".join(w.peers_committed))
    if w.peers_declined:
        parts.append("declined: " + ", ".join(w.peers_declined))
    return "; ".join(parts)


def headline(ex: Explanation) -> str:
    """Two or three sentences: where the state ended and why."""
    C, last = ex.C, ex.weeks[-1]
    out = [f"{ex.name} ended the run **{last.stance}**"]
    if last.stance in ("offered", "committed") and last.kind:
        out[0] += f" with {contribution(C, last)}"
    since = _final_since(ex)
    if since > 1:
        out[0] += f" (from week {since})"
    out[0] += "."
    if last.stance != "committed":
        out.append(f"What held it back at the end: {holding_back(last, ex)}.")
        if last.flip is not None:
            out.append(f"The concession that would flip it: {flip_text(C, last)}.")
    gaps = [w.week for w in ex.weeks if not w.gate_open]
    if gaps:
        out.append(
            f"Its clarity threshold in this run is {ex.threshold:.2f}; the terms were below it "
            f"in {len(gaps)} of {len(ex.weeks)} weeks."
        )
    if ex.peers:
        mean = float(np.mean([w.conformity for w in ex.weeks]))
        out.append(
            f"It follows {wd.join([wd.bloc(C, b) for b in ex.follows])} "
            f"(conformity weight {ex.conformity_weight:.2f}); the peers' pull averaged "
            f"{mean:+.2f} over the run."
        )
    return " ".join(out)


def _final_since(ex: Explanation) -> int:
    last = ex.weeks[-1].stance
    since = ex.weeks[-1].week
    for w in reversed(ex.weeks):
        if w.stance != last:
            break
        since = w.week
    return since


def run_line(ex: Explanation) -> str:
    """Which run, and how it ended."""
    o = ex.outcome
    which = (
        f"run {ex.run}, the representative run of {ex.runs_in_ensemble} "
        f"(seed {ex.C.scenario.run.seed})"
        if ex.representative
        else f"run {ex.run} (seed {ex.C.scenario.run.seed})"
    )
    coalition = ", ".join(o["coalition"].split(";")) if o["coalition"] else "none"
    return (
        f"{which}: after {o['rounds']} weeks {OUTCOME_WORDS[o['outcome']]}, counted force "
        f"{force(o['force'])}; counted contributors: {coalition}."
    )


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


def draw_waterfall(ex: Explanation, out_dir: Path) -> dict:
    """The final week's payoff as a waterfall: waterfall_<ID>.png/.svg in out_dir."""
    last = ex.weeks[-1]
    kind = ex.C.scenario.kinds[last.considered].label.lower()
    note = None
    if last.binding:
        lines = last.bindings or [last.binding]
        s = "s" if len(lines) > 1 else ""
        verb = "bind" if len(lines) > 1 else "binds"
        note = (
            f"Red line{s} {wd.join([wd.red_line(ex.C, r) for r in lines])} {verb}: "
            "the stance is capped whatever the payoff."
        )
    elif not last.gate_open:
        note = "Clarity below its threshold: the stance is held whatever the payoff."
    meta = {"title": ex.C.scenario.title, "thresholds": ex.thresholds, "note": note}
    context = f"run {ex.run}, week {last.week}, as {kind}, stance {last.stance}"
    title = f"{ex.name} ({ex.code}): payoff for joining, component by component"
    chart = waterfall.draw(ex.row, meta, out_dir, f"waterfall_{ex.code}", title, context)
    ex.charts["waterfall"] = chart
    return chart


def red_line_section(ex: Explanation) -> list[str]:
    """Every red line that bound in the run (not only the first of each week), with its
    weeks and its evidence."""
    C = ex.C
    lines: list[str] = []
    bound = list(dict.fromkeys(r for w in ex.weeks for r in _lines(w)))
    for rid in bound:
        rl = red_line(C, ex.code, rid)
        weeks = [w.week for w in ex.weeks if rid in _lines(w)]
        lines.append(
            f"**`{rid}`** ({wd.red_line(C, rid)}): {describe(C, rl) if rl else words(rid, C)}. "
            f"Binding in {_spans(weeks)}."
        )
        lines.append("")
        evidence = evidence_for(C, ex.code, rid)
        for ev in evidence:
            lines.append(f"> {cite(ev)}")
            lines.append(">")
        if evidence:
            lines.pop()
        else:
            lines.append("> No evidence is recorded for this red line in the scenario file.")
        note = C.scenario.states[ex.code].judgement.get(f"red_lines.{rid}")
        if note:
            lines += ["", f"Modeller's reading: {note}"]
        lines.append("")
    if not bound:
        own = C.scenario.states[ex.code].red_lines
        if own:
            lines.append(
                f"No red line of {ex.name} bound in this run; its red lines ("
                + "; ".join(f"`{r.id}`: {describe(C, r)}" for r in own)
                + ") were met by the mandate."
            )
        else:
            lines.append(f"{ex.name} states no red line in this scenario.")
        lines.append("")
    return lines


def _lines(w: Week) -> list[str]:
    """The red lines binding the state in week w (all of them, first first)."""
    return w.bindings or ([w.binding] if w.binding else [])


def _spans(weeks: list[int]) -> str:
    """[1,2,3,7] -> 'weeks 1–3 and 7'."""
    spans, start, prev = [], None, None
    for w in weeks:
        if start is None:
            start = prev = w
        elif w == prev + 1:
            prev = w
        else:
            spans.append((start, prev))
            start = prev = w
    if start is not None:
        spans.append((start, prev))
    parts = [f"{a}" if a == b else f"{a}–{b}" for a, b in spans]
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return ("week " if len(weeks) == 1 else "weeks ") + text


def markdown(ex: Explanation) -> str:
    """The whole explain_<ID>.md."""
    C = ex.C
    lines = [
        f"# Why {ex.name} ({ex.code}) did what it did",
        "",
        f"*{C.scenario.title}* — {run_line(ex)}",
        "",
        headline(ex),
        "",
        "## Week by week",
        "",
        "| week | stance | contribution | payoff | binding red lines | clarity | "
        "peers (pull; committed / declined) | demand sent | concession that would flip it |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for w in ex.weeks:
        gate = f"{w.clarity:.2f}" + ("" if w.gate_open else " (below)")
        lines.append(
            f"| {w.week} | {w.stance} | {contribution(C, w)} | {w.payoff:+.2f} | "
            f"{', '.join(_lines(w)) or '—'} | {gate} | {peer_text(C, w)} | "
            f"{concession_label(C, w.demand) if w.demand else '—'} | {flip_text(C, w)} |"
        )
    lines += ["", "## The binding red lines and their evidence", ""]
    lines += red_line_section(ex)
    lines += ["## Payoff components", ""]
    chart = ex.charts.get("waterfall")
    if chart:
        lines += [f"![{chart['title']}]({chart['png']})", "", chart["caption"], ""]
    lines += [
        "The payoff for joining, at the kind shown, is the sum of the components "
        "(positive helps, negative holds back). Stance thresholds: conditional "
        f"{ex.thresholds['conditional']:+.2f}, offered {ex.thresholds['offered']:+.2f}, "
        f"committed {ex.thresholds['committed']:+.2f}.",
        "",
        "| week | kind | " + " | ".join(words(c) for c in waterfall.COMPONENTS) + " | payoff |",
        "|---|---|" + "---|" * (len(waterfall.COMPONENTS) + 1),
    ]
    for w in ex.weeks:
        vals = " | ".join(f"{w.components[c]:+.2f}" for c in waterfall.COMPONENTS)
        kind = C.scenario.kinds[w.considered].label.lower()
        lines.append(f"| {w.week} | {kind} | {vals} | {w.payoff:+.2f} |")
    lines += ["", "## Peer influence", ""]
    lines += peer_section(ex)
    lines += ["", "## Demands and the concession that would flip it", ""]
    lines += demand_section(ex)
    return "\n".join(lines) + "\n"


def peer_section(ex: Explanation) -> list[str]:
    """Who the state follows and how their stances pulled it."""
    C = ex.C
    if not ex.peers:
        return [f"{ex.name} follows no bloc with other states in this scenario: no peer pull."]
    if not C.scenario.run.mechanisms.conformity:
        return ["Conformity is switched off in this scenario: peers exert no pull."]
    names = ", ".join(f"{C.scenario.states[p].name} ({p})" for p in ex.peers)
    out = [
        f"{ex.name} follows {wd.join([wd.bloc(C, b) for b in ex.follows])}: {names}. "
        f"Its conformity weight in this run is {ex.conformity_weight:.2f}; the pull is that "
        "weight times (share of those peers committed − share declined) at the end of the "
        "previous week.",
        "",
    ]
    prev = None
    for w in ex.weeks:
        key = (tuple(w.peers_committed), tuple(w.peers_declined))
        if key != prev:
            out.append(f"- Week {w.week}: pull {peer_text(C, w)}.")
        prev = key
    return out


def demand_section(ex: Explanation) -> list[str]:
    """The demands sent, grouped over the weeks they were sent."""
    C = ex.C
    sent: dict[str, list[int]] = {}
    for w in ex.weeks:
        if w.demand:
            sent.setdefault(w.demand, []).append(w.week)
    out = []
    if sent:
        for cid, wk in sent.items():
            out.append(f"- Demanded **{concession_label(C, cid)}** (`{cid}`) in {_spans(wk)}.")
    else:
        out.append(f"- {ex.name} sent no demand to the broker in this run.")
    made = [x for x in str(ex.outcome.get("concessions") or "").split(";") if x]
    if made:
        got = []
        for item in made:
            cid, _, rnd = item.rpartition("@")
            got.append(f"{concession_label(C, cid)} (week {rnd})")
        out.append("- The broker conceded: " + "; ".join(got) + ".")
    last = ex.weeks[-1]
    if last.flip is not None:
        out.append(f"- At the end, the concession that would flip it: {flip_text(C, last)}.")
    return out


def write(ex: Explanation, out_dir: Path) -> Path:
    """Write explain_<ID>.md and its waterfall into out_dir; return the markdown path.

    The folder is written atomically, as `forcegen run` writes its own: it is
    assembled under a hidden name and renamed into place when complete.
    """
    out_dir = Path(out_dir)
    name = f"explain_{ex.code}.md"
    with atomic_folder(out_dir) as tmp:
        draw_waterfall(ex, tmp)
        (tmp / name).write_text(markdown(ex), encoding="utf-8")
    return out_dir / name


def _week_table(C: Compiled, ex: Explanation) -> Table:
    tab = Table(title="Week by week", title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1))
    for col, just in (
        ("wk", "right"),
        ("stance", "left"),
        ("contribution", "left"),
        ("payoff", "right"),
        ("held back by", "left"),
        ("peers", "right"),
        ("demand", "left"),
        ("would flip it", "left"),
    ):
        tab.add_column(col, justify=just)
    for w in ex.weeks:
        tab.add_row(
            str(w.week),
            w.stance,
            contribution(C, w),
            _num(w.payoff),
            holding_back(w, ex, short=True),
            _num(w.conformity),
            concession_label(C, w.demand).lower() if w.demand else "—",
            flip_short(C, w),
        )
    return tab


def print_explanation(console: Console, ex: Explanation) -> None:
    """The explanation on the terminal."""
    C = ex.C
    console.print(f"[bold]Why {ex.name} ({ex.code}) did what it did[/bold]")
    console.print(f"{C.scenario.title} — {run_line(ex)}", highlight=False)
    console.print(headline(ex).replace("**", ""), highlight=False)
    if console.width >= WIDE:
        console.print(_week_table(C, ex))
    else:
        console.print("[bold]Week by week[/bold]")
        for w in ex.weeks:
            console.print(
                f"[bold]{w.week:>3}[/bold] {w.stance:<11} {_num(w.payoff):>6}  "
                f"{contribution(C, w)} · held back by: {holding_back(w, ex, short=True)}",
                highlight=False,
            )
            console.print(
                f"    peers {_num(w.conformity)} · demand: "
                f"{concession_label(C, w.demand).lower() if w.demand else '—'} · "
                f"would flip it: {flip_short(C, w)}",
                style="dim",
                highlight=False,
            )
    console.print(
        "peers: pull of the blocs it follows; demand: the concession it asked the broker for",
        style="dim",
    )
    console.print("[bold]Binding red lines and their evidence[/bold]")
    for line in red_line_section(ex):  # soft wrap: a source's URL stays whole, copyable
        console.print(
            line.replace("**", "").replace("`", ""), highlight=False, markup=False, soft_wrap=True
        )
    console.print("[bold]Peer influence[/bold]")
    for line in peer_section(ex):
        console.print(line, highlight=False, markup=False)
    console.print("[bold]Demands[/bold]")
    for line in demand_section(ex):
        console.print(line.replace("**", "").replace("`", ""), highlight=False, markup=False)
    chart = ex.charts.get("waterfall")
    if chart:
        console.print(
            f"Payoff components (week {ex.weeks[-1].week}): {chart['caption']}", highlight=False
        )


__all__ = ["explain", "print_explanation", "write"]
