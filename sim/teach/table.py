"""What the players see each week: the table, each seat's own panel, the week's news.

Everything shown that depends on a judgement call is this run's own drawn
value (the target, the minimum, a seat's capacity), read from the run's
parameters; whether a red line is met is asked of the red-line rule itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich import box
from rich.console import Console
from rich.table import Table

from sim.analysis import story
from sim.analysis import words as wd
from sim.analysis.explain import describe
from sim.analysis.report import mandate_words
from sim.engine.trace import Trace
from sim.numbers import force
from sim.rules import demands, red_lines, vetoes
from sim.scenario.arrays import OFFERED, Compiled
from sim.scenario.schema import RedLine

if TYPE_CHECKING:
    from sim.engine.model import ForceModel


def show_week(console: Console, C: Compiled, trace: Trace, seats: list[str]) -> None:
    """The mandate, the pledged force against this run's target, veto players, hosts, and
    the other states' stances and demands at the end of last week."""
    model, P = trace.model, trace.params
    clarity = float(model.mandate[0, C.cols.col[C.scenario.force.clarity_term]])
    target = float(P.broker.target[0])
    minimum = float(P.broker.minimum_viable[0])
    console.rule(f"Week {model.t} of {C.scenario.broker.deadline}")
    terms = C.cols.decode(model.mandate[0])
    console.print(
        f"[bold]Mandate[/bold] (clarity of the terms {clarity:.2f}): " + mandate_now(C, terms),
        highlight=False,
    )
    made = [
        wd.concession(C, C.concessions[j])
        for j in range(len(C.concessions))
        if model.broker.made_round[j] >= 0
    ]
    if made:
        console.print("Conceded so far: " + "; ".join(made) + ".", highlight=False)
    acc = ", ".join(
        f"{C.scenario.veto_players[v.vid].name} {v.acceptance:.2f} "
        f"({'accepts' if v.accepts else 'rejects'})"
        for v in model.veto_players
    )
    hosts = ", ".join(f"{C.scenario.hosts[h.hid].name} {h.consent:.2f}" for h in model.hosts)
    console.print(
        f"[bold]Pledged force[/bold] (counted): {force(model.force)} of a target of "
        f"{force(target)} (minimum {force(minimum)} at the deadline). "
        f"Veto players: {acc or 'none'}." + (f" Host consent: {hosts}." if hosts else ""),
        highlight=False,
    )
    last = trace.snapshots[-1].decision if trace.snapshots else None
    barred = barred_now(C, P, last)
    tab = Table(box=box.SIMPLE_HEAD, padding=(0, 1), title="The other states (last week)")
    for col in ("state", "stance", "contribution", "demand"):
        tab.add_column(col)
    for s in model.contributors:
        if s.code in seats:
            continue
        demand = int(last.demand[0, s.index]) if last is not None else -1
        tab.add_row(
            f"{s.name} ({s.code})",
            s.stance_name,
            pledge_text(C, s.kind_name, s.pledge, bool(barred[0, s.index, max(s.kind, 0)]))
            if s.stance >= OFFERED
            else "—",
            wd.concession(C, C.concessions[demand]) if demand >= 0 else "—",
        )
    console.print(tab)


def seat_panel(console: Console, C: Compiled, trace: Trace, code: str) -> list[str]:
    """Shown to a seat before it answers: its last stance, capacity (this run's), red
    lines and whether the mandate as it stands meets them; returns the kinds it offers."""
    model, P = trace.model, trace.params
    i = C.states.index(code)
    spec = C.scenario.states[code]
    me = model.contributors[i]
    last = trace.snapshots[-1].decision if trace.snapshots else None
    vetoed = bool(barred_now(C, P, last)[0, i, max(me.kind, 0)])
    console.print(
        f"[bold]You are {spec.name} ({code}).[/bold] Last week: {me.stance_name}"
        + (f", {pledge_text(C, me.kind_name, me.pledge, vetoed)}" if me.kind >= 0 else "")
        + ".",
        highlight=False,
    )
    offers = []
    for k, kind in enumerate(C.kinds):
        cap = float(P.state.capacity[0, i, k])
        unit = float(P.kind.unit[0, k])
        if cap >= unit:
            top = wd.amount(C, kind, cap // unit * unit)
            offers.append((kind, f"up to {top} in steps of {wd.amount(C, kind, unit)}"))
    console.print(
        "Your capacity: " + "; ".join(f"{wd.kind(C, k)} {text}" for k, text in offers) + ".",
        highlight=False,
    )
    met = lines_met(C, model)
    for n, rl in zip(_own_lines(C, i), spec.red_lines, strict=True):
        console.print(
            f"Your stated red line '{wd.red_line(C, rl.id)}' ({rl.id}): "
            f"{red_line_status(C, rl, bool(met[n]))}",
            highlight=False,
        )
    by = [C.scenario.veto_players[v].name for v in vetoes.vetoed_by(C, code)]
    if by:
        console.print(f"{', '.join(by)} rejects you as a contributor: your pledge would not count.")
    if me.paid:
        console.print(f"Side payments received so far: {me.paid:.2f} (payoff units).")
    return [kind for kind, _ in offers]


def _own_lines(C: Compiled, i: int) -> list[int]:
    """Indices of state i's red lines among all red lines, in file order."""
    return [n for n in range(len(C.red_ids)) if C.red["owner"][n] == i]


def lines_met(C: Compiled, model: ForceModel):
    """(L,): each red line is met by the mandate as it stands, in the world the states
    see this week (the red-line rule, with its lift by national caveats)."""
    w = model.world
    world = demands.world_conditions(C, model.P, w.m, w.level, w.consent_ok, w.accepts, w.cond)
    return red_lines.held(C, w.m, world)[0]


def red_line_status(C: Compiled, rl: RedLine, met: bool) -> str:
    """A red line in words, and whether it is met as things stand."""
    verdict = "met" if met else "NOT met"
    if rl.requires:
        return (
            f"{describe(C, rl)} — {verdict} as things stand "
            "(it depends on the situation, not only the terms)."
        )
    return f"{describe(C, rl)} — {verdict} by the mandate as it stands."


def open_concessions(C: Compiled, model: ForceModel) -> list[str]:
    """Concessions not yet made that would change the mandate as it stands."""
    made = (model.broker.made_round >= 0)[None]
    open_ = demands.open_menu(C, model.mandate, made)[0]
    return [cid for j, cid in enumerate(C.concessions) if open_[j]]


def barred_now(C: Compiled, P, last):
    """(1, S, K): the kinds a veto bars, as of the last week played (the fixed
    vetoes before the first)."""
    if last is not None and last.barred is not None:
        return last.barred
    return vetoes.vetoed(P, C.scenario.run.mechanisms)


def pledge_text(C: Compiled, kind: str, pledge: float, vetoed: bool = False) -> str:
    """'3,000 combat troops', marked when it would not count toward the target."""
    if not kind:
        return "—"
    text = wd.pledge(C, kind, pledge)
    if kind not in C.scenario.force.counts:
        text += " (not counted)"
    elif vetoed:
        text += " (vetoed: not counted)"
    return text


def mandate_now(C: Compiled, terms: dict) -> str:
    """The mandate as it stands, in words (clarity left out: it is shown apart)."""
    return mandate_words(C, terms, skip=(C.scenario.force.clarity_term,)) + "."


def week_report(console: Console, C: Compiled, trace: Trace) -> None:
    """After a week: what happened at the table, and the end of the game if it ended."""
    tables = trace.tables()
    st, rd = tables["states"], tables["rounds"].set_index("round")
    t = int(rd.index.max())
    cur = st[st["round"] == t]
    prev = st[st["round"] == t - 1] if t > 1 else None
    last = rd.loc[t - 1] if t > 1 else None
    text = story.week_sentence(C, prev, cur, rd.loc[t], last)
    console.print(f"[bold]Week {t}:[/bold] {text}", highlight=False)
    outcome = trace.model.outcome_name
    if outcome != "running":
        console.print(
            f"[bold]The game is over:[/bold] {story.OUTCOME_WORDS[outcome]}.", highlight=False
        )
