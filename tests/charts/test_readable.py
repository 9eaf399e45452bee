"""Charts that show what the runs show: the Figures are inspected, not just saved.

Each test draws a chart from small tables with a known answer and reads the
matplotlib Figure back (legend entries, axis limits, texts, which artists
exist), so it fails when the chart would mislead a reader.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import to_hex
from matplotlib.patches import Rectangle, StepPatch
from matplotlib.text import Annotation

from sim.charts import (
    acceptance,
    coalitions,
    commit_by_kind,
    compare,
    concessions,
    force_bands,
    play,
    stance_timeline,
    style,
    sweep,
)
from sim.numbers import force, pct, share_ci, wilson


def texts(fig) -> list[str]:
    """Every piece of text drawn on the figure (titles, annotations, legends, ticks)."""
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]


def legend_labels(fig) -> list[str]:
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    return [t.get_text() for legend in legends for t in legend.get_texts()]


def renderer_of(fig):
    """A renderer for a saved (closed) figure, to measure where its artists landed."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def inside_figure(fig, artist) -> bool:
    renderer = renderer_of(fig)
    box, page = artist.get_window_extent(renderer), fig.bbox
    return box.x0 >= page.x0 - 1 and box.x1 <= page.x1 + 1 and box.y0 >= page.y0 - 1


# ----------------------------------------------------------------------- force_bands


def split_runs() -> pd.DataFrame:
    """Half the runs form between weeks 4 and 6 at 8,000+; half stall at 0 in week 10."""
    return pd.DataFrame(
        {
            "run": range(8),
            "outcome": ["formed"] * 4 + ["stalled"] * 3 + ["undersized"],
            "rounds": [4, 5, 5, 6, 10, 10, 10, 10],
            "force": [8000.0, 9000.0, 8500.0, 12000.0, 0.0, 0.0, 6000.0, 3000.0],
            "coalition": ["IDN"] * 4 + ["", "", "AZE;IDN", "ITA"],
            "concessions": [""] * 8,
            "side_payments": [0.0] * 8,
            "rejected_by": [""] * 6 + ["ISR", ""],
        }
    )


def force_meta(synthetic_meta) -> dict:
    return {**synthetic_meta, "target": 8000.0, "minimum_viable": 2000.0, "deadline": 10,
            "rounds": 10, "runs": 8}  # fmt: skip


def test_force_bands_shows_the_split_of_outcomes_by_week(synthetic, figures, tmp_path):
    tables, meta = synthetic
    meta = force_meta(meta)
    runs = split_runs()
    force_bands.draw({**tables, "runs": runs}, meta, tmp_path)
    fig = figures[-1]
    top, bottom = fig.axes[:2]
    labels = legend_labels(fig)
    # each end's share of all 8 runs with its 95% interval, as the report prints it
    assert f"formed (target met, mandate accepted): {share_ci(0.5, 8)}" in labels
    assert f"stalled: short of the minimum viable force: {share_ci(0.25, 8)}" in labels
    assert f"stalled: mandate rejected by Israel: {share_ci(0.125, 8)}" in labels
    assert f"formed undersized at the deadline: {share_ci(0.125, 8)}" in labels
    assert not any("enough pledged" in label for label in labels)  # never happens here

    shares = force_bands.shares_by_week(runs, 2000.0, 10)
    assert np.allclose(shares.sum(axis=1), 1.0)
    assert shares.loc[3, "negotiating"] == 1.0
    assert shares.loc[5, "formed"] == pytest.approx(3 / 8)
    assert shares.loc[10, "negotiating"] == 0.0
    assert top.get_ylim() == (0.0, 1.0)
    assert [t.get_text() for t in top.get_yticklabels()][-1] == "100%"
    # what is drawn: each group that occurs a step a week, one over another, bottom first
    steps = [p for p in top.patches if isinstance(p, StepPatch)]
    drawn = [k for k, _ in force_bands.GROUPS if shares[k].any()]
    assert len(steps) == len(drawn) == 5
    below = np.zeros(10)
    for step, key in zip(steps, drawn, strict=True):
        values, edges, baseline = step.get_data()
        assert np.allclose(edges, np.arange(0.5, 11.0)) and np.allclose(baseline, below)
        assert np.allclose(values - baseline, shares[key].to_numpy())
        below = values
    assert np.allclose(below, 1.0)

    # the force panel: only runs that formed (incl. undersized), median of them, no line at 0
    median = np.median([8000.0, 9000.0, 8500.0, 12000.0, 3000.0])
    lines = {line.get_label(): line for line in bottom.get_lines()}
    assert lines["median of runs that formed (incl. undersized): 8,500"].get_ydata()[0] == median
    assert lines["Target (8,000)"].get_ydata()[0] == 8000.0
    assert lines["Minimum viable (2,000)"].get_ydata()[0] == 2000.0
    floor = bottom.get_ylim()[0]
    for ax in (top, bottom):
        for line in ax.get_lines():
            y = np.asarray(line.get_ydata(), float)
            assert not (len(y) and np.all(y == floor) and line.get_xydata()[0, 1] == floor)
    points = np.concatenate(
        [c.get_offsets()[:, 1] for c in bottom.collections if c.get_offsets().size]
    )
    assert sorted(points) == [3000.0, 8000.0, 8500.0, 9000.0, 12000.0]
    assert "the scenario's target" in " ".join(texts(fig))


def test_force_bands_uses_a_per_run_target_when_the_runs_carry_one(synthetic, figures, tmp_path):
    tables, meta = synthetic
    runs = split_runs().assign(target=[9000.0, 9000.0, 11000.0, 11000.0] * 2)
    force_bands.draw({**tables, "runs": runs}, force_meta(meta), tmp_path)
    fig = figures[-1]
    assert "target drawn per run (median, 5–95% of runs)" in " ".join(texts(fig))
    labels = legend_labels(fig)
    assert "Target, median of runs (10,000)" in labels
    assert "Target, 5–95% of runs (9,000–11,000)" in labels  # the band is named too


def test_force_bands_uses_the_drawn_targets_of_the_params_table(synthetic, figures, tmp_path):
    """`summary.meta` carries each run's drawn target (params.csv): the line is their
    median and the band their 5–95% range, not the scenario's midpoint."""
    tables, meta = synthetic
    runs = split_runs()
    by_run = {int(r): 8000.0 + 500.0 * i for i, r in enumerate(runs["run"])}
    force_bands.draw(
        {**tables, "runs": runs}, {**force_meta(meta), "target_by_run": by_run}, tmp_path
    )
    fig = figures[-1]
    median = float(np.median(list(by_run.values())))
    assert "target drawn per run (median, 5–95% of runs)" in " ".join(texts(fig))
    assert f"Target, median of runs ({force(median)})" in legend_labels(fig)
    assert not any(label.startswith("Target (") for label in legend_labels(fig))


def test_force_bands_says_so_when_no_run_formed(synthetic, figures, tmp_path):
    tables, meta = synthetic
    runs = split_runs().assign(outcome="stalled", force=0.0, rounds=10)
    chart = force_bands.draw({**tables, "runs": runs}, force_meta(meta), tmp_path)
    # counted, not deployed: formed forces are counted here, deployment is its own chart
    assert "No run formed, so there is no counted force to show." in texts(figures[-1])
    assert f"{share_ci(1.0, 8)} stalled" in chart["caption"]


# ----------------------------------------------------------------------- commit_by_kind


def commits_table() -> pd.DataFrame:
    rows = {("IDN", "troops"): 0.3, ("ITA", "trainers"): 0.03, ("ITA", "troops"): 0.01,
            ("EGY", "troops"): 0.04, ("PAK", "troops"): 0.0}  # fmt: skip
    return pd.DataFrame(
        [{"state": s, "kind": k, "p_commit": p, "mean_pledge": 0.0} for (s, k), p in rows.items()]
    )


def test_commit_by_kind_scales_the_axis_prints_shares_and_lists_only_kinds_that_occur(
    synthetic, figures, tmp_path
):
    tables, meta = synthetic
    meta = {**meta, "runs": 2000}
    commit_by_kind.draw({**tables, "commits": commits_table()}, meta, tmp_path)
    fig = figures[-1]
    ax = fig.axes[0]
    assert 0.3 < ax.get_xlim()[1] <= 0.45  # scaled to the data and its whiskers, not 0-1
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert all(t.endswith("%") for t in ticks if t)
    labels = legend_labels(fig)
    assert labels == ["Troops", "Police trainers (not counted toward target)"]  # no money
    printed = [t.get_text() for t in ax.texts][1:]  # the first is the subtitle
    assert printed == ["30%", "4%", "4%", "0%", "0%"]
    rows = [t.get_text() for t in ax.get_yticklabels()]  # top row first
    # the report's order: P(commit) descending, ties (ITA, EGY at 4%; GBR, PAK at 0) by code
    assert rows == ["Indonesia (IDN)", "Egypt (EGY)", "Italy (ITA)", "United Kingdom (GBR)",
                    "Pakistan (PAK)"]  # fmt: skip


def test_commit_by_kind_draws_each_shares_95_percent_interval(synthetic, figures, tmp_path):
    """Whiskers from the Wilson interval's ends over the runs, as the report prints them;
    none where the run count is not known."""
    tables, meta = synthetic
    chart = commit_by_kind.draw({**tables, "commits": commits_table()}, {**meta, "runs": 50},
                                tmp_path)  # fmt: skip
    ax = figures[-1].axes[0]
    (whiskers,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    ends = sorted((round(seg[0][0], 9), round(seg[1][0], 9)) for seg in whiskers.get_segments())
    shares = [0.3, 0.04, 0.04, 0.0, 0.0]  # IDN, EGY, ITA, GBR, PAK
    assert ends == sorted((round(lo, 9), round(hi, 9)) for lo, hi in map(wilson, shares, [50] * 5))
    assert "Indonesia (IDN) at 30% (19–44%)" in chart["caption"]
    assert ax.get_xlim()[1] >= wilson(0.3, 50)[1]  # the whole whisker in view
    commit_by_kind.draw({**tables, "commits": commits_table()}, {**meta, "runs": None}, tmp_path)
    assert not [c for c in figures[-1].axes[0].collections if isinstance(c, LineCollection)]


def test_a_package_part_is_named_without_the_notes_the_legend_gives(synthetic, figures, tmp_path):
    """Beside a bar, a package part whose kind is in the legend is its name and share,
    the notes ('outside the territory', 'not counted') being in the legend, so the text
    does not narrow the bars (the flagship's UK package once took half the figure); a
    kind only ever brought as a part keeps its notes."""
    tables, meta = synthetic
    kinds = {**meta["kinds"], "trainers": "Staff officers at headquarters (outside the territory)"}
    meta = {**meta, "kinds": kinds}
    rows = [("GBR", "troops", 0.95, 0.95), ("GBR", "trainers", 0.95, 0.0),
            ("CYP", "trainers", 0.5, 0.5), ("IDN", "troops", 0.5, 0.5)]  # fmt: skip
    commits = pd.DataFrame(rows, columns=["state", "kind", "p_commit", "p_lead"])
    commit_by_kind.draw({**tables, "commits": commits.assign(mean_pledge=0.0)}, meta, tmp_path)
    fig = figures[-1]
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts][1] == (
        "95% + staff officers at headquarters 95% (package)"
    )
    notes = "Staff officers at headquarters (outside the territory; not counted toward target)"
    assert notes in legend_labels(fig)
    renderer = renderer_of(fig)
    assert ax.get_window_extent(renderer).width > 0.42 * fig.bbox.width  # 0.33 with notes
    assert all(inside_figure(fig, t) for t in ax.texts[1:])
    # without Cyprus the kind is not in the legend: the text keeps the notes
    alone = commits[commits["state"] != "CYP"].assign(mean_pledge=0.0)
    commit_by_kind.draw({**tables, "commits": alone}, meta, tmp_path)
    fig = figures[-1]
    assert notes not in legend_labels(fig)
    assert [t.get_text() for t in fig.axes[0].texts][1] == f"95% + {notes.lower()} 95% (package)"


def test_state_order_matches_the_report_ranking():
    p = {"PAK": 0.1, "EGY": 0.1, "IDN": 0.5, "ARE": 0.0, "ZZZ": 0.0}
    assert style.state_order(p) == ["IDN", "EGY", "PAK", "ARE", "ZZZ"]
    # a sum that differs from another only by float noise still ties (then by code)
    assert style.state_order({"B": 0.1 + 0.2, "A": 0.3}) == ["A", "B"]


def test_kind_note_label_never_doubles_parentheses():
    meta = {
        "kinds": {"trainers": "Police trainers (outside the territory)", "money": "Funding"},
        "kind_measure": {"trainers": "personnel", "money": "USD million"},
        "counted_kinds": ["troops"],
    }
    assert (
        style.kind_note_label("trainers", meta)
        == "Police trainers (outside the territory; not counted toward target)"
    )
    assert style.kind_note_label("money", meta) == (
        "Funding (USD million; not counted toward target)"
    )
    assert style.kind_note_label("money", meta, money=False) == (
        "Funding (not counted toward target)"
    )


# ----------------------------------------------------------------------- coalitions


def test_coalitions_split_formed_from_stalled_runs(synthetic, figures, tmp_path):
    tables, meta = synthetic
    runs = split_runs()
    table = pd.DataFrame(
        {"members": ["IDN", "", "AZE;IDN", "ITA"], "share": [0.5, 0.25, 0.125, 0.125]}
    )
    coalitions.draw({**tables, "runs": runs, "coalitions": table}, meta, tmp_path)
    fig = figures[-1]
    assert legend_labels(fig) == ["formed", "formed undersized", "stalled"]
    notes = [t.get_text() for t in fig.axes[0].texts][1:]  # the first is the subtitle
    assert notes == ["50%, all formed", "25%, all stalled", "13%, all stalled",
                     "13%, all formed undersized"]  # fmt: skip
    parts = coalitions.split(table, runs)
    assert parts.loc["IDN", "formed"] == 0.5 and parts.loc["ITA", "undersized"] == 0.125


def test_coalitions_draw_each_shares_95_percent_interval(synthetic, figures, tmp_path):
    """Whiskers from each coalition's Wilson interval over the runs, wholly in view, the
    label after the whisker, the caption quoting the top one's; none without a run count."""
    tables, meta = synthetic
    table = pd.DataFrame({"members": ["IDN", "", "AZE;IDN"], "share": [0.6, 0.3, 0.1]})
    chart = coalitions.draw({**tables, "coalitions": table}, {**meta, "runs": 40}, tmp_path)
    ax = figures[-1].axes[0]
    (whiskers,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    ends = sorted((round(seg[0][0], 9), round(seg[1][0], 9)) for seg in whiskers.get_segments())
    expected = [wilson(p, 40) for p in (0.6, 0.3, 0.1)]
    assert ends == sorted((round(lo, 9), round(hi, 9)) for lo, hi in expected)
    assert ax.get_xlim()[1] >= expected[0][1]
    labels = [t for t in ax.texts if isinstance(t, Annotation) and t.get_text()[0].isdigit()]
    assert sorted(t.xy[0] for t in labels) == pytest.approx(sorted(hi for _, hi in expected))
    lo, hi = expected[0]
    assert f"occurred in 60% ({pct(lo).rstrip('%')}–{pct(hi)}) of runs" in chart["caption"]
    assert "(in brackets and whiskers: 95% interval)" in chart["caption"]
    assert "whiskers: 95% interval" in " ".join(texts(figures[-1]))
    chart = coalitions.draw({**tables, "coalitions": table}, {**meta, "runs": None}, tmp_path)
    assert not [c for c in figures[-1].axes[0].collections if isinstance(c, LineCollection)]
    assert "interval" not in chart["caption"]


# ----------------------------------------------------------------------- concessions


def test_concession_legend_follows_the_final_height_and_the_note_stays_inside(
    synthetic, figures, tmp_path
):
    tables, meta = synthetic
    runs = tables["runs"].assign(
        concessions=["un_command@5", "un_command@1;allow_caveats@2", "un_command@2"]
    )
    meta = {**meta, "concessions": {**meta["concessions"], "a_long_one": "x " * 80}}
    concessions.draw({**tables, "runs": runs}, meta, tmp_path)
    fig = figures[-1]
    labels = legend_labels(fig)
    assert labels[:2] == ["Place the force under UN command", "Allow national caveats"]
    note = next(t for t in fig.texts if t.get_text().startswith("Not made in any run"))
    assert "Drop weapons" in note.get_text() and inside_figure(fig, note)
    assert concessions.by_final_height(pd.DataFrame({"a": [0, 0.2], "b": [0.1, 0.9]})) == [
        "b",
        "a",
    ]


# ----------------------------------------------------------------------- acceptance


def test_equal_thresholds_are_drawn_once_and_a_median_at_one_shows(synthetic, figures, tmp_path):
    tables, meta = synthetic
    bands = tables["bands"].copy()
    bands.loc[bands["series"] == "accept.UNSC", ["median", "p05", "p95"]] = 1.0
    meta = {**meta, "veto_thresholds": {"ISR": 0.5, "UNSC": 0.5}}
    acceptance.draw({**tables, "bands": bands}, meta, tmp_path)
    ax = figures[-1].axes[0]
    thresholds = [line for line in ax.get_lines() if line.get_label().startswith("Threshold")]
    assert len(thresholds) == 1
    assert " ".join(thresholds[0].get_label().split()) == (
        "Threshold 0.50: Israel, UN Security Council"
    )
    assert ax.get_ylim()[1] >= 1.03 and ax.get_ylim()[0] < 0
    median = next(
        line for line in ax.get_lines() if line.get_label() == "UN Security Council: median"
    )
    assert not median.get_clip_on()


def test_different_thresholds_keep_one_line_each(synthetic, figures, tmp_path):
    tables, meta = synthetic
    acceptance.draw(tables, meta, tmp_path)  # ISR 0.5, UNSC 0.6
    ax = figures[-1].axes[0]
    labels = [
        " ".join(line.get_label().split())
        for line in ax.get_lines()
        if line.get_label().startswith("Thr")
    ]
    assert labels == ["Threshold 0.50: Israel", "Threshold 0.60: UN Security Council"]


# ----------------------------------------------------------------------- stance_timeline


def test_stance_timeline_titles_the_outcome_and_frames_only_vetoed_pledges(
    synthetic, figures, tmp_path
):
    tables, meta = synthetic
    states = tables["states"].copy()
    run = states["run"] == meta["representative_run"]
    # GBR is vetoed from round 2 (fixture); make it decline all run: no frame must remain
    states.loc[run & (states["state"] == "GBR"), ["stance", "kind"]] = ["declined", ""]
    runs = tables["runs"].copy()
    runs.loc[runs["run"] == 1, ["outcome", "rounds", "force"]] = ["formed", 6, 8000.0]
    chart = stance_timeline.draw({**tables, "states": states, "runs": runs}, meta, tmp_path)
    fig = figures[-1]
    assert chart["title"] == "Representative run 1: formed in week 6, force 8,000"
    assert fig.get_suptitle() == chart["title"]
    ax = fig.axes[0]
    frames = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_linestyle() != "solid"]
    assert frames == []
    assert not any("vetoed" in label for label in legend_labels(fig))
    # the legend sits below the grid, not beside it
    renderer = renderer_of(fig)
    legend = fig.legends[0].get_window_extent(renderer)
    assert legend.y1 <= ax.get_window_extent(renderer).y0
    assert "rows: final stance, then P(commit) across all runs" in " ".join(texts(fig))


def test_stance_timeline_frames_a_vetoed_pledge(synthetic, figures, tmp_path):
    tables, meta = synthetic
    states = tables["states"].copy()
    run = (states["run"] == meta["representative_run"]) & (states["state"] == "GBR")
    states.loc[run, ["stance", "kind"]] = ["offered", "troops"]
    stance_timeline.draw({**tables, "states": states}, meta, tmp_path)
    fig = figures[-1]
    dashed = [p for p in fig.axes[0].patches if p.get_linestyle() != "solid"]
    assert len(dashed) == 1  # rounds 2-6 of GBR, one stretch
    assert "pledge vetoed by a veto player (not counted)" in legend_labels(fig)


def separators(ax) -> tuple[list[float], list[float], set[tuple]]:
    """The x of every vertical and the y of every horizontal white line on `ax`, and the
    horizontal lines' (x0, x1) spans."""
    xs, ys, spans = [], [], set()
    for lines in ax.collections:
        if not isinstance(lines, LineCollection):
            continue
        assert (lines.get_colors()[:, :3] == 1.0).all()  # white
        for (x0, y0), (x1, _) in lines.get_segments():
            if x0 == x1:
                xs.append(x0)
            else:
                ys.append(y0)
                spans.add((x0, x1))
    return sorted(xs), sorted(ys), spans


@pytest.mark.parametrize(("n_rounds", "vertical"), [(6, True), (61, False)])
def test_stance_timeline_separates_cells_with_white_lines(make_tables, figures, tmp_path,
                                                          n_rounds, vertical):  # fmt: skip
    """A white line between every two rows and, up to MAX_GRID_ROUNDS weeks, every two
    weeks, across the whole grid."""
    assert (n_rounds <= stance_timeline.MAX_GRID_ROUNDS) == vertical
    tables, meta = make_tables(n_runs=2, n_rounds=n_rounds, seed=3)
    stance_timeline.draw(tables, meta, tmp_path)
    ax = figures[-1].axes[0]
    run = tables["states"][tables["states"]["run"] == meta["representative_run"]]
    rows, cols = run["state"].nunique(), run["round"].nunique()
    xs, ys, spans = separators(ax)
    assert ys == [i - 0.5 for i in range(rows + 1)]
    assert spans == {(-0.5, cols - 0.5)}
    assert xs == ([j - 0.5 for j in range(cols + 1)] if vertical else [])


@pytest.mark.parametrize("pledged", [True, False])
def test_play_grids_name_every_stance_and_kind_and_a_veto_only_where_framed(
    synthetic, figures, tmp_path, pledged
):
    """`forcegen play`'s stance grid: its legend names the five stances and every kind
    whose code is in a cell, and the vetoed frame only where a pledged cell has one (a
    veto on a state that pledged nothing draws none)."""
    tables, meta = synthetic
    states = tables["states"][tables["states"]["run"] == 0].copy()
    gbr = states["state"] == "GBR"  # vetoed from round 2 (fixture)
    states.loc[gbr, ["stance", "kind"]] = ["offered", "troops"] if pledged else ["declined", ""]
    play.draw_stances(states, meta, tmp_path, ["PAK"])
    fig = figures[-1]
    (legend,) = fig.legends
    labels = legend_labels(fig)
    assert [label for label in labels if label in style.STANCES] == list(style.STANCES)
    named = legend.get_title().get_text().replace("\n", " ")
    codes = style.kind_codes(style.ordered_kinds(meta, states["kind"].unique()), meta)
    for kind in set(states["kind"]) - {""}:
        assert f"{codes[kind]} = " in named, (kind, named)
    frames = [p for p in fig.axes[0].patches if p.get_linestyle() != "solid"]
    assert bool(frames) == pledged
    assert any("vetoed" in label for label in labels) == pledged
    renderer = renderer_of(fig)
    assert legend.get_window_extent(renderer).y1 <= fig.axes[0].get_window_extent(renderer).y0


# ----------------------------------------------------------------------- compare


def compare_inputs():
    names = ["base", "no_disarmament"]
    runs = pd.DataFrame(
        {
            "scenario": ["base"] * 4 + ["no_disarmament"] * 4,
            "run": list(range(4)) * 2,
            "outcome": ["formed", "formed", "stalled", "stalled"] + ["stalled"] * 4,
            "rounds": [5, 7, 10, 10] + [10] * 4,
            "force": [9000.0, 11000.0, 0.0, 0.0, 12000.0, 11000.0, 10500.0, 0.0],
            "rejected_by": ["", "", "", "", "ISR", "ISR", "ISR", ""],
        }
    )
    comp = pd.DataFrame(
        {
            "scenario": names,
            "runs": [4, 4],
            "p_formed": [0.5, 0.0],
            "p_formed_lo": [0.15, 0.0],
            "p_formed_hi": [0.85, 0.49],
            "force_median": [4500.0, 10750.0],
            "rounds_to_form_median": [6.0, float("nan")],
        }
    )
    commits = pd.DataFrame(
        {
            "scenario": ["base", "no_disarmament"],
            "state": ["IDN", "IDN"],
            "kind": ["troops", "troops"],
            "p_commit": [0.5, 0.75],
        }
    )
    meta = {
        "title": "base vs no_disarmament",
        "states": {"IDN": "Indonesia"},
        "kinds": {"troops": "Troops"},
        "counted_kinds": ["troops"],
        "veto_players": {"ISR": "Israel"},
        "scenarios": [
            {
                "name": n,
                "title": n,
                "runs": 4,
                "target": 10000.0,
                "minimum_viable": 4000.0,
                "deadline": 10,
            }
            for n in names
        ],
    }
    return comp, runs, commits, meta


def test_compare_charts_say_why_a_scenario_does_not_form(figures, tmp_path):
    comp, runs, commits, meta = compare_inputs()
    note = compare.outcome_note(runs, "no_disarmament", meta)
    assert note == (
        "does not form: mandate rejected by Israel (75% of runs); "
        "short of the minimum viable force (25% of runs)"
    )
    assert compare.outcome_note(runs, "base", meta) == "forms in 50% of runs"
    charts = compare.draw(comp, runs, commits, meta, tmp_path)
    by_name = dict(zip([c["name"] for c in charts], figures, strict=True))

    heads = [t.get_text() for t in by_name["compare_commit"].axes[0].get_xticklabels()]
    assert heads[0] == "base\nforms in 50% of runs"
    assert heads[1].startswith("no disarmament\ndoes not form: mandate") and "Israel" in heads[1]
    cells = [t.get_text() for t in by_name["compare_commit"].axes[0].texts]
    assert "75%  T" in cells and "50%  T" in cells

    formed = [t.get_text() for t in by_name["compare_formed"].axes[0].texts]
    assert any("does not form: mandate rejected by Israel" in t for t in formed)
    assert "does not form" in charts[1]["caption"]

    time_ax = by_name["compare_time"].axes[0]
    assert time_ax.get_ylim()[0] < 0  # a curve at 0% stays visible above the axis
    labels = legend_labels(by_name["compare_time"])
    assert any(label.startswith("no disarmament: never forms") for label in labels)
    assert "base (50% formed)" in labels


# ----------------------------------------------------------------------- sweep


def sweep_inputs(states: int = 12):
    targets, deadlines = [4000.0, 8000.0], [8, 20]
    rows = []
    p = {(4000, 8): 0.1, (4000, 20): 0.6, (8000, 8): 0.12, (8000, 20): 0.14}
    for t in targets:
        for d in deadlines:
            share = p[(t, d)]
            lo, hi = wilson(share, 50)
            rows.append(
                {
                    "broker.target": t,
                    "broker.deadline": d,
                    "p_formed": share,
                    "p_formed_lo": lo,
                    "p_formed_hi": hi,
                    "expected_force": 1000.0 * share * 10,
                    **{f"p_commit.S{i:02d}": (0.3 if i == 0 else 0.0) for i in range(states)},
                }
            )
    meta = {
        "title": "Target × deadline",
        "base_title": "Base",
        "runs": 50,
        "n_points": 4,
        "design": "grid",
        "states": {f"S{i:02d}": f"State number {i}" for i in range(states)},
        "kinds": {},
        "target": None,
        "axes": [
            {"path": "broker.target", "label": "Target", "values": targets, "numeric": True},
            {"path": "broker.deadline", "label": "Deadline", "values": deadlines, "numeric": True},
        ],
    }
    return pd.DataFrame(rows), meta


def test_sweep_heatmaps_state_one_scale_policy_and_mark_unresolved_cells(figures, tmp_path):
    table, meta = sweep_inputs()
    sweep.draw(table, meta, tmp_path)
    outcome, commit = figures
    images = [im for ax in outcome.axes for im in ax.get_images()]
    assert (images[0].norm.vmin, images[0].norm.vmax) == (0, 1)
    assert (images[1].norm.vmin, images[1].norm.vmax) == (0, 8000.0)  # the largest target
    bars = [ax.get_ylabel() for ax in outcome.axes if ax.get_label() == "<colorbar>"]
    assert bars == ["share of runs that formed (0–100%)",
                    "mean counted force, 0–8,000 (the largest target)"]  # fmt: skip
    # 10%, 12% and 14% cannot be told apart from their neighbours with 50 runs; 60% can
    hatched = [p for p in outcome.axes[0].patches if p.get_hatch()]
    assert sorted((p.get_xy()[1] + 0.5, p.get_xy()[0] + 0.5) for p in hatched) == [(1.0, 0.0)]
    cells = [t.get_text() for t in outcome.axes[0].texts]
    assert pct(0.6) in cells and "46–72%" in cells

    subtitle = " ".join(next(t for t in texts(commit) if "never above" in t).split())
    assert "…" not in subtitle
    assert "State number 11" in subtitle and "State number 1," in subtitle


def test_unresolved_cells_overlap_every_neighbour():
    lo = np.array([[0.0, 0.5], [0.05, 0.1]])
    hi = np.array([[0.2, 0.8], [0.25, 0.3]])
    assert sweep.unresolved(lo, hi).tolist() == [[False, False], [True, False]]


def test_each_concession_line_carries_its_weekly_interval(synthetic, figures, tmp_path):
    """Each line has a band in its colour from the 95% Wilson interval of its share each
    week over the run count; the legend and the caption say what the band is."""
    tables, meta = synthetic
    runs = tables["runs"].assign(
        concessions=["un_command@5", "un_command@1;allow_caveats@2", "un_command@2"]
    )
    chart = concessions.draw({**tables, "runs": runs}, meta, tmp_path)
    ax = figures[-1].axes[0]
    lines = {
        line.get_label(): line for line in ax.get_lines() if not line.get_label().startswith("_")
    }
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 2
    shares = concessions.cumulative(runs, int(meta.get("rounds") or runs["rounds"].max()))
    for band, cid in zip(bands, concessions.by_final_height(shares), strict=True):
        line = lines[concessions._label(cid, meta)]
        assert to_hex(band.get_facecolor()[0], keep_alpha=False) == to_hex(line.get_color())
        ys = {round(float(y), 9) for y in band.get_paths()[0].vertices[:, 1]}
        expected = {round(end, 9) for p in shares[cid] for end in wilson(float(p), 3)}
        assert ys == expected
    assert "shaded: 95% interval" in ax.get_legend().get_title().get_text()
    assert "(in brackets, and shaded: 95% interval)" in chart["caption"]
