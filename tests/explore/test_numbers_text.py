"""compare, whatif and sweep say a share the way the run summary does, carry its
interval, flag a claim the run count cannot resolve, and say why nothing forms."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console

from sim.explore.commands import print_comparison
from sim.explore.compare import Entry, compare_markdown, comparison_table
from sim.explore.report import unresolved
from sim.explore.tipping import tipping_points
from sim.explore.whatif import claim_text
from sim.numbers import resolved, runs_to_resolve
from sim.scenario.loader import load

from .conftest import FLAGSHIP


def entry(name: str, outcome: list[str], force: list[float], rejected: list[str]) -> Entry:
    sc = load(FLAGSHIP).model_copy(update={"name": name})
    n = len(outcome)
    runs = pd.DataFrame(
        {
            "run": range(n),
            "outcome": outcome,
            "rounds": [26] * n,
            "force": force,
            "rejected_by": rejected,
        }
    )
    commits = pd.DataFrame({"state": ["IDN"], "kind": ["troops"], "p_commit": [0.475]})
    return Entry(f"{name}.yaml", sc, runs, commits, None, True, Path("results") / name)


@pytest.fixture
def entries() -> list[Entry]:
    formed = ["formed"] * 95 + ["stalled"] * 105  # P(formed) 0.475
    vetoed = ["stalled"] * 200  # enough pledged, Israel rejects the mandate
    return [
        entry("half", formed, [11350.0] * 95 + [0.0] * 105, [""] * 200),
        entry("vetoed", vetoed, [11350.0] * 200, ["ISR"] * 200),
    ]


def test_compare_console_and_markdown_read_a_share_as_the_summary_does(entries) -> None:
    comp = comparison_table(entries)
    md = compare_markdown(entries, [], comp, [])
    console = Console(record=True, width=250)
    print_comparison(console, entries, comp)
    text = console.export_text()
    for body in (md, text):
        assert "48% (41–54%)" in body  # 0.475 of 200 runs, as in the run summary
        assert "0.47" not in body and "0.48" not in body


def test_compare_says_why_a_scenario_does_not_form(entries) -> None:
    comp = comparison_table(entries)
    md = compare_markdown(entries, [], comp, [])
    console = Console(record=True, width=250)
    print_comparison(console, entries, comp)
    why = "enough pledged but the mandate rejected by Israel in 100% of runs"
    assert why in md
    assert why in " ".join(console.export_text().split())
    assert "short of the minimum viable force in 53% of runs" in md  # 105 of 200
    row = comp.set_index("scenario").loc["vetoed"]
    assert row["formed_runs"] == 0 and row["rejected_by"] == "ISR"
    assert "none formed" in md


def test_a_brings_in_claim_straddling_one_half_is_flagged_with_the_runs_to_resolve() -> None:
    text = claim_text(0.56, 50)
    need = runs_to_resolve(0.56, 0.5)
    assert not resolved(0.56, 50, 0.5)
    assert "not resolved at 50 runs" in text
    assert f"about {need:,} runs would resolve it" in text
    assert resolved(0.56, need, 0.5)
    assert claim_text(0.9, 100) == "90% (83–94%)"  # resolved: no note
    assert unresolved(0.9, 100) == ""


@dataclass
class Axis:
    path: str
    values: list
    numeric: bool = False


def test_tipping_points_take_range_values_and_say_whether_they_are_resolved() -> None:
    """A range axis (`values: [[0.2, 0.4], [0.6, 0.8]]`) used to crash with
    "unhashable type: 'list'"; each tipping point says whether its run count
    resolves it from 0.5."""
    ranges = [[0.2, 0.4], [0.6, 0.8]]
    table = pd.DataFrame(
        {
            "x": [ranges[0], ranges[1], ranges[0], ranges[1]],
            "level": ["a", "a", "b", "b"],
            "p_commit.PAK": [0.1, 0.9, 0.55, 0.45],
        }
    )
    axes = [Axis("x", ranges), Axis("level", ["a", "b"])]
    tips = tipping_points(table, axes, ["PAK"], runs=100)
    along_x = tips[tips["axis"] == "x"].set_index("held")
    assert set(along_x.index) == {"level = a", "level = b"}
    clear, close = along_x.loc["level = a"], along_x.loc["level = b"]
    assert clear["from"] == [0.2, 0.4] and clear["to"] == [0.6, 0.8]
    assert clear["change"] == "joins" and bool(clear["resolved"])
    assert not bool(close["resolved"])
    assert close["runs_to_resolve"] == runs_to_resolve(0.45, 0.5)  # the harder end
    # the held value of a range axis reads as the range
    along_level = tips[tips["axis"] == "level"]
    assert set(along_level["held"]) == {"x = [0.2, 0.4]", "x = [0.6, 0.8]"}
