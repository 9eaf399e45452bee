"""One number, one text: summary.json carries intervals, and the summary, report and
story say what they mean in the scenario's own words."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console

from sim.analysis import words as wd
from sim.analysis.console import print_summary
from sim.analysis.report import (
    kind_parts,
    main_cost,
    mandate_text,
    stalled_words,
    summary_table,
    why_out,
)
from sim.analysis.story import story
from sim.analysis.summary import representative_run, summarise
from sim.engine.ensemble import run_ensemble
from sim.numbers import share_ci, wilson
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load

ROOT = Path(__file__).resolve().parents[2]
FLAGSHIP = ROOT / "scenarios" / "isf" / "res2803.yaml"
RUNS = 40


@pytest.fixture(scope="module")
def flagship():
    C = compile_scenario(load(FLAGSHIP))
    tables = run_ensemble(C, runs=RUNS, detail=8)
    return C, tables, summarise(tables, C)


def test_summary_json_carries_a_wilson_interval_beside_each_share(flagship) -> None:
    _, _, s = flagship
    n = s["runs"]
    for k, p in s["outcome"].items():
        lo, hi = s["outcome_ci"][k]
        assert (lo, hi) == pytest.approx(wilson(p, n), abs=1e-6)
        assert lo <= p <= hi
    for st in s["states"].values():
        lo, hi = st["p_commit_ci"]
        assert (lo, hi) == pytest.approx(wilson(st["p_commit"], n), abs=1e-6)
        assert hi > 0, "a share of 0 over 40 runs is not known to be exactly 0"


def test_force_is_summarised_apart_for_runs_that_formed_and_runs_that_stalled(flagship) -> None:
    _, tables, s = flagship
    runs = tables["runs"]
    formed = runs.loc[runs["outcome"] != "stalled", "force"]
    assert s["force_formed"]["runs"] + s["force_stalled"]["runs"] == RUNS
    assert s["force_formed"]["runs"] == len(formed)
    if len(formed):
        assert s["force_formed"]["median"] == pytest.approx(formed.median())
        assert s["force_formed"]["p05"] >= formed.min()


def test_one_share_reads_the_same_in_the_console_and_the_report(flagship) -> None:
    C, _, s = flagship
    s = {**s, "outcome": {**s["outcome"], "formed": 0.475}}  # half-way: rounds up, 48%
    table = summary_table(C, s)
    console = Console(record=True, width=200)
    print_summary(console, C, s)
    text = console.export_text()
    assert "| P(formed): the force reached its target | 48% (" in table
    assert "P(formed): the force reached its target: 48% (" in text
    assert "0.47" not in text and "0.48" not in text


def test_the_console_gives_each_coalitions_share_its_interval(flagship) -> None:
    """As the coalitions chart does (whiskers, and its caption), not a bare share."""
    C, _, s = flagship
    console = Console(record=True, width=200)
    print_summary(console, C, s)
    text = console.export_text()
    assert "share (95%)" in text
    for c in s["coalitions"][:5]:
        assert f"{share_ci(c['share'], s['runs'])} │ {', '.join(c['members']) or '(none)'}" in text


def test_the_report_never_shows_a_median_over_formed_and_stalled_runs(flagship) -> None:
    C, _, s = flagship
    table = summary_table(C, s)
    assert "counted force where a force formed" in table
    assert "counted force, median" not in table


def test_parts_and_total_are_consistent_or_the_reader_is_told() -> None:
    C = compile_scenario(load(FLAGSHIP))
    even = {"p_commit": 0.035, "p_commit_by_kind": {"troops": 0.01, "police_trainers": 0.025}}
    text = kind_parts(C, even)
    assert text == "combat troops 1%, police trainers 3%"  # 1 + 3 = 4, the total shown
    uneven = {"p_commit": 0.028, "p_commit_by_kind": {"troops": 0.014, "police_trainers": 0.014}}
    assert "need not add up to the total" in kind_parts(C, uneven)  # 1% + 1% vs 3%


def test_a_cost_is_named_only_when_it_is_below_zero_beyond_rounding() -> None:
    zero = pd.DataFrame({"distance": [0.001, -0.004], "domestic": [0.0, 0.0], "risk": [0.0, 0.0]})
    assert main_cost(zero) is None
    real = pd.DataFrame({"distance": [-0.1, -0.2], "domestic": [-0.05, 0.0], "risk": [0.0, 0.0]})
    assert main_cost(real) == "largest cost: distance from its preferred terms (-0.15)"


def test_why_out_names_no_cost_of_zero(flagship) -> None:
    C, tables, _ = flagship
    text = why_out(C, tables)
    assert "(+0.00)" not in text and "(-0.00)" not in text


def test_why_runs_stalled_names_the_veto_player() -> None:
    detail = {"short_of_minimum": 0.0, "mandate_rejected": 1.0, "rejected_by": {"ISR": 1.0}}
    assert stalled_words(detail, {"ISR": "Israel"}) == (
        "enough pledged but the mandate rejected by Israel in 100% of runs"
    )
    short = {"short_of_minimum": 0.52, "mandate_rejected": 0.0, "rejected_by": {"ISR": 0.0}}
    assert stalled_words(short, {"ISR": "Israel"}) == (
        "short of the minimum viable force in 52% of runs"
    )


def test_identifiers_read_as_the_scenario_writes_them() -> None:
    C = compile_scenario(load(FLAGSHIP))
    assert wd.level(C, "us_led") == "US led"
    assert wd.red_line(C, "palestinians_agree") == "Palestinians agree"
    assert wd.bloc(C, "arab_islamic_eight") == "Arab Islamic Eight"
    assert wd.bloc(C, "oic") == "Organisation of Islamic Cooperation"  # its declared name
    assert "Command: US led" in mandate_text(C)


def _prose(text: str) -> str:
    """The text without code spans (where an id is shown on purpose)."""
    return re.sub(r"`[^`]*`", "", text)


def test_the_story_uses_words_money_and_weeks(flagship) -> None:
    C, tables, _ = flagship
    for run in sorted(tables["states"]["run"].unique()):
        text = story(C, tables, int(run))
        prose = _prose(text)
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", prose), "an identifier in prose"
        assert "USD million of" not in text, "money reads 'USD 20 million of funding'"
        assert not re.search(r"\bround", prose)
        for line in text.splitlines():  # an event is told once per line
            items = re.findall(r"[A-Z][\w ]+ \([^()]*\)", line)
            assert len(items) == len(set(items)), line


def test_a_quiet_stretch_is_told_in_words(flagship) -> None:
    C, tables, _ = flagship
    run = representative_run(tables)
    text = story(C, tables, run)
    quiet = [line for line in text.splitlines() if line.startswith("- **Weeks ")]
    assert quiet, "the representative run has a stretch with no commitment or concession"
    pattern = re.compile(
        r"- \*\*Weeks \d+–\d+\*\* \(clarity [\d.]+ → [\d.]+\): "
        r"(No change in any stance|No commitment, withdrawal or concession; \d+ weeks? with a "
        r"change of stance); counted force (steady at [\d,]+|[\d,]+ → [\d,]+)[;.]"
    )
    for line in quiet:
        assert pattern.match(line), line
