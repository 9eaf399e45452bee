"""Class sessions: join codes, seats, per-seat tokens, and the game they play.

A teacher creates a `Session` (a scenario and a seed) and gets a join code;
students join with the code and each takes a free seat (a state), receiving a
token that only their browser holds (it is in their page's address, so a
reload keeps the seat). Every action on a seat needs its token; every
teacher's action needs the teacher's token.

The game is `sim.teach.game.Game`, the one `forcegen play` runs: the same
Mesa model, the same run (run 0 of the seed), the human seats' choices put in
place of their agents' decisions by the same `apply_choices`. Here the game
runs in its own thread: each week it stops in the model's decision hook
(`WebGame.choose`), publishes what the seats see, and waits until every human
seat has chosen, the teacher advances the week, or the teacher's timer ends
(`set_timer`: 10 to 600 seconds a week, read on `Session.clock`, which a test
replaces). A seat that did not answer is left out of the week's choices, so
`Game.adopt` keeps its agent's own decision: the model plays it that week, and
the debrief and the transcript say so ('model (timed out)'). After the game,
`replay` runs the same scenario and seed with no seat (the all-model run) and
sets its outcome beside the class's. A choice is checked when it is sent
(`sim.teach.options.check`, the rules the terminal asks within): a refused
choice changes nothing.

Nothing here imports the web framework: the page (`sim.web.classview`) calls
these methods, and the tests call them directly.
"""

from __future__ import annotations

import io
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from sim.analysis import words as wd
from sim.engine.trace import Trace
from sim.rules.decide import Decision
from sim.scenario.arrays import Compiled
from sim.scenario.errors import shown
from sim.teach import options, table
from sim.teach.debrief import COMPONENT_WORDS, debrief_lines, outcome_rows
from sim.teach.game import RUN, Game
from sim.teach.seat import Choice, model_turn
from sim.teach.transcript import transcript

if TYPE_CHECKING:
    from sim.engine.model import ForceModel

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Join-code letters: no 0/O, 1/I, so a code read off a projector is typed right."""
CODE_LENGTH = 6
CODE_PATTERN = re.compile(rf"^[{ALPHABET}]{{{CODE_LENGTH}}}$")
WAIT = 30.0
"""Longest a caller waits for the game thread to reach the next week (seconds)."""
TIMER_MIN, TIMER_MAX = 10, 600
"""The teacher's timer: seconds a week lasts at most (or no timer)."""
POLL = 0.2
"""How often a week with a timer looks at the clock (seconds)."""
TIMED_OUT = "timed out"
ADVANCED = "the teacher advanced the week"
"""Why the model chose for a seat that week (`Session.passed_why`)."""


def timer_seconds(raw) -> int:
    """The seconds a timer is set to ('45' -> 45; '', None, 0, 'off' -> 0: no timer);
    ClassError for anything else (a fraction, a word, out of bounds)."""
    text = str(raw if raw is not None else "").strip().lower()
    if text in ("", "0", "off", "none"):
        return 0
    if not re.fullmatch(r"\d{1,6}", text) or not TIMER_MIN <= int(text) <= TIMER_MAX:
        raise ClassError(
            f"Timer: expected a whole number of seconds from {TIMER_MIN} to {TIMER_MAX} "
            f"(or empty for no timer), got {shown(str(raw).strip())}."
        )
    return int(text)


SEED_MAX = 2**63 - 1
"""The largest seed, as a scenario's `run.seed` allows it."""


def seed_value(raw) -> int:
    """A class's seed (a whole number from 0 to SEED_MAX, a scenario's seed range);
    ClassError otherwise. A negative seed stopped Start on a traceback; one past
    SEED_MAX played a seed no scenario file or `forcegen play --seed` takes."""
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= SEED_MAX:
        raise ClassError(
            f"Seed: expected a whole number from 0 to {SEED_MAX:,} (or empty for the "
            f"scenario's), got {shown(raw)}."
        )
    return raw


def pledge_value(raw) -> float:
    """A choice's pledge as a number; ClassError (one line) for what is none, which
    `float` would raise as a TypeError or ValueError past the page's error line."""
    try:
        return float(raw)
    except (TypeError, ValueError, OverflowError):
        raise ClassError(f"Pledge: expected a number, got {shown(raw)}.") from None


def same_token(held: str, given) -> bool:
    """Whether an address's token is the one held, in constant time (a guess learns
    nothing from how long the check took). Compared as UTF-8 bytes: an address may
    carry any text, and `secrets.compare_digest` refuses strings that are not ASCII."""
    if not isinstance(given, str):
        return False
    return secrets.compare_digest(held.encode(), given.encode("utf-8", "surrogatepass"))


class StoppedError(Exception):
    """The session was stopped while the game waited for its seats."""


class ClassError(ValueError):
    """A request the class cannot take (its message is shown on the page as is)."""


def normal_code(raw: str) -> str:
    """A join code as typed ('ab3 d7k' -> 'AB3D7K'); ClassError when malformed."""
    code = re.sub(r"[\s-]", "", str(raw or "")).upper()
    if not CODE_PATTERN.match(code):
        raise ClassError(
            f"{shown(str(raw).strip())} is not a join code: a code is {CODE_LENGTH} letters and "
            "digits, as the teacher's screen shows it (e.g. K7QM2P)."
        )
    return code


@dataclass
class SeatView:
    """What one seat sees before it chooses this week."""

    code: str
    name: str
    panel: str  # its own panel, as `forcegen play` prints it
    kinds: list[str]  # kinds it can offer (capacity of at least one unit)
    ranges: dict[str, tuple[float, float, float]]  # kind -> (low if in, top, unit)
    menu: list[str]  # demands open this week
    menu_labels: dict[str, str]
    model: Choice  # what the model's agent would choose (shown only with the payoff)
    payoff: float
    components: dict[str, float]
    binding: str


@dataclass
class Week:
    """The week the seats are choosing: the table, and each seat's view."""

    week: int
    table: str  # the table, as `forcegen play` prints it
    seats: dict[str, SeatView]


class WebGame(Game):
    """`Game` whose seats answer from browsers: `choose` waits for the session."""

    session: Session | None = None

    def choose(self, model: ForceModel, dec: Decision) -> dict[str, Choice]:
        assert self.session is not None
        return self.session._week_choices(model, dec)


def _capture(draw) -> str:
    """What a terminal function prints, as plain text."""
    console = Console(file=io.StringIO(), record=True, width=110, color_system=None)
    draw(console)
    return console.export_text()


@dataclass
class Session:
    """One class: a scenario, a seed, seats, a game."""

    C: Compiled
    seed: int
    code: str
    teacher: str  # the teacher's token
    scenario: str = ""  # the file, for the page
    show_payoff: bool = True
    tokens: dict[str, str] = field(default_factory=dict)  # state -> its seat's token
    state: str = "lobby"  # lobby, playing, over
    week: Week | None = None
    pending: dict[str, Choice] = field(default_factory=dict)
    passed: dict[int, list[str]] = field(default_factory=dict)  # week -> seats the model played
    passed_why: dict[int, str] = field(default_factory=dict)  # week -> TIMED_OUT or ADVANCED
    timer: int = (
        0  # seconds a week lasts at most (0: until every seat chose or the teacher advances)
    )
    deadline: float | None = None  # when this week's timer ends (on `clock`)
    clock: Callable[[], float] = time.monotonic  # the timer's clock (a test injects its own)
    replay_rows: list[tuple[str, str, str]] | None = None  # the class against the all-model replay
    news: list[tuple[int, str]] = field(default_factory=list)  # (week, what happened)
    debrief: str = ""
    outcome: list[tuple[str, str, str]] = field(default_factory=list)
    transcript: str = ""
    error: str = ""
    version: int = 0
    chosen_at: float = 0.0  # when the week's last choice (or the advance) came
    published_at: float = 0.0  # when the current week was published

    def __post_init__(self) -> None:
        self.lock = threading.Condition()
        self._advance = False
        self._stopped = False
        self.game: WebGame | None = None
        self.thread: threading.Thread | None = None

    # -- seats -------------------------------------------------------------

    @property
    def states(self) -> list[str]:
        return list(self.C.states)

    def name(self, code: str) -> str:
        return self.C.scenario.states[code].name

    def free_seats(self) -> list[str]:
        with self.lock:
            return [c for c in self.C.states if c not in self.tokens]

    def take(self, state: str) -> str:
        """Take a free seat before the game starts; return the seat's token."""
        with self.lock:
            if state not in self.C.states:
                raise ClassError(f"{state!r} is not a seat at this table.")
            if self.state != "lobby":
                raise ClassError("The game has started: seats can no longer be taken.")
            if state in self.tokens:
                raise ClassError(f"{self.name(state)} ({state}) is taken: choose a free seat.")
            token = secrets.token_urlsafe(16)
            self.tokens[state] = token
            self._changed()
            return token

    def seat_of(self, token: str) -> str | None:
        """The state a token holds, None for an unknown token."""
        with self.lock:
            for state, t in self.tokens.items():
                if token and same_token(t, token):
                    return state
        return None

    def _own(self, token: str, state: str) -> None:
        if self.seat_of(token) != state:
            raise ClassError(
                f"You do not hold the seat of {self.name(state) if state in self.C.states else state}"
                ": a seat can act only for itself."
            )

    def _teacher(self, token: str) -> None:
        if not token or not same_token(self.teacher, token):
            raise ClassError("Only the teacher can do that.")

    # -- the teacher's controls ---------------------------------------------

    def set_payoff_shown(self, token: str, shown: bool) -> None:
        self._teacher(token)
        with self.lock:
            self.show_payoff = bool(shown)
            self._changed()

    def set_timer(self, token: str, seconds) -> int:
        """Set the per-week timer (seconds, TIMER_MIN to TIMER_MAX; empty or 0: none).

        A week on the table now gets the new timer from now. When the timer ends,
        the week advances: the model chooses for the seats that did not answer."""
        self._teacher(token)
        value = timer_seconds(seconds)
        with self.lock:
            self.timer = value
            if self.week is not None:
                self.deadline = self.clock() + value if value else None
            self._changed()
        return value

    def seconds_left(self) -> float | None:
        """Seconds left of this week's timer, None when no timer runs."""
        with self.lock:
            if self.deadline is None or self.week is None:
                return None
            return max(self.deadline - self.clock(), 0.0)

    def start(self, token: str) -> None:
        """Start the game with the seats taken; wait until week 1 is on the table."""
        self._teacher(token)
        with self.lock:
            if self.state != "lobby":
                raise ClassError("The game has already started.")
            if not self.tokens:
                raise ClassError("No seat is taken yet: students join with the code first.")
            seats = [c for c in self.C.states if c in self.tokens]
            console = Console(file=io.StringIO(), width=110, color_system=None)
            self.game = WebGame(self.C, seats, self.seed, console)
            self.game.session = self
            self.state = "playing"
            self._changed()
        self.thread = threading.Thread(target=self._play, name=f"class-{self.code}", daemon=True)
        self.thread.start()
        self.wait_for(lambda: self.week is not None or self.state != "playing")

    def advance(self, token: str) -> None:
        """End the week now: the model chooses for the seats that did not answer."""
        self._teacher(token)
        with self.lock:
            if self.state != "playing" or self.week is None:
                raise ClassError("There is no week to advance.")
            week = self.week.week
            self._advance = True
            self.chosen_at = time.perf_counter()
            self.lock.notify_all()
        self.wait_for(self.moved_on(week))

    def moved_on(self, week: int):
        """A test for `wait_for`: the next week is on the table, or the game is over."""
        return lambda: (self.week is not None and self.week.week > week) or self.state != "playing"

    def stop(self, timeout: float = 5.0) -> None:
        """End the game thread (the server closing, a test ending)."""
        with self.lock:
            self._stopped = True
            self.lock.notify_all()
        if self.thread is not None:
            self.thread.join(timeout)

    # -- a seat's choice -----------------------------------------------------

    def submit(self, token: str, state: str, choice: Choice) -> None:
        """A seat's choice for this week; ClassError (nothing changes) when refused."""
        self._own(token, state)
        with self.lock:
            if self.state != "playing" or self.week is None:
                raise ClassError("There is no week to choose for now.")
            view = self.week.seats[state]
            pledge = pledge_value(choice.pledge)
            error = options.check(
                self.C,
                self.game.trace.params,
                self.C.states.index(state),
                choice.stance,
                choice.kind,
                pledge,
                choice.demand,
                view.menu,
            )
            if error:
                raise ClassError(error)
            pledge = pledge if choice.kind else 0.0
            self.pending[state] = Choice(choice.stance, choice.kind, pledge, choice.demand)
            self._changed()
            if set(self.pending) >= set(self.game.seats):
                self.chosen_at = time.perf_counter()
                self.lock.notify_all()

    def choice_of(self, state: str) -> Choice | None:
        """The choice a seat has sent this week, None before it has."""
        with self.lock:
            return self.pending.get(state)

    # -- waiting -------------------------------------------------------------

    def wait_for(self, done, timeout: float = WAIT) -> bool:
        """Wait until `done()` holds (checked under the lock); False on timeout."""
        end = time.monotonic() + timeout
        with self.lock:
            while not done():
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self.lock.wait(left)
        return True

    def wait_change(self, version: int, timeout: float) -> int:
        """Wait until the session changes from `version` (or timeout); the version now."""
        end = time.monotonic() + timeout
        with self.lock:
            while self.version == version:
                left = end - time.monotonic()
                if left <= 0:
                    break
                self.lock.wait(left)
            return self.version

    def _changed(self) -> None:
        self.version += 1
        self.lock.notify_all()

    # -- the game thread -----------------------------------------------------

    def _play(self) -> None:
        game = self.game
        try:
            while game.trace.running:
                game.trace.step()
                self._after_week()
            model_tables = Trace(self.C, self.seed, RUN).run_to_end().tables()
            text = self._mark_debrief("\n".join(debrief_lines(game, model_tables)))
            rows = outcome_rows(self.C, game.trace.tables(), model_tables, game.seats)
            full = self._mark_transcript(transcript(game, model_tables, []))
            with self.lock:
                self.debrief, self.outcome, self.transcript = text, rows, full
                self.state = "over"
                self.week = None
                self._changed()
        except StoppedError:
            with self.lock:
                self.state = "over"
                self.week = None
                self._changed()
        except BaseException as exc:  # shown to the class instead of a silent stop
            import traceback

            traceback.print_exc()
            with self.lock:
                self.error = f"The game stopped on an error: {exc}"
                self.state = "over"
                self.week = None
                self._changed()

    def model_weeks(self) -> list[tuple[int, str, str]]:
        """(week, seat, why) for each seat-week the model chose for the seat, why being
        TIMED_OUT or ADVANCED (shown as 'model (timed out)')."""
        with self.lock:
            return [
                (week, code, self.passed_why.get(week, ADVANCED))
                for week, codes in sorted(self.passed.items())
                for code in codes
            ]

    def _mark_debrief(self, text: str) -> str:
        """The debrief with the seat-weeks the model chose listed before the outcome."""
        rows = self.model_weeks()
        if not rows:
            return text
        part = [
            "### Weeks the model chose for a seat (no answer in time)",
            "",
            "| week | seat | chosen by |",
            "|---|---|---|",
            *(f"| {w} | {self.name(c)} ({c}) | model ({why}) |" for w, c, why in rows),
            "",
            "",
        ]
        head = "### Outcome: your game against the all-model run"
        at = text.find(head)
        at = at if at >= 0 else len(text)
        return text[:at] + "\n".join(part) + text[at:]

    def _mark_transcript(self, text: str) -> str:
        """The transcript with each seat-week the model chose said so: '(model, timed out)'
        where the seat's line says '(you)'."""
        who = {(w, c): label for w, c, label in self.model_weeks()}
        if not who:
            return text
        out, week = [], 0
        for line in text.splitlines():
            m = re.match(r"^### Week (\d+)$", line)
            if m:
                week = int(m.group(1))
            for code in self.C.states:
                label = who.get((week, code))
                mine = f"- **{self.name(code)} (you)**:"
                if label and line.startswith(mine):
                    line = f"- **{self.name(code)} (model, {label})**:" + line[len(mine) :]
            out.append(line)
        return "\n".join(out) + ("\n" if text.endswith("\n") else "")

    def replay(self) -> list[tuple[str, str, str]]:
        """Replay with the model in every seat: the same scenario and seed, no seat's
        choice put in (the all-model run of `forcegen play`), beside the class's game.

        (measure, the class's game, the model in every seat): the outcome, the weeks,
        the counted force, the contributors, the concessions, and every state's final
        stance (a class seat's marked). Run on the first call, kept for the others."""
        with self.lock:
            if self.state != "over" or self.game is None or not self.debrief:
                raise ClassError("The replay needs a finished game: play it to the end first.")
            if self.replay_rows is not None:
                return self.replay_rows
            game = self.game
        model_tables = Trace(self.C, self.seed, RUN).run_to_end().tables()
        rows = outcome_rows(self.C, game.trace.tables(), model_tables, list(self.C.states))
        seats = {f"{self.name(c)} at the end": c for c in game.seats}
        rows = [(f"{a} (class seat {seats[a]})" if a in seats else a, b, c) for a, b, c in rows]
        with self.lock:
            self.replay_rows = rows
            self._changed()
        return rows

    def _after_week(self) -> None:
        game = self.game
        text = _capture(lambda con: table.week_report(con, self.C, game.trace)).strip()
        with self.lock:
            self.news.append((int(game.trace.model.t), " ".join(text.split())))
            self._changed()

    def _week_choices(self, model: ForceModel, dec: Decision) -> dict[str, Choice]:
        """In the model's hook: publish the week, wait for the seats, return their choices."""
        game, C = self.game, self.C
        P = game.trace.params
        clarity = float(model.mandate[0, C.cols.col[C.scenario.force.clarity_term]])
        shown = _capture(lambda con: table.show_week(con, C, game.trace, game.seats))
        seats = {}
        for code in game.seats:
            i = C.states.index(code)
            panel = _capture(lambda con, code=code: table.seat_panel(con, C, game.trace, code))
            kinds = options.offered_kinds(C, P, i)
            menu = table.open_concessions(C, model)
            mine = model_turn(C, P, dec, i, Choice(""), model.t, clarity)
            seats[code] = SeatView(
                code=code,
                name=self.name(code),
                panel=panel.strip(),
                kinds=kinds,
                ranges={k: options.pledge_range(C, P, i, k, True) for k in kinds},
                menu=menu,
                menu_labels={cid: wd.concession(C, cid) for cid in menu},
                model=mine.model,
                payoff=mine.payoff,
                components={COMPONENT_WORDS[n]: v for n, v in mine.components.items() if v},
                binding=mine.binding,
            )
        with self.lock:
            self.pending = {}
            self._advance = False
            self.week = Week(int(model.t), shown.rstrip(), seats)
            self.published_at = time.perf_counter()
            self.deadline = self.clock() + self.timer if self.timer else None
            self._changed()
            timed_out = False
            while not (self._advance or set(self.pending) >= set(game.seats)):
                if self._stopped:
                    raise StoppedError
                if self.deadline is not None and self.clock() >= self.deadline:
                    timed_out = True
                    self.chosen_at = time.perf_counter()
                    break
                self.lock.wait(POLL if self.deadline is not None else None)
            choices = dict(self.pending)
            left = [c for c in game.seats if c not in choices]
            if left:
                self.passed[int(model.t)] = left
                self.passed_why[int(model.t)] = TIMED_OUT if timed_out else ADVANCED
            self.week = None
            self.deadline = None
            self._changed()
        return choices


MAX_CLASSES = 200
"""The most classes one server holds at once. Each is kept in memory (its game, its
transcript) and a started one keeps a thread, so anyone who can reach the page could
otherwise exhaust the server by creating classes; when it is full, the oldest classes
that are over are forgotten first, then a new one is refused in one line."""


class Registry:
    """The sessions this server holds, by join code (at most `MAX_CLASSES`)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sessions: dict[str, Session] = {}

    def _room(self) -> None:
        """Make room for one more class (the lock held): forget the oldest that are over;
        ClassError when every class held is still in its lobby or playing."""
        over = [code for code, s in self.sessions.items() if s.state == "over"]
        while len(self.sessions) >= MAX_CLASSES and over:
            del self.sessions[over.pop(0)]  # dicts keep the order classes were made in
        if len(self.sessions) >= MAX_CLASSES:
            raise ClassError(
                f"This server holds {MAX_CLASSES} classes that are not over, the most it "
                "takes at once: end a class, or restart the server."
            )

    def create(self, C: Compiled, seed: int | None = None, scenario: str | Path = "") -> Session:
        """A new session with a fresh join code and a teacher's token; ClassError for a
        seed no scenario may hold (`seed_value`), before any session is made."""
        seed = C.scenario.run.seed if seed is None else seed_value(seed)
        with self.lock:
            self._room()
            while True:
                code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
                if code not in self.sessions:
                    break
            session = Session(
                C,
                seed,
                code,
                secrets.token_urlsafe(16),
                str(scenario),
            )
            self.sessions[code] = session
            return session

    def find(self, raw_code: str) -> Session:
        """The session of a join code; ClassError for a malformed or unknown code."""
        code = normal_code(raw_code)
        with self.lock:
            session = self.sessions.get(code)
        if session is None:
            raise ClassError(f"No class has the code {code}: check it on the teacher's screen.")
        return session


REGISTRY = Registry()
"""The sessions of this server process (the page's classes)."""
