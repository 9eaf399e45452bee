"""The debrief compares stance, kind, pledge and demand, and says what differs; a game
whose input ends early says so, keeps its transcript and has a non-zero exit status."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load
from sim.teach import debrief, play
from sim.teach.debrief import agreement, differences, differing
from sim.teach.play import EXIT_INPUT_ENDED
from sim.teach.seat import Choice, Turn

ROOT = Path(__file__).resolve().parents[2]
FLAGSHIP = ROOT / "scenarios" / "isf" / "res2803.yaml"


@pytest.fixture(scope="module")
def C():
    return compile_scenario(load(FLAGSHIP))


def turn(week: int, you: Choice, model: Choice) -> Turn:
    comps = dict.fromkeys(debrief.COMPONENT_WORDS, 0.0) | {"incentives": 0.2}
    return Turn(week, "PAK", you, model, 0.2, comps, "", True, 1.0, 0.5)


@pytest.mark.parametrize(
    ("you", "model", "what"),
    [
        (Choice("conditional"), Choice("conditional"), []),
        (Choice("conditional"), Choice("conditional", demand="drop_decommissioning"), ["demand"]),
        (Choice("offered", "troops", 2000), Choice("offered", "troops", 2050), ["pledge"]),
        (Choice("offered", "troops", 2000), Choice("offered", "medical", 2000), ["kind"]),
        (Choice("considering"), Choice("conditional"), ["stance"]),
        # a demand named with an offer is not heard by the broker: it does not differ
        (Choice("offered", "troops", 500, "limit_force"), Choice("offered", "troops", 500), []),
    ],
)
def test_choices_are_compared_on_stance_kind_pledge_and_demand(you, model, what) -> None:
    assert differing(you, model) == what
    assert debrief.same(you, model) == (not what)


def test_same_stance_but_another_demand_is_told_as_such(C) -> None:
    """Both conditional every week (the stance chart shows identical rows) but the
    model's agent demands a concession: the debrief says the stance agreed and that
    the demand is what differs, rather than '0 of 26 weeks' and nothing else."""
    turns = [
        turn(w, Choice("conditional"), Choice("conditional", demand="drop_decommissioning"))
        for w in range(1, 4)
    ]
    text = agreement(turns)
    assert text.startswith("Same stance as the model's agent in 3 of 3 weeks")
    assert "the same stance, kind, pledge and demand in 0 of 3 weeks" in text
    rows = differences(C, turns)
    assert len(rows) == 1
    weeks, what, you, model, _ = rows[0]
    assert (weeks, what, you) == ("weeks 1–3", "demand", "conditional")
    assert "drop weapons decommissioning" in model


def test_identical_choices_are_counted_as_identical(C) -> None:
    turns = [
        turn(w, Choice("offered", "troops", 500), Choice("offered", "troops", 500)) for w in (1, 2)
    ]
    assert agreement(turns) == (
        "Same stance as the model's agent in 2 of 2 weeks, and the same kind, pledge and "
        "demand in each of them."
    )
    assert differences(C, turns) == []


def test_input_ending_mid_game_sets_the_exit_status_and_keeps_the_transcript(C, tmp_path) -> None:
    answers = iter(["conditional", "", "", ""])

    def prompt(question, default="", show_default=True):
        try:
            return next(answers)
        except StopIteration:
            raise EOFError from None

    console = Console(record=True, width=120)
    out = tmp_path / "game"
    game, path = play.play(C, ["PAK"], C.scenario.run.seed, out, console, prompt)
    assert game.ended_early >= 1
    assert game.exit_status == EXIT_INPUT_ENDED == 3
    assert path == out / "transcript.md"
    assert f"*Input ended in week {game.ended_early}" in path.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["game"], "no partial folder is left"


def test_a_game_played_to_the_end_exits_with_success(C) -> None:
    game = play.Game(C, ["PAK"], C.scenario.run.seed, Console(record=True))
    assert game.exit_status == 0
