"""The transcript of a game (transcript.md): the weeks as played, the debrief, the charts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.analysis import story
from sim.analysis import words as wd
from sim.analysis.report import force_range, mandate_text
from sim.numbers import force
from sim.teach.debrief import choice_text, debrief_lines
from sim.teach.game import RUN

if TYPE_CHECKING:
    from sim.teach.game import Game


def transcript(game: Game, model_tables: dict | None, charts: list[dict]) -> str:
    """The whole transcript: the weeks as played, then the debrief and the charts."""
    C = game.C
    seats = ", ".join(f"{C.scenario.states[c].name} ({c})" for c in game.seats)
    lines = [
        f"# Classroom game: {C.scenario.title}",
        "",
        f"Human seats: {seats}. Seed {game.seed} (run {RUN}). The model played every other seat.",
        "",
        f"Starting mandate: {mandate_text(C)}.",
        "",
        size_line(game),
        "",
        "## The weeks as played",
        "",
    ]
    tables = game.trace.tables()
    st, rd = tables["states"], tables["rounds"]
    by_week = {t.week: [] for t in game.turns}
    for t in game.turns:
        by_week[t.week].append(t)
    rd = rd.set_index("round") if len(rd) else rd
    for week in sorted(by_week):
        lines.append(f"### Week {week}")
        lines.append("")
        for t in by_week[week]:
            lines.append(f"- **{C.scenario.states[t.code].name} (you)**: {choice_text(C, t.you)}.")
        if len(rd) and week in rd.index:
            cur = st[st["round"] == week]
            prev = st[st["round"] == week - 1] if week > 1 else None
            last = rd.loc[week - 1] if week > 1 else None
            text = story.week_sentence(C, prev, cur, rd.loc[week], last)
            acc = "; ".join(
                f"{C.scenario.veto_players[v].name} {rd.loc[week, f'accept.{v}']:.2f}"
                for v in C.veto_ids
            )
            asks = "; ".join(
                f"{C.scenario.veto_players[v].name} asks for "
                f"{story._lower_first(wd.concession(C, rd.loc[week, f'demand.{v}']))}"
                for v in C.veto_ids
                if rd.loc[week].get(f"demand.{v}", "")
            )
            lines.append(
                f"- The table: {text}"
                f" Counted force {force(rd.loc[week, 'force'])}; clarity "
                f"{rd.loc[week, 'clarity']:.2f}"
                + (f"; acceptance: {acc}" if acc else "")
                + (f"; {asks}" if asks else "")
                + "."
            )
        lines.append("")
    if game.ended_early:
        lines += [f"*Input ended in week {game.ended_early}: the game stopped there.*", ""]
    if model_tables is not None:
        lines += debrief_lines(game, model_tables)
    if charts:
        lines += ["## Charts", ""]
        for chart in charts:
            lines += [f"### {chart['title']}", "", f"![{chart['title']}]({chart['png']})", ""]
            lines += [chart["caption"], ""]
    return "\n".join(lines).rstrip() + "\n"


def size_line(game: Game) -> str:
    """The force the broker seeks in this game: the run's own drawn target and minimum
    (with the scenario's range when they are drawn)."""
    b, P = game.C.scenario.broker, game.trace.params
    target, minimum = float(P.broker.target[0]), float(P.broker.minimum_viable[0])

    def drawn(value: float, spec) -> str:
        shown = force(value)
        return f"{shown} ({force_range(spec)} across runs)" if isinstance(spec, tuple) else shown

    return (
        f"The broker seeks {drawn(target, b.target)} in this game and accepts at least "
        f"{drawn(minimum, b.minimum_viable)} at the deadline of {b.deadline} weeks."
    )
