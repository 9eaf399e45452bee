"""The game loop: the model plays the run week by week, the human seats answer.

Each week the table is shown (`table`), each human seat is asked for a stance,
a contribution kind, a pledge and a demand (`ask`), and the answers replace the
model's decision for those seats before the agents adopt it (`seat`). The run
is run 0 of the game's seed, so the all-model run it is compared with in the
debrief is that run, with the same drawn values.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from sim.analysis import words as wd
from sim.engine.trace import Trace
from sim.rules.decide import Decision
from sim.scenario.arrays import CONDITIONAL, DECLINED, OFFERED, STANCES, Compiled
from sim.teach import options, table
from sim.teach.ask import Asker, InputEndedError
from sim.teach.seat import Choice, Turn, apply_choices, model_turn

if TYPE_CHECKING:
    from sim.engine.model import ForceModel

RUN = 0
"""A game is run 0 of its seed: the all-model run it is compared with is that run."""
EXIT_INPUT_ENDED = 3
"""Exit status of `forcegen play` when input ends before the game does."""


@dataclass
class Game:
    """One classroom game: a scenario, the human seats, a seed."""

    C: Compiled
    seats: list[str]
    seed: int
    console: Console
    prompt: Callable[..., str] = typer.prompt
    turns: list[Turn] = field(default_factory=list)
    ended_early: int = 0  # the week input ended in (0: played to the end)

    @property
    def exit_status(self) -> int:
        """0 when the game was played to the end, EXIT_INPUT_ENDED when input ended first."""
        return EXIT_INPUT_ENDED if self.ended_early else 0

    def __post_init__(self) -> None:
        self.trace = Trace(self.C, self.seed, RUN, override=self._override)
        self.index = {code: self.C.states.index(code) for code in self.seats}
        self.asker = Asker(self.console, self.prompt)
        self.last: dict[str, Choice] = {}

    def play(self) -> bool:
        """Play week by week until the run ends; False if input ended first."""
        try:
            while self.trace.running:
                self.trace.step()
                table.week_report(self.console, self.C, self.trace)
        except InputEndedError:
            self.console.print()  # end the unanswered prompt's line
            self.ended_early = max(int(self.trace.model.t), 1)
            return False
        return True

    def _override(self, model: ForceModel, dec: Decision) -> Decision:
        return self.adopt(model, dec, self.choose(model, dec))

    def choose(self, model: ForceModel, dec: Decision) -> dict[str, Choice]:
        """The human seats' choices this week (here: asked on the terminal).

        The web classroom (`sim.web.classroom`) overrides this to wait for its
        seats' answers; a seat left out of the result is played by the model.
        """
        table.show_week(self.console, self.C, self.trace, self.seats)
        return {code: self._ask_seat(model, code) for code in self.seats}

    def adopt(self, model: ForceModel, dec: Decision, choices: dict[str, Choice]) -> Decision:
        """The week's decision with the seats' choices in place of the model's.

        Every seat's week is recorded (`turns`) beside the model's own choice; a
        seat without a choice keeps the model's decision, recorded as its choice.
        """
        C = self.C
        clarity = float(model.mandate[0, C.cols.col[C.scenario.force.clarity_term]])
        for code in self.seats:
            i = self.index[code]
            ch = choices.get(code)
            turn = model_turn(C, self.trace.params, dec, i, ch or Choice(""), model.t, clarity)
            self.turns.append(turn if ch is not None else dataclasses.replace(turn, you=turn.model))
        return apply_choices(C, self.trace.params, dec, self.index, choices)

    def _ask_seat(self, model: ForceModel, code: str) -> Choice:
        """A seat's four answers: stance, kind, pledge and demand (Enter keeps last week's)."""
        C, i, ask = self.C, self.index[code], self.asker
        kinds = table.seat_panel(self.console, C, self.trace, code)
        me = model.contributors[i]
        prev = self.last.get(code) or Choice(me.stance_name, me.kind_name, me.pledge)
        stance = ask.choose(f"{code} stance", list(STANCES), prev.stance)
        is_in = STANCES.index(stance) >= OFFERED
        kind, pledge = "", 0.0
        if kinds:
            options = kinds if is_in else ["none", *kinds]
            default = prev.kind if prev.kind in kinds else kinds[0]
            if not is_in and not prev.kind:
                default = "none"
            question = (
                f"{code} contribution kind"
                if is_in
                else f"{code} kind you would contribute if your demand is met"
            )
            kind = ask.choose(question, options, default)
            kind = "" if kind == "none" else kind
        elif is_in:
            self.console.print(
                "You have no capacity to offer: your stance counts, your pledge is 0."
            )
        if kind:
            pledge = self._pledge(code, kind, prev, is_in)
        menu = ["none", *table.open_concessions(C, model)]
        default = prev.demand if prev.demand in menu else "none"
        labels = {cid: wd.concession(C, cid) for cid in menu[1:]}
        demand = ask.choose(
            f"{code} demand (a concession from the broker's menu)", menu, default, labels
        )
        choice = Choice(stance, kind, pledge, "" if demand == "none" else demand)
        if choice.demand and STANCES.index(stance) not in (DECLINED, CONDITIONAL):
            self.console.print(
                "  (The broker hears demands only from declined or conditional states.)",
                style="dim",
            )
        elif choice.demand and not (kind and pledge):
            self.console.print(
                "  (A demand with no pledge brings the broker nothing: it will not weigh it.)",
                style="dim",
            )
        self.last[code] = choice
        return choice

    def _pledge(self, code: str, kind: str, prev: Choice, is_in: bool) -> float:
        """A pledge up to this run's capacity, in the kind's units."""
        C, P, i = self.C, self.trace.params, self.index[code]
        low, top, unit = options.pledge_range(C, P, i, kind, is_in)
        default = (
            prev.pledge
            if prev.kind == kind and low <= prev.pledge <= top
            else top / 4 // unit * unit
        )
        question = f"{code} pledge of {wd.kind(C, kind)}" + (
            "" if is_in else " (if your demand is met)"
        )
        measure = C.scenario.kinds[kind].measure
        return self.asker.amount(question, max(low, default), low, top, unit, measure)
