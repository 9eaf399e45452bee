"""The Class view: the teacher's screen and each student's seat, over `classroom`.

The page's address carries who is looking: `?code=K7QM2P&teacher=...` for the
teacher, `?code=K7QM2P&seat=...` for a student holding a seat (the token only
that browser has: a reload keeps the seat), `?code=K7QM2P` for a student
choosing a seat. Every screen follows its session live: a thread per page waits
for the session to change (`Session.wait_change`) and redraws.
"""

from __future__ import annotations

import threading
import time
from urllib.parse import parse_qs, urlencode

import solara

from sim.scenario.arrays import OFFERED, STANCES
from sim.scenario.errors import ScenarioError
from sim.teach.debrief import choice_text
from sim.teach.seat import Choice
from sim.web import scenarios
from sim.web.classroom import (
    REGISTRY,
    TIMER_MAX,
    TIMER_MIN,
    ClassError,
    SeatView,
    Session,
    same_token,
)
from sim.web.text import Md
from sim.web.watch import compiled

NONE = "none"


def query(search: str | None) -> dict[str, str]:
    """The page address's query as a mapping of single values."""
    return {k: v[0] for k, v in parse_qs(search or "").items() if v}


def use_live(session: Session | None) -> int:
    """Redraw when the session changes; the session's version.

    One thread per page waits for the session to change and sets the page's
    state to the new version (which redraws it), until the page goes away.
    """
    version, set_version = solara.use_state(session.version if session else 0)

    def watch(cancel: threading.Event) -> None:
        if session is None:
            return
        seen = session.version
        set_version(seen)
        while not cancel.is_set():
            now = session.wait_change(seen, 0.5)
            if now != seen:
                seen = now
                set_version(now)

    solara.use_thread(watch, dependencies=[id(session)], intrusive_cancel=False)
    return version


@solara.component
def Class(current: solara.Reactive[str]) -> None:
    """The Class view, by the page's address."""
    router = solara.use_router()
    q = query(router.search)

    def go(**params: str) -> None:
        router.push("/class?" + urlencode(params))

    session, problem = None, ""
    if "code" in q:
        try:
            session = REGISTRY.find(q["code"])
        except ClassError as exc:
            problem = str(exc)
    if session is None:
        Lobby(current, go, problem)
    elif "teacher" in q:
        if not same_token(session.teacher, q["teacher"]):
            solara.Error(
                "This is not the teacher's address of this class.", classes=["class-error"]
            )
        else:
            Teacher(session, q["teacher"])
    elif "seat" in q:
        state = session.seat_of(q["seat"])
        if state is None:
            solara.Error(
                "This seat's address is not valid in this class: join with the code again.",
                classes=["class-error"],
            )
        else:
            Student(session, state, q["seat"])
    else:
        Seats(session, go)


@solara.component
def Lobby(current: solara.Reactive[str], go, problem: str) -> None:
    """No class yet: a teacher creates one, a student types its code."""
    code, set_code = solara.use_state("")
    error, set_error = solara.use_state(problem)
    seed, set_seed = solara.use_state(None)
    refused, set_refused = solara.use_state("")

    def join() -> None:
        try:
            session = REGISTRY.find(code)
        except ClassError as exc:
            set_error(str(exc))
            return
        set_error("")
        go(code=session.code)

    def create() -> None:
        rel = current.value
        try:
            C = compiled(rel)
        except ScenarioError as exc:
            set_refused(f"This scenario cannot be opened: {exc}")
            return
        try:
            session = REGISTRY.create(C, seed, rel)
        except ClassError as exc:
            set_refused(str(exc))
            return
        set_refused("")
        go(code=session.code, teacher=session.teacher)

    with solara.Columns([1, 1]):
        with solara.Card("Students: join a class"):
            solara.InputText(
                "Join code (on the teacher's screen)",
                value=code,
                on_value=set_code,
                continuous_update=True,
                classes=["join-code"],
            )
            solara.Button("Join", on_click=join, color="primary", classes=["join"])
            if error:
                solara.Error(error, classes=["class-error"])
        with solara.Card("Teacher: start a class"):
            solara.Select(
                label="Scenario",
                values=list(scenarios.listed()),
                value=current.value,
                on_value=current.set,
            )
            solara.InputInt(
                "Seed (empty: the scenario's)", value=seed, on_value=set_seed, optional=True
            )
            solara.Button("Create a class", on_click=create, color="primary", classes=["create"])
            if refused:
                solara.Error(refused, classes=["scenario-error"])


@solara.component
def Seats(session: Session, go) -> None:
    """A student with the code: take a free seat."""
    use_live(session)
    error, set_error = solara.use_state("")
    Md(f"## Class {session.code}: {session.C.scenario.title}\n\nTake a free seat:")
    if session.state != "lobby":
        solara.Warning("The game has started: seats can no longer be taken.")
        return

    def take(state: str) -> None:
        try:
            token = session.take(state)
        except ClassError as exc:
            set_error(str(exc))
            return
        go(code=session.code, seat=token)

    free = session.free_seats()
    with solara.Row(style={"flex-wrap": "wrap"}):
        for state in session.C.states:
            solara.Button(
                f"{session.name(state)} ({state})",
                on_click=lambda state=state: take(state),
                disabled=state not in free,
                classes=[f"seat-{state}"],
            )
    if error:
        solara.Error(error, classes=["class-error"])


@solara.component
def Teacher(session: Session, token: str) -> None:
    """The teacher's screen: the code, the seats, the timer, start, advance, the debrief."""
    version = use_live(session)
    error, set_error = solara.use_state("")

    def act(fn) -> None:
        try:
            fn()
        except ClassError as exc:
            set_error(str(exc))
            return
        set_error("")

    Md(f"## {session.C.scenario.title}")
    solara.Text(f"Join code: {session.code}", classes=["class-code"], style={"font-size": "28px"})
    taken = [f"{session.name(s)} ({s})" for s in session.C.states if s in session.tokens]
    Md(
        f"Seed {session.seed}. Seats taken: {', '.join(taken) or 'none yet'}. "
        "Students open this page, choose Class, and type the code."
    )
    solara.Switch(
        label="Show students the model's payoff components",
        value=session.show_payoff,
        on_value=lambda v: act(lambda: session.set_payoff_shown(token, v)),
    )
    if session.state != "over":
        TimerControl(session, token, version)
    if session.state == "lobby":
        solara.Button(
            "Start the game",
            on_click=lambda: act(lambda: session.start(token)),
            color="primary",
            classes=["start"],
        )
    week = session.week
    if session.state == "playing" and week is not None:
        chosen = [s for s in session.game.seats if session.choice_of(s) is not None]
        waiting = [s for s in session.game.seats if s not in chosen]
        Md(
            f"**Week {week.week}.** Chosen: {', '.join(chosen) or 'none yet'}; "
            f"waiting for: {', '.join(waiting) or 'nobody'}."
        )
        TimeLeft(session, week.week)
        solara.Button(
            "Advance the week (the model chooses for seats that did not answer)",
            on_click=lambda: act(lambda: session.advance(token)),
            classes=["advance"],
        )
        solara.Preformatted(week.table, classes=["table-text"])
    if error:
        solara.Error(error, classes=["class-error"])
    played = session.model_weeks()
    if played and session.state == "playing":
        Md(
            "*Seats the model played so far (no answer in time):* "
            + "; ".join(f"week {w}: {session.name(c)} ({c}), {why}" for w, c, why in played)
            + ".",
            classes=["model-weeks"],
        )
    News(session, version)
    Debrief(session, version)


@solara.component
def News(session: Session, version: int) -> None:
    """What happened each week, latest first (`version` redraws it: the session changes
    in place, and a component whose arguments are unchanged is not drawn again)."""
    if session.news:
        Md("\n".join(f"- {text}" for _, text in reversed(session.news)))


@solara.component
def Debrief(session: Session, version: int) -> None:
    """The debrief, once the game is over (`version`: as for `News`)."""
    if session.error:
        solara.Error(session.error)
    if session.state == "over" and session.debrief:
        solara.Success("The game is over. The debrief:")
        Replay(session, version)
        with solara.Div(classes=["debrief"]):
            Md(session.debrief)
        solara.FileDownload(
            session.transcript,
            filename=f"class-{session.code}-transcript.md",
            label="Download the transcript (markdown)",
        )


@solara.component
def Replay(session: Session, version: int) -> None:
    """Replay with the model in every seat: the class's game beside the all-model run."""
    error, set_error = solara.use_state("")

    def replay() -> None:
        try:
            session.replay()
        except ClassError as exc:
            set_error(str(exc))

    rows = session.replay_rows
    if rows is None:
        solara.Button(
            "Replay with the model in every seat",
            on_click=replay,
            color="primary",
            classes=["replay-button"],
        )
    else:
        Md(
            f"**Replay: the same scenario and seed ({session.seed}) with the model in every "
            "seat**, beside the class's game.\n\n"
            "| | the class | the model in every seat |\n|---|---|---|\n"
            + "\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows),
            classes=["replay"],
        )
    if error:
        solara.Error(error, classes=["class-error"])


@solara.component
def TimerControl(session: Session, token: str, version: int) -> None:
    """The teacher's timer: seconds a week lasts at most (empty: no timer)."""
    text, set_text = solara.use_state(str(session.timer or ""))
    error, set_error = solara.use_state("")

    def apply() -> None:
        try:
            session.set_timer(token, text)
        except ClassError as exc:
            set_error(str(exc))
            return
        set_error("")

    with solara.Row(style={"align-items": "center"}):
        solara.InputText(
            f"Seconds a week ({TIMER_MIN}–{TIMER_MAX}, empty: none)",
            value=text,
            on_value=set_text,
            continuous_update=True,
            classes=["timer-input"],
            style={"max-width": "22em"},
        )
        solara.Button("Set the timer", on_click=apply, classes=["set-timer"])
        solara.Text(
            f"Timer: {session.timer} s a week; then the model chooses for the seats that "
            "did not answer."
            if session.timer
            else "No timer: a week waits for every seat, or for Advance.",
            classes=["timer-state"],
        )
    if error:
        solara.Error(error, classes=["timer-error"])


@solara.component
def TimeLeft(session: Session, week: int) -> None:
    """The seconds left of this week's timer, counting down (nothing without a timer)."""
    left, set_left = solara.use_state(session.seconds_left())

    def count(cancel: threading.Event) -> None:
        while not cancel.is_set():
            now = session.seconds_left()
            set_left(None if now is None else int(now + 0.999))
            if now is None and session.week is None:
                return
            time.sleep(0.25)

    solara.use_thread(count, dependencies=[id(session), week], intrusive_cancel=False)
    if left is not None:
        solara.Text(f"Time left this week: {int(left)} s", classes=["time-left"])


@solara.component
def Student(session: Session, state: str, token: str) -> None:
    """A student's seat: the table, its panel, its choice for the week."""
    version = use_live(session)
    Md(f"## You are {session.name(state)} ({state}) — class {session.code}")
    if session.state == "lobby":
        solara.Info("Waiting for the teacher to start the game.")
    week = session.week
    if session.state == "playing" and week is not None:
        view = week.seats[state]
        Md(f"### Week {week.week}")
        TimeLeft(session, week.week)
        solara.Preformatted(week.table, classes=["table-text"])
        solara.Preformatted(view.panel, classes=["seat-panel"])
        if session.show_payoff:
            parts = ", ".join(f"{k} {v:+.2f}" for k, v in view.components.items())
            Md(
                f"*The model's payoff for joining, for you this week:* {view.payoff:+.2f} "
                f"({parts})" + (f"; binding red line: {view.binding}" if view.binding else "")
            )
        mine = session.choice_of(state)
        if mine is not None:
            solara.Success(
                f"Your choice for week {week.week}: {choice_text(session.C, mine)}. "
                "Waiting for the other seats (you can still change it).",
                classes=["chosen"],
            )
        ChoiceForm(session, state, token, week.week, view, version).key(f"{state}-{week.week}")
    News(session, version)
    Debrief(session, version)


@solara.component
def ChoiceForm(
    session: Session, state: str, token: str, week: int, view: SeatView, version: int
) -> None:
    """Stance, kind, pledge and demand; sent together, refused with a message."""
    last = session.choice_of(state)
    stance, set_stance = solara.use_state(last.stance if last else "considering")
    kind, set_kind = solara.use_state(last.kind if last and last.kind else NONE)
    pledge, set_pledge = solara.use_state(int(last.pledge) if last else 0)
    demand, set_demand = solara.use_state(last.demand if last and last.demand else NONE)
    error, set_error = solara.use_state("")
    is_in = STANCES.index(stance) >= OFFERED
    kinds = view.kinds if is_in else [NONE, *view.kinds]
    solara.Select(label="Stance", values=list(STANCES), value=stance, on_value=set_stance)
    if view.kinds:
        solara.Select(
            label="Contribution kind"
            if is_in
            else "Kind you would contribute if your demand is met",
            values=kinds,
            value=kind if kind in kinds else kinds[0],
            on_value=set_kind,
        )
    k = kind if kind in kinds else kinds[0] if kinds else NONE
    if k != NONE:
        _low, top, unit = view.ranges[k]
        solara.InputInt(
            f"Pledge (a multiple of {unit:,.0f}, up to {top:,.0f})",
            value=pledge,
            on_value=set_pledge,
            continuous_update=True,
            classes=["pledge"],
        )
    menu = [NONE, *view.menu]
    solara.Select(
        label="Demand (a concession from the broker's menu)",
        values=menu,
        value=demand if demand in menu else NONE,
        on_value=set_demand,
    )

    def send() -> None:
        choice = Choice(
            stance,
            "" if k == NONE else k,
            float(pledge or 0) if k != NONE else 0.0,
            "" if demand == NONE else demand,
        )
        try:
            session.submit(token, state, choice)
        except ClassError as exc:
            set_error(str(exc))
            return
        set_error("")

    solara.Button(
        f"Send my choice for week {week}", on_click=send, color="primary", classes=["send"]
    )
    if error:
        solara.Error(error, classes=["choice-error"])
