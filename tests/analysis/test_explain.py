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
    assert "## The binding red lines and their evidence" in text


def test_explain_names_every_red_line_that_binds_with_its_evidence(C, pakistan) -> None:
    """Pakistan has two red lines that the mandate of resolution 2803 violates (no
    disarmament; peacekeeping, not enforcement): both are named, each with its own
    evidence, not only the first one the tables record."""
    out, terminal = pakistan
    text = (out / "explain_PAK.md").read_text(encoding="utf-8")
    ex = explain(C, "PAK", RUN)
    for w in ex.weeks:  # the first line named is the one the engine records
        assert (w.bindings[0] if w.bindings else "") == w.binding
    named = {r for w in ex.weeks for r in w.bindings}
    assert {"no_disarmament", "peacekeeping_not_enforcement"} <= named
    for rid in named:
        for body in (text, " ".join(terminal.split())):
            assert rid in body
            for ev in evidence_for(C, "PAK", rid):
                assert f"Source: {ev.source}" in " ".join(body.split())
    last = ex.weeks[-1]
    assert "peacekeeping_not_enforcement" in text.split("## Week by week")[0], (
        "the headline names every red line holding Pakistan back at the end"
    )
    assert len(last.bindings) >= 2


@pytest.mark.parametrize("code", ["IDN", "EGY", "ITA"])
def test_the_red_lines_named_start_with_the_one_the_engine_records(C, code) -> None:
    """Whatever the state, the lines named in a week start with the engine's binding
    line, and a week with no binding line names none."""
    ex = explain(C, code, RUN)
    for w in ex.weeks:
        assert w.bindings[:1] == ([w.binding] if w.binding else [])
        assert len(set(w.bindings)) == len(w.bindings)


def test_explain_writes_its_folder_atomically(C, tmp_path, monkeypatch) -> None:
    from sim.analysis import explain as mod
    from sim.analysis.explain import page

    ex = explain(C, "PAK", RUN)
    out = tmp_path / "exp"
    path = mod.write(ex, out)
    assert path == out / "explain_PAK.md" and path.is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["exp"], "no partial folder is left"

    def broken(_ex):
        raise RuntimeError("disk full")

    monkeypatch.setattr(page, "markdown", broken)
    with pytest.raises(RuntimeError):
        mod.write(ex, tmp_path / "never")
    assert not (tmp_path / "never").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["exp"]
    assert (out / "explain_PAK.md").is_file(), "a failed write leaves the earlier folder"


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
    assert not (out / "waterfall_PAK.svg").exists()  # SVG only with --formats svg
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
