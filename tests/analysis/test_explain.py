"""`forcegen explain`: the binding red line with its evidence, and the waterfall."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from sim.analysis.explain import evidence_for, explain
from sim.charts import waterfall
from sim.cli import app
from sim.engine.ensemble import run_ensemble
from sim.engine.trace import Trace
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load

ROOT = Path(__file__).resolve().parents[2]
FLAGSHIP = ROOT / "scenarios" / "isf" / "res2803.yaml"
PNG = b"\x89PNG\r\n\x1a\n"
RUN = 0

runner = CliRunner()


@pytest.fixture(scope="module")
def C():
    return compile_scenario(load(FLAGSHIP))


@pytest.fixture(scope="module")
def pakistan(tmp_path_factory) -> tuple[Path, str]:
    """Pakistan in run 0 of resolution 2803: blocked by its no-disarmament red line."""
    out = tmp_path_factory.mktemp("explain")
    result = runner.invoke(
        app, ["explain", str(FLAGSHIP), "--state", "PAK", "--run", str(RUN), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out, result.output


def test_the_trace_is_the_ensembles_run(C) -> None:
    ens = run_ensemble(C, runs=2, detail=2)
    one = Trace(C, C.scenario.run.seed, 1).run_to_end().tables()
    for name in ("states", "rounds", "runs"):
        a = ens[name][ens[name]["run"] == 1].reset_index(drop=True)
        assert a.to_csv(index=False) == one[name].to_csv(index=False), name


def test_explain_names_the_binding_red_line_and_its_evidence(C, pakistan) -> None:
    out, terminal = pakistan
    text = (out / "explain_PAK.md").read_text(encoding="utf-8")
    ex = explain(C, "PAK", RUN)
    bound = [w.binding for w in ex.weeks if w.binding]
    assert bound, "Pakistan should be held back by a red line under resolution 2803"
    rid = bound[0]
    evidence = evidence_for(C, "PAK", rid)
    assert evidence, f"the scenario records evidence for {rid}"
    for body in (text, terminal):
        assert rid in body
        flat = " ".join(body.split())
        for ev in evidence:
            assert f"Source: {ev.source}" in flat
            assert ev.speaker.split(",")[0] in flat
    assert "## The binding red line and its evidence" in text


def test_every_week_is_explained(C, pakistan) -> None:
    out, _ = pakistan
    text = (out / "explain_PAK.md").read_text(encoding="utf-8")
    weeks = Trace(C, C.scenario.run.seed, RUN).run_to_end().tables()["runs"]["rounds"].iloc[0]
    for week in range(1, int(weeks) + 1):
        assert f"\n| {week} | " in text
    assert "concession that would flip it" in text
    assert "## Peer influence" in text


def test_waterfall_png_is_valid_and_its_bars_sum_to_the_payoff(C, pakistan) -> None:
    out, _ = pakistan
    png = out / "waterfall_PAK.png"
    assert png.read_bytes()[:8] == PNG
    assert (out / "waterfall_PAK.svg").read_text().lstrip().startswith("<?xml")
    assert "waterfall_PAK.png" in (out / "explain_PAK.md").read_text(encoding="utf-8")

    ex = explain(C, "PAK", RUN)
    row = ex.row
    fig, ax, bars = waterfall.build(row, {"thresholds": ex.thresholds}, "test")
    try:
        heights = [p.get_height() for p in ax.patches]
        bottoms = [p.get_y() for p in ax.patches]
    finally:
        import matplotlib.pyplot as plt

        plt.close(fig)
    assert len(heights) == len(bars) + 1
    assert np.isclose(sum(heights[:-1]), row["payoff"], atol=1e-9)
    assert np.isclose(heights[-1], row["payoff"], atol=1e-9)
    assert np.isclose(bottoms[-1], 0.0)
    # each bar starts where the previous one ended
    for k in range(1, len(bars)):
        assert np.isclose(bottoms[k], bottoms[k - 1] + heights[k - 1])
    assert np.isclose(sum(b.delta for b in bars), row["payoff"], atol=1e-9)


def test_explain_refuses_an_unknown_state_in_one_line() -> None:
    result = runner.invoke(app, ["explain", str(FLAGSHIP), "--state", "XXX", "--run", "0"])
    assert result.exit_code == 2
    assert "unknown state 'XXX'" in result.output
    assert "Traceback" not in result.output
