"""The Watch view: one run of the Mesa model, week by week.

The run is `Trace(C, seed, run)` (the model `forcegen play` and `explain`
replay): Step plays one week, Play steps it week by week on a timer until it
ends (Pause stops it; the speed is chosen beside it), "Play to the end" plays
the rest at once. The stance grid fills
in (a row per state, a column per week), the counted force and the veto
players' acceptance grow, and each week's story sentence appears
(`sim.analysis.story.week_sentence`, the sentence of the report's story).
Clicking a state shows `forcegen explain` for it in this run.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import solara
from matplotlib.figure import Figure

from sim.analysis import story
from sim.analysis.explain import explain
from sim.analysis.explain.page import markdown
from sim.engine.trace import Trace
from sim.numbers import force
from sim.scenario.arrays import compile_scenario
from sim.scenario.errors import ScenarioError, shown
from sim.web import scenarios
from sim.web.text import Md

SPEEDS = {"1 week a second": 1.0, "2 weeks a second": 0.5, "5 weeks a second": 0.2}
"""Play's speeds: seconds between two weeks."""


@dataclass
class Pace:
    """When Play's next week is due: every `interval` seconds from the first, the time
    a week takes to step and show counted within the interval, not added to it (which
    made "5 weeks a second" play about 1.6 a second). A week that took longer than the
    interval is followed at once, without a burst to catch up."""

    interval: float
    clock: Callable[[], float] = time.monotonic
    due: float | None = None

    def wait(self) -> float:
        """Seconds to wait before the next week (and that week's slot taken)."""
        now = self.clock()
        if self.due is None:
            self.due = now + self.interval
        wait = max(0.0, self.due - now)
        self.due = max(self.due, now) + self.interval
        return wait


COLOURS = {
    "declined": "#c9c9c9",
    "considering": "#fbe7a1",
    "conditional": "#f6b26b",
    "offered": "#9fc5e8",
    "committed": "#6aa84f",
}


def compiled(rel: str):
    """The compiled scenario of a listed file."""
    return compile_scenario(scenarios.load(rel))


def run_problem(C, n: int | None) -> str:
    """Why `n` is no run to watch (one line), '' when it is one: a run of the
    scenario's ensemble, 0 to runs - 1, as `forcegen explain --run` takes. An
    unchecked number reached the random streams: a huge one stopped Step on a
    traceback, a negative one was silently run 0."""
    runs = int(C.scenario.run.runs)
    if n is None or not 0 <= n < runs:
        return (
            f"Run: expected a run number from 0 to {runs - 1} (the scenario's {runs:,} runs), "
            f"got {shown(n) if n is not None else 'nothing'}; still watching the run shown."
        )
    return ""


def week_lines(
    C, tables: dict[str, pd.DataFrame], told: dict[int, str] | None = None
) -> list[tuple[int, str]]:
    """(week, the week's story sentence) for every week played so far.

    `told` keeps the sentences already made for this run, so each week's is made
    once: a week's sentence reads only its own and the week before's rows, which
    later weeks leave as they are. Made afresh on every render, the sentences cost
    a little more each week (0.1 s a render by week 25 of the flagship)."""
    told = {} if told is None else told
    st, rd = tables["states"], tables["rounds"]
    if not len(rd):
        return []
    rd = rd.set_index("round")
    weeks = sorted(int(w) for w in rd.index)
    for t in weeks:
        if t not in told:
            cur = st[st["round"] == t]
            prev = st[st["round"] == t - 1] if t > 1 else None
            last = rd.loc[t - 1] if t > 1 else None
            told[t] = story.week_sentence(C, prev, cur, rd.loc[t], last)
    return [(t, told[t]) for t in weeks]


def grid_html(C, states: pd.DataFrame) -> str:
    """The stance grid: a row per state, a column per week, coloured by stance."""
    if not len(states):
        return "<p>No week played yet.</p>"
    weeks = sorted(int(w) for w in states["round"].unique())
    by = {(r.state, int(r.round)): r.stance for r in states.itertuples()}
    head = "".join(  # every fifth week numbered: two-digit numbers would run together
        f"<th title='week {w}'>{w if w == 1 or w % 5 == 0 else ''}</th>" for w in weeks
    )
    rows = []
    for code in C.states:
        cells = "".join(
            f'<td title="{html.escape(by.get((code, w), ""))}" '
            f'style="background:{COLOURS.get(by.get((code, w), ""), "#fff")};width:14px"></td>'
            for w in weeks
        )
        name = html.escape(C.scenario.states[code].name)
        rows.append(f"<tr><th style='text-align:left'>{name}</th>{cells}</tr>")
    legend = " ".join(
        f'<span style="background:{c};padding:0 6px;margin-right:4px">{s}</span>'
        for s, c in COLOURS.items()
    )
    return (
        f"<table class='stance-grid' style='border-collapse:collapse;font-size:12px'>"
        f"<tr><th>week</th>{head}</tr>{''.join(rows)}</table><p>{legend}</p>"
    )


MARGINS = {"left": 0.12, "right": 0.89, "bottom": 0.34, "top": 0.97}
"""The force line's axes within its figure, fixed: its labels are short and its size
set, and a layout engine would double the cost of the figure drawn every week."""


def force_figure(C, trace: Trace) -> Figure:
    """The counted force week by week against this run's target; acceptance beside it,
    one legend for both below."""
    rd = trace.tables()["rounds"]
    fig = Figure(figsize=(6.5, 3.1))
    fig.subplots_adjust(**MARGINS)
    ax = fig.subplots()
    target = float(trace.params.broker.target[0])
    if len(rd):
        ax.plot(rd["round"], rd["force"], marker="o", color="#1f4e79", label="counted force")
    ax.axhline(target, color="#999", linestyle="--", label=f"target {force(target)}")
    ax.set_xlabel("week")
    ax.set_ylabel("personnel")
    ax.set_xlim(0, max(C.scenario.broker.deadline, 1))
    ax.set_ylim(0, max(target, float(rd["force"].max()) if len(rd) else 0) * 1.1)
    handles = ax.get_legend_handles_labels()[0]
    if len(rd) and C.veto_ids:
        acc = ax.twinx()
        for v in C.veto_ids:
            name = C.scenario.veto_players[v].name
            acc.plot(rd["round"], rd[f"accept.{v}"], linestyle=":", label=f"{name} (acceptance)")
        acc.set_ylim(0, 1.05)
        acc.set_ylabel("acceptance")
        handles += acc.get_legend_handles_labels()[0]
    fig.legend(handles=handles, loc="lower center", ncol=2, fontsize=8, frameon=False)
    return fig


@solara.component
def Watch(current: solara.Reactive[str]) -> None:
    """The view: the chosen scenario's run, or its one-line error (an invalid local file)."""
    rel = current.value

    def build():
        try:
            return compiled(rel), ""
        except ScenarioError as exc:
            return None, str(exc)

    C, problem = solara.use_memo(build, [rel])
    if C is None:
        solara.Error(f"This scenario cannot be opened: {problem}", classes=["scenario-error"])
        return
    Run(rel, C).key(rel)


@solara.component
def Run(rel: str, C) -> None:
    """Step or play one run, see the grid, the force line, the story; explain a state."""
    run, set_run = solara.use_state(0)
    trace = solara.use_memo(lambda: Trace(C, C.scenario.run.seed, run), [rel, run])
    lock = solara.use_memo(threading.RLock, [rel, run])  # one week steps at a time
    week, set_week = solara.use_state(0)
    chosen, set_chosen = solara.use_state("")
    told = solara.use_memo(dict, [rel, run])  # the week sentences made so far
    playing, set_playing = solara.use_state(False)
    speed, set_speed = solara.use_state(next(iter(SPEEDS)))
    refused, set_refused = solara.use_state("")

    def step() -> None:
        with lock:
            if trace.running:
                trace.step()
            set_week(int(trace.model.t))

    def to_end() -> None:
        with lock:
            trace.run_to_end()
            set_week(int(trace.model.t))

    def restart(n: int | None) -> None:
        problem = run_problem(C, n)
        set_refused(problem)
        if problem:
            return
        set_playing(False)
        set_run(int(n or 0))
        set_week(0)
        set_chosen("")

    def autoplay(cancel: threading.Event) -> None:
        """While Play is on: a week every SPEEDS[speed] seconds, until the run ends."""
        if not playing:
            return
        pace = Pace(SPEEDS.get(speed, 1.0))
        while trace.running:
            if cancel.wait(pace.wait()):
                return  # paused, or the run or the speed changed
            with lock:
                if trace.running:
                    trace.step()
                set_week(int(trace.model.t))
        set_playing(False)

    solara.use_thread(autoplay, dependencies=[playing, speed, rel, run], intrusive_cancel=False)

    Md(
        f"**{C.scenario.title}** — run {run} of seed {C.scenario.run.seed}, "
        f"the mandate as `{rel}` sets it (week {week} of at most {C.scenario.broker.deadline})."
    )
    with solara.Row(style={"align-items": "center"}):
        solara.Button(
            "Pause" if playing else "Play",
            on_click=lambda: set_playing(not playing),
            disabled=not trace.running,
            color="primary",
            classes=["play-button"],
        )
        solara.Select(
            label="Speed",
            values=list(SPEEDS),
            value=speed,
            on_value=set_speed,
            style={"max-width": "12em"},
        )
        solara.Button(
            "Step one week",
            on_click=step,
            disabled=playing or not trace.running,
            classes=["step"],
        )
        solara.Button("Play to the end", on_click=to_end, disabled=playing or not trace.running)
        solara.InputInt("Run", value=run, on_value=restart, style={"max-width": "8em"})
        solara.Text(f"Week {week}", classes=["week-counter"], style={"font-size": "20px"})
    if refused:
        solara.Error(refused, classes=["run-error"])
    with lock:
        tables = trace.tables()
    if not trace.running and week:
        solara.Success(
            f"The run is over: {story.OUTCOME_WORDS.get(trace.model.outcome_name, 'ended')}."
        )
    with solara.Columns([3, 2]):
        with solara.Column():
            solara.HTML(tag="div", unsafe_innerHTML=grid_html(C, tables["states"]))

            def draw() -> Figure:
                with lock:
                    return force_figure(C, trace)

            fig = solara.use_memo(draw, [rel, run, week])
            solara.FigureMatplotlib(fig, dependencies=[rel, run, week], format="png", dpi=80)
        with solara.Column():
            Md(
                "\n".join(
                    f"- **Week {t}.** {text}" for t, text in reversed(week_lines(C, tables, told))
                )
                or "Press *Step one week*."
            )
    Md("**Explain a state** (why it did what it did in this run):")
    with solara.Row(style={"flex-wrap": "wrap"}):
        for code in C.states:
            solara.Button(
                C.scenario.states[code].name,
                on_click=lambda code=code: set_chosen(code),
                small=True,
                outlined=code != chosen,
                classes=[f"explain-{code}"],
            )
    text = solara.use_memo(
        lambda: markdown(explain(C, chosen, run)) if chosen else "", [rel, run, chosen]
    )
    if text:
        Md(text)
