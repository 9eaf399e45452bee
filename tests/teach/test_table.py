"""What the players see is this run's own: the drawn target, and red lines as the rule
judges them (with the lift by national caveats)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.console import Console

from sim.engine.trace import Trace
from sim.numbers import force
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load, override
from sim.teach import play

ROOT = Path(__file__).resolve().parents[2] / "scenarios" / "isf"


def one_week(tmp_path: Path, scenario: str, seat: str, seed: int) -> tuple[str, str, Trace]:
    """Play week 1's table, then end input: the console and the transcript so far."""

    def prompt(question, default="", show_default=True):
        raise EOFError

    C = compile_scenario(override(load(ROOT / f"{scenario}.yaml"), seed=seed))
    console = Console(record=True, width=400)
    game, path = play.play(C, [seat], seed, tmp_path / "game", console, prompt)
    assert game.exit_status == play.EXIT_INPUT_ENDED
    return console.export_text(), path.read_text(encoding="utf-8"), Trace(C, seed, 0)


@pytest.mark.parametrize("seed", [11, 3])
def test_the_target_shown_is_the_runs_drawn_target(tmp_path, seed) -> None:
    text, transcript, trace = one_week(tmp_path, "res2803", "PAK", seed)
    drawn = float(trace.params.broker.target[0])
    assert force(drawn) != force(10_000), "the drawn target is not the middle of the range"
    shown = re.search(r"of a target of ([\d,]+) \(minimum ([\d,]+)", text)
    assert shown, text
    assert shown.group(1) == force(drawn)
    assert shown.group(2) == force(float(trace.params.broker.minimum_viable[0]))
    assert f"The broker seeks {force(drawn)} (8,000–12,000 across runs) in this game" in transcript


@pytest.mark.parametrize(
    ("scenario", "verdict"), [("res2803", "NOT met"), ("national_caveats", "met")]
)
def test_a_caveat_red_line_is_met_where_caveats_are_allowed(tmp_path, scenario, verdict) -> None:
    """Indonesia's disarmament reservation is lifted by national caveats (`caveat_ok`):
    its panel asks the red-line rule, which knows."""
    text, _, _ = one_week(tmp_path, scenario, "IDN", 11)
    line = next(x for x in text.splitlines() if "(disarmament_reservation)" in x)
    assert line.rstrip().endswith(f"— {verdict} by the mandate as it stands."), line
