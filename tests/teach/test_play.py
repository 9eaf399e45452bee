"""`forcegen play` driven by scripted standard input, as a class would drive it."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.engine.trace import Trace
from sim.rules.decide import Decision
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load, override
from sim.teach.play import EXIT_INPUT_ENDED
from sim.teach.seat import Choice, apply_choices

ROOT = Path(__file__).resolve().parents[2]
FLAGSHIP = ROOT / "scenarios" / "isf" / "res2803.yaml"
PNG = b"\x89PNG\r\n\x1a\n"
SEED = 11
ENOUGH = "\n" * 600
"""Blank answers keep the answer in brackets: enough for every week of every seat."""

runner = CliRunner()


def play(out: Path, text: str, *seats: str, seed: int = SEED):
    args = ["play", str(FLAGSHIP), "--seed", str(seed), "--out", str(out)]
    for code in seats:
        args += ["--as", code]
    return runner.invoke(app, args, input=text)


@pytest.fixture(scope="module")
def game(tmp_path_factory):
    """Indonesia commits 10,000 troops in week 1; Pakistan holds out, demanding that
    decommissioning be dropped, with 2,000 troops on offer if it is."""
    out = tmp_path_factory.mktemp("play")
    script = "committed\ntroops\n10000\n\nconditional\ntroops\n2000\ndrop_decommissioning\n"
    result = play(out, script + ENOUGH, "IDN", "PAK")
    return out, result


def test_game_completes_and_saves_transcript_and_charts(game) -> None:
    out, result = game
    assert result.exit_code == 0, result.output
    assert result.exception is None
    assert "Debrief" in result.output
    text = (out / "transcript.md").read_text(encoding="utf-8")
    assert "## Debrief" in text
    assert "### Indonesia (IDN)" in text and "### Pakistan (PAK)" in text
    for chart in ("play_force", "play_seats", "play_stances"):
        assert (out / f"{chart}.png").read_bytes()[:8] == PNG
        assert not (out / f"{chart}.svg").exists()  # SVG only with --formats svg
        assert f"({chart}.png)" in text


def test_each_week_shows_the_table(game) -> None:
    _, result = game
    output = result.output
    assert "Week 1 of 26" in output
    assert "Mandate (clarity of the terms" in output
    assert "Pledged force (counted)" in output
    assert "The other states (last week)" in output
    assert "Egypt (EGY)" in output


def test_human_choices_are_played(game) -> None:
    out, _ = game
    text = (out / "transcript.md").read_text(encoding="utf-8")
    assert "**Indonesia (you)**: committed 10,000 combat troops." in text
    assert "demands drop weapons decommissioning" in text
    assert "would bring 2,000 combat troops" in text


def test_debrief_compares_with_the_all_model_run_of_the_same_seed(game) -> None:
    out, _ = game
    text = (out / "transcript.md").read_text(encoding="utf-8")
    C = compile_scenario(override(load(FLAGSHIP), seed=SEED))
    ref = Trace(C, SEED, 0).run_to_end().tables()
    row = ref["runs"].iloc[0]
    weeks = re.search(r"^\| weeks \| (\d+) \| (\d+) \|$", text, re.M)
    force = re.search(r"^\| counted force \| ([\d,]+) \| ([\d,]+) \|$", text, re.M)
    assert weeks and force, text
    assert int(weeks.group(2)) == int(row["rounds"])
    assert force.group(2) == f"{row['force']:,.0f}"
    # a pledge is not a force: when the model's contingents reached the theatre
    arrived = re.search(r"^\| first contingents in theatre \| (.+?) \| (.+?) \|$", text, re.M)
    assert arrived, text
    week = row["deployed_week"]
    assert arrived.group(2) == ("none by week 52" if pd.isna(week) else f"week {int(week)}")
    strength = re.search(
        r"^\| deployed strength in week 52 \| ([\d,]+) \| ([\d,]+) \|$", text, re.M
    )
    assert strength and strength.group(2) == f"{row['deployed_force']:,.0f}"
    assert f"same scenario and seed ({SEED})" in text
    # the model's own choice for each seat, and why
    assert "the model's agent would have chosen" in text
    assert "payoff" in text.split("## Debrief")[1]


def test_invalid_answers_are_asked_again_with_the_valid_choices(tmp_path) -> None:
    script = "maybe\n42\noffered\nsubmarines\ntroops\n123\n99999999\n500\nplease\n"
    result = play(tmp_path, script + "none\n" + ENOUGH, "IDN")
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "'maybe' is not a valid answer" in output
    assert "'42' is not a valid answer" in output
    assert "Choose one of: declined, considering, conditional, offered, committed" in output
    assert "'submarines' is not a valid answer" in output
    assert "'123' is not a valid pledge. Enter a multiple of 50" in output
    assert "'99999999' is not a valid pledge" in output
    assert "'please' is not a valid answer. Choose one of: none," in output
    text = (tmp_path / "transcript.md").read_text(encoding="utf-8")
    assert "**Indonesia (you)**: offered 500 combat troops." in text


def test_end_of_input_ends_the_game_cleanly(tmp_path) -> None:
    """Input ending mid-game is said, the transcript so far kept, and the exit status
    is the documented one (3, docs/teaching/README.md), not success."""
    result = play(tmp_path, "considering\n\n", "PAK")
    assert result.exit_code == EXIT_INPUT_ENDED, result.output
    assert isinstance(result.exception, SystemExit), "an exit status, not a crash"
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("input ended in week 1: game stopped")
    assert "Traceback" not in result.output
    assert (tmp_path / "transcript.md").exists()


def test_unknown_seat_is_refused_in_one_line(tmp_path) -> None:
    result = play(tmp_path, "", "XXX")
    assert result.exit_code == 2
    assert "--as: unknown state 'XXX'" in result.output


def test_a_human_demand_is_credited_to_the_broker_and_the_models_is_removed() -> None:
    C = compile_scenario(load(FLAGSHIP))
    trace = Trace(C, C.scenario.run.seed, 0)
    trace.step()
    dec: Decision = trace.snapshots[-1].proposed
    P = trace.params
    i = C.states.index("PAK")
    j = C.concessions.index("drop_decommissioning")
    choice = Choice("conditional", "troops", 2000.0, "drop_decommissioning")
    out = apply_choices(C, P, dec, {"PAK": i}, {"PAK": choice})
    expected = dec.gain.copy()
    old = int(dec.demand[0, i])
    if old >= 0:
        expected[0, old] -= dec.pledge_if[0, i, old]
    expected[0, j] += 2000.0
    assert np.allclose(out.gain, expected)
    assert out.demand[0, i] == j
    assert out.stance[0, i] == 2 and out.pledge[0, i] == 0.0
    # the model's decision itself is untouched
    assert dec.stance[0, i] == trace.snapshots[-1].proposed.stance[0, i]


def test_without_overrides_the_model_is_unchanged() -> None:
    C = compile_scenario(load(FLAGSHIP))
    plain = Trace(C, 5, 0).run_to_end().tables()
    identity = Trace(C, 5, 0, override=lambda model, dec: dec).run_to_end().tables()
    for name in ("states", "rounds", "runs"):
        assert plain[name].to_csv(index=False) == identity[name].to_csv(index=False)
