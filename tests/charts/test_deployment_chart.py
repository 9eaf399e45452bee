"""The deployment chart reads the runs and deployments tables as they are."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.charts import available, deployment

RUNS = pd.DataFrame(
    {
        "run": [0, 1, 2, 3],
        "outcome": ["formed", "formed", "undersized", "stalled"],
        "rounds": [2, 3, 5, 5],
        "deployed_week": pd.array([4, pd.NA, 6, pd.NA], dtype="Int64"),
        "deployed_force": [300.0, 0.0, 100.0, 0.0],
    }
)
DEPLOYMENTS = pd.DataFrame(
    {
        "run": [0, 0, 1, 2],
        "state": ["AAA", "BBB", "AAA", "AAA"],
        "kind": ["troops"] * 4,
        "pledge": [100.0, 200.0, 100.0, 100.0],
        "approval": ["", "", "failed", ""],
        "arrival_week": pd.array([4, 5, pd.NA, 6], dtype="Int64"),
    }
)


def test_cumulative_shares_count_runs_formed_and_deployed_by_each_week():
    formed, deployed = deployment.cumulative(RUNS, 7)
    assert formed.tolist() == [0, 0.25, 0.5, 0.5, 0.75, 0.75, 0.75]
    assert deployed.tolist() == [0, 0, 0, 0.25, 0.25, 0.5, 0.5]


def test_strength_adds_each_contingent_from_its_arrival_week():
    sizes = deployment.strength(DEPLOYMENTS, RUNS, 7, in_theatre=50.0)
    assert sizes.shape == (2, 7)  # runs 0 and 2 deployed
    assert sizes[0].tolist() == [50, 50, 50, 150, 350, 350, 350]
    assert sizes[1].tolist() == [50, 50, 50, 50, 50, 150, 150]


def test_drawn_only_for_a_scenario_with_a_deployment_stage(tmp_path):
    tables = {"runs": RUNS, "deployments": DEPLOYMENTS}
    assert "deployment" not in available(tables, {"deployment_staged": False})
    assert "deployment" in available(tables, {"deployment_staged": True})
    meta = {"deployment_staged": True, "weeks_watched": 7, "deadline": 5, "target": 300}
    out = deployment.draw(tables, meta, tmp_path)
    assert (tmp_path / out["png"]).stat().st_size > 0
    assert "formed in 75% of 4 runs (95% interval " in out["caption"]
    assert "50% at its target, 25% undersized at the deadline" in out["caption"]
    assert "by week 7 in 50% (95% interval " in out["caption"]
    assert np.isfinite(deployment.strength(DEPLOYMENTS, RUNS, 7, 0.0)).all()


def _legend(figures, tables, meta, tmp_path) -> list[str]:
    """The legend labels of the deployment chart drawn from `tables` and `meta`."""
    deployment.draw(tables, meta, tmp_path)
    axes = figures[-1].axes
    return [t.get_text() for ax in axes if ax.get_legend() for t in ax.get_legend().get_texts()]


def test_a_target_drawn_per_run_is_shown_as_the_runs_median_and_band(figures, tmp_path):
    """A ranged target is drawn per run: the line is the runs' median and the band their
    5–95%, not the scenario's midpoint under the name "Target"."""
    runs = RUNS.assign(target=[200.0, 200.0, 400.0, 400.0])
    meta = {"deployment_staged": True, "weeks_watched": 7, "deadline": 5, "target": 250}
    labels = _legend(figures, {"runs": runs, "deployments": DEPLOYMENTS}, meta, tmp_path)
    assert "Target, median of runs (300)" in labels
    assert "Target, 5–95% of runs (200–400)" in labels
    assert not any(label.startswith("Target (") for label in labels)


def test_a_fixed_target_is_one_line_named_target(figures, tmp_path):
    meta = {"deployment_staged": True, "weeks_watched": 7, "deadline": 5, "target": 300}
    labels = _legend(figures, {"runs": RUNS, "deployments": DEPLOYMENTS}, meta, tmp_path)
    assert "Target (300)" in labels and not any("5–95% of runs (" in x for x in labels)


def test_the_formed_line_says_it_counts_undersized_forces_too(figures, tmp_path):
    """The report's P(formed) counts forces at their target only; the chart's line
    counts undersized ones as well, and its legend says so."""
    meta = {"deployment_staged": True, "weeks_watched": 7, "deadline": 5, "target": 300}
    labels = _legend(figures, {"runs": RUNS, "deployments": DEPLOYMENTS}, meta, tmp_path)
    formed = [label for label in labels if label.startswith("Force formed")]
    assert formed == ["Force formed (at its target, or undersized at the deadline)"]


def test_with_shocks_both_panels_keep_their_width_and_every_text_stays_on_the_page(
    figures, tmp_path
):
    """The shocks add a legend entry and a second title line: the legend under the left
    panel must not widen that panel's column (it once squeezed the right panel to a
    sliver and pushed its title off the page)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    deployments = DEPLOYMENTS.assign(
        suspended=["2-3", "", "", "7-7"],
        suspended_weeks=[2, 0, 0, 1],
        withdrawn_week=pd.array([pd.NA, 6, pd.NA, pd.NA], dtype="Int64"),
    )
    meta = {"deployment_staged": True, "weeks_watched": 8, "deadline": 5, "target": 300}
    labels = _legend(figures, {"runs": RUNS, "deployments": deployments}, meta, tmp_path)
    assert "A contingent suspended or withdrawn (arrived or not)" in labels
    fig = figures[-1]
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer, page = canvas.get_renderer(), fig.bbox
    left, right = fig.axes[:2]
    assert "net of suspensions and withdrawals" in right.get_title(loc="left")
    for ax in (left, right):
        assert ax.get_window_extent(renderer).width > 0.3 * page.width
        for text in (ax.title, ax._left_title, ax.xaxis.label, ax.yaxis.label):
            box = text.get_window_extent(renderer)
            assert page.x0 - 1 <= box.x0 and box.x1 <= page.x1 + 1, text.get_text()
        legend = ax.get_legend()
        if legend is not None:
            box = legend.get_window_extent(renderer)
            assert page.x0 - 1 <= box.x0 and box.x1 <= page.x1 + 1


def test_with_no_contingent_in_theatre_the_right_panel_keeps_the_weeks(figures, tmp_path):
    """No run deployed: the right panel says so, over the same weeks as the left one
    (not matplotlib's 0 to 1), its force axis written as everywhere else."""
    runs = RUNS.assign(deployed_week=pd.array([pd.NA] * 4, dtype="Int64"))
    deployments = DEPLOYMENTS.assign(arrival_week=pd.array([pd.NA] * 4, dtype="Int64"))
    meta = {"deployment_staged": True, "weeks_watched": 30, "deadline": 26, "target": 9770}
    _legend(figures, {"runs": runs, "deployments": deployments}, meta, tmp_path)
    fig = figures[-1]
    left, right = fig.axes[:2]
    assert right.get_xlim() == left.get_xlim() and right.get_xlim()[1] > 30
    assert right.get_title(loc="left") == "Deployed strength"
    assert any("No contingent reached the theatre" in t.get_text() for t in right.texts)
    fig.canvas.draw()
    ticks = [t.get_text() for t in right.get_yticklabels() if t.get_text()]
    assert "10,000" in ticks, ticks
