"""Charts: valid files, byte-stable output, captions that read the tables."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import matplotlib
import matplotlib.image
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from sim.charts import CHARTS, coalitions, concessions, draw_all, stance_timeline, style
from sim.numbers import share_ci

NAMES = [
    "stance_timeline",
    "force_bands",
    "commit_by_kind",
    "coalitions",
    "concessions",
    "acceptance",
]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def by_name(charts):
    return {c["name"]: c for c in charts}


BOTH = ("png", "svg")


@pytest.fixture(scope="module")
def drawn(tmp_path_factory, make_tables):
    """All six charts drawn once, as PNG and SVG, from the synthetic tables (read-only)."""
    out = tmp_path_factory.mktemp("charts")
    with style.formats(BOTH):
        return draw_all(*make_tables(), out), out


def caption(name, tables, meta, out):
    """Draw one chart and return its caption (cheaper than drawing all six)."""
    module = {chart.NAME: chart for chart in CHARTS}[name]
    return module.draw(tables, meta, out)["caption"]


def test_draw_all_returns_the_six_charts_in_order(drawn):
    charts, _ = drawn
    assert [c["name"] for c in charts] == NAMES
    for chart in charts:
        assert chart["png"] == f"{chart['name']}.png"
        assert chart["svg"] == f"{chart['name']}.svg"
        assert chart["title"] and chart["caption"].endswith(".")


def test_every_png_is_a_real_image_at_120_dpi(drawn):
    charts, out = drawn
    for chart in charts:
        data = (out / chart["png"]).read_bytes()
        assert data.startswith(PNG_SIGNATURE), chart["name"]
        image = matplotlib.image.imread(out / chart["png"])
        height, width, channels = image.shape
        assert channels in (3, 4) and width >= 600 and height >= 300, chart["name"]
        assert image.std() > 0.05, f"{chart['name']} is blank"
    force = matplotlib.image.imread(out / "force_bands.png")
    assert force.shape[:2] == (round(6.6 * style.DPI), round(9.2 * style.DPI))


def test_every_svg_parses_as_svg(drawn):
    charts, out = drawn
    for chart in charts:
        root = ET.parse(out / chart["svg"]).getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg", chart["name"]
        assert len(list(root.iter())) > 50, f"{chart['name']} SVG is nearly empty"


def test_drawing_twice_gives_identical_bytes(synthetic, tmp_path):
    tables, meta = synthetic
    with style.formats(BOTH):
        first = draw_all(tables, meta, tmp_path / "a")
        second = draw_all(tables, meta, tmp_path / "b")
    assert first == second
    for chart in first:
        for key in ("png", "svg"):
            a = (tmp_path / "a" / chart[key]).read_bytes()
            b = (tmp_path / "b" / chart[key]).read_bytes()
            assert a == b, f"{chart[key]} differs between two draws"


def test_svg_carries_no_date(drawn):
    charts, out = drawn
    for chart in charts:
        assert "<dc:date>" not in (out / chart["svg"]).read_text()


def test_no_figure_left_open_and_global_style_untouched(synthetic, tmp_path):
    before = dict(matplotlib.rcParams)
    draw_all(*synthetic, tmp_path)
    assert plt.get_fignums() == []
    assert dict(matplotlib.rcParams) == before


def test_coalition_caption_quotes_the_top_share_and_follows_the_table(synthetic, tmp_path):
    tables, meta = synthetic
    top = tables["coalitions"].iloc[0]
    before = caption("coalitions", tables, meta, tmp_path)
    assert style.fmt_share(top["share"]) in before

    tables = dict(tables)
    tables["coalitions"] = pd.DataFrame(
        {"members": ["EGY;IDN;PAK", "", "ITA"], "share": [0.62, 0.3, 0.08]}
    )
    changed = caption("coalitions", tables, meta, tmp_path)
    assert changed != before
    assert "62%" in changed and "EGY, IDN, PAK" in changed


def test_empty_coalition_reads_no_counted_contributor(synthetic, tmp_path):
    tables, meta = synthetic
    tables = dict(tables)
    tables["coalitions"] = pd.DataFrame({"members": ["", "PAK"], "share": [0.75, 0.25]})
    text = caption("coalitions", tables, meta, tmp_path)
    assert "no counted contributor" in text and "75%" in text
    assert coalitions._label("") == "no counted contributor"


def test_force_caption_reads_the_runs_table(synthetic, tmp_path):
    tables, meta = synthetic
    runs = tables["runs"].assign(
        outcome=["formed", "formed", "stalled"], rounds=[3, 5, 6], force=[4200.0, 5100.0, 0.0]
    )
    text = caption("force_bands", {**tables, "runs": runs}, meta, tmp_path)
    assert text.startswith(
        f"Of 3 runs (in brackets: 95% interval), {share_ci(2 / 3, 3)} formed (median week 4), "
        f"{share_ci(0.0, 3)} formed undersized"
    )
    assert f"{share_ci(1 / 3, 3)} stalled" in text and "median 4,650 personnel" in text
    assert "against a target of 4,000" in text


def test_commit_caption_names_the_most_likely_state(synthetic, tmp_path):
    tables, meta = synthetic
    commits = tables["commits"].copy()
    commits["p_commit"] = 0.0
    commits.loc[(commits["state"] == "ITA") & (commits["kind"] == "trainers"), "p_commit"] = 0.55
    commits.loc[(commits["state"] == "ITA") & (commits["kind"] == "troops"), "p_commit"] = 0.2
    text = caption("commit_by_kind", {**tables, "commits": commits}, meta, tmp_path)
    assert "Italy (ITA) at 75%" in text
    assert "police trainers" in text


def test_concession_caption_and_cumulative_shares(synthetic, tmp_path):
    tables, meta = synthetic
    text = caption("concessions", tables, meta, tmp_path)
    # runs: "allow_caveats@3", "allow_caveats@2;drop_decommissioning@5", ""
    assert "'Allow national caveats'" in text
    assert f"had been made in {share_ci(2 / 3, 3)} of runs by week" in text
    assert "(in brackets, and shaded: 95% interval)" in text
    shares = concessions.cumulative(tables["runs"], 6)
    assert shares.loc[1, "allow_caveats"] == 0
    assert shares.loc[2, "allow_caveats"] == pytest.approx(1 / 3)
    assert shares.loc[3, "allow_caveats"] == pytest.approx(2 / 3)
    assert shares.loc[4, "drop_decommissioning"] == 0
    assert shares.loc[6, "drop_decommissioning"] == pytest.approx(1 / 3)


def test_concession_parsing():
    assert concessions.parse("allow_caveats@4;drop_decommissioning@9") == [
        ("allow_caveats", 4),
        ("drop_decommissioning", 9),
    ]
    assert concessions.parse("") == []
    assert concessions.parse(None) == []


def test_no_concession_at_all_draws_an_empty_chart(synthetic, tmp_path):
    tables, meta = synthetic
    runs = tables["runs"].assign(concessions="")
    with style.formats(BOTH):
        chart = concessions.draw({**tables, "runs": runs}, meta, tmp_path)
    assert chart["caption"] == "The broker made no concession in any of the 3 runs."
    assert (tmp_path / chart["png"]).read_bytes().startswith(PNG_SIGNATURE)
    ET.parse(tmp_path / chart["svg"])
    assert concessions.cumulative(runs, 6).shape[1] == 0


def test_acceptance_caption_quotes_last_median_and_threshold(synthetic, tmp_path):
    tables, meta = synthetic
    bands = tables["bands"]
    last = bands[bands["series"] == "accept.ISR"].sort_values("round").iloc[-1]
    text = caption("acceptance", tables, meta, tmp_path)
    assert f"Israel {last['median']:.2f} (threshold 0.50)" in text
    assert "UN Security Council" in text


def test_stance_caption_counts_committed_states_in_the_representative_run(synthetic, tmp_path):
    tables, meta = synthetic
    states = tables["states"].copy()
    run = states["run"] == meta["representative_run"]
    final = run & (states["round"] == 6)
    states.loc[final, "stance"] = "committed"
    states.loc[final, "kind"] = "troops"
    text = caption("stance_timeline", {**tables, "states": states}, meta, tmp_path)
    assert "5 of 5 were committed by its last week (6)" in text
    assert "1 had its pledge vetoed" in text


def test_stance_rows_ordered_by_final_stance_then_p_commit(synthetic):
    _, meta = synthetic
    rows = []
    paths = {"AAA": "ccoo", "BBB": "cooo", "CCC": "cccc", "DDD": "dddd", "EEE": "cccc"}
    for code, path in paths.items():
        stance = {"c": "considering", "o": "committed", "d": "declined"}
        rows += [{"state": code, "round": r + 1, "stance": stance[s]} for r, s in enumerate(path)]
    run = pd.DataFrame(rows)
    # without P(commit): final stance, then when it got there
    assert stance_timeline._grid(run, meta)["state"].tolist() == [
        "BBB",
        "AAA",
        "CCC",
        "EEE",
        "DDD",
    ]
    # with P(commit): final stance first, then the report's order (AAA above BBB, EEE above CCC)
    p_commit = {"AAA": 0.6, "BBB": 0.2, "CCC": 0.0, "EEE": 0.1, "DDD": 0.0}
    order = stance_timeline._grid(run, meta, p_commit)["state"].tolist()
    assert order == ["AAA", "BBB", "EEE", "CCC", "DDD"]


def test_missing_detail_tables_skip_the_timeline_only(synthetic, tmp_path):
    tables, meta = synthetic
    tables = {k: v for k, v in tables.items() if k not in ("states", "rounds")}
    assert [c["name"] for c in draw_all(tables, meta, tmp_path)] == NAMES[1:]


def test_empty_aggregate_tables_still_give_valid_files(synthetic, tmp_path):
    tables, meta = synthetic
    tables = {name: table.iloc[0:0] for name, table in tables.items()}
    with style.formats(BOTH):
        charts = draw_all(tables, meta, tmp_path)
    assert [c["name"] for c in charts] == NAMES
    for chart in charts:
        assert (tmp_path / chart["png"]).read_bytes().startswith(PNG_SIGNATURE)
        ET.parse(tmp_path / chart["svg"])


def test_many_states_and_long_runs_scale(tmp_path, make_tables):
    many = {f"S{chr(65 + i // 26)}{chr(65 + i % 26)}": f"State number {i}" for i in range(40)}
    tables, meta = make_tables(n_runs=2, n_rounds=45, states=many, seed=11)
    chart = stance_timeline.draw(tables, meta, tmp_path)
    image = matplotlib.image.imread(tmp_path / chart["png"])
    assert image.shape[0] > 1200  # rows grow with the number of states
    assert "of the 40 states" in chart["caption"]


def test_kind_codes_are_short_and_unique():
    meta = {"kinds": {"troops": "Troops", "trainers": "Trainers", "transport": "Transport"}}
    codes = style.kind_codes(list(meta["kinds"]), meta)
    assert len(set(codes.values())) == 3
    assert all(len(code) <= 3 for code in codes.values())
    assert codes["troops"] == "T"


def test_uncounted_kinds_are_flagged_in_the_stance_legend(synthetic):
    _, meta = synthetic
    handles = stance_timeline._legend_handles(
        meta, ["troops", "money"], {"troops": "T", "money": "F"}, True, 5
    )
    labels = [h.get_label() for h in handles]
    assert "T = Troops" in labels
    assert "F = Funding (not counted toward target)" in labels
    assert not any(") (" in label for label in labels)
