"""Chart formats (`--formats`), one layout per figure, and redrawing only what changed."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine

from sim.charts import CHARTS, available, draw_all, force_bands, inputs_key, plan_charts, style
from sim.output import formats as chart_files

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_png_only_by_default(synthetic, tmp_path):
    charts = draw_all(*synthetic, tmp_path)
    assert charts
    for chart in charts:
        assert chart["png"] == f"{chart['name']}.png"
        assert "svg" not in chart
        assert (tmp_path / chart["png"]).read_bytes().startswith(PNG_SIGNATURE)
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".png"] * len(charts)


def test_svg_only_writes_no_png(synthetic, tmp_path):
    with style.formats(["svg"]):
        charts = draw_all(*synthetic, tmp_path)
    for chart in charts:
        assert "png" not in chart
        ET.parse(tmp_path / chart["svg"])
    assert {p.suffix for p in tmp_path.iterdir()} == {".svg"}


def test_no_format_draws_nothing(synthetic, tmp_path):
    with style.formats(()):
        assert draw_all(*synthetic, tmp_path / "charts") == []
    assert not (tmp_path / "charts").exists()


def test_the_layout_runs_once_for_both_formats(synthetic, tmp_path, monkeypatch):
    calls = []
    execute = ConstrainedLayoutEngine.execute

    def counted(self, fig):
        calls.append(fig)
        return execute(self, fig)

    draws = []
    draw = Figure.draw

    def counted_draw(self, renderer):
        draws.append(self)
        return draw(self, renderer)

    monkeypatch.setattr(ConstrainedLayoutEngine, "execute", counted)
    monkeypatch.setattr(Figure, "draw", counted_draw)
    with style.formats(("png", "svg")):
        chart = force_bands.draw(*synthetic, tmp_path)
    assert set(chart) >= {"png", "svg"}
    assert len(calls) == 1, "the figure was laid out again for the second format"
    assert len(draws) == 2, "one draw per format, no dry draw before each"
    ET.parse(tmp_path / chart["svg"])
    assert (tmp_path / chart["png"]).read_bytes().startswith(PNG_SIGNATURE)


def test_unchanged_inputs_are_copied_not_drawn(synthetic, tmp_path, monkeypatch):
    tables, meta = synthetic
    first = draw_all(tables, meta, tmp_path / "old")
    drawn = []
    for chart in CHARTS:
        original = chart.draw

        def spy(*args, _original=original, _name=chart.NAME, **kwargs):
            drawn.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(chart, "draw", spy)
    runs = tables["runs"].copy()
    runs.loc[runs.index[0], "rounds"] = runs["rounds"].iloc[0] + 1  # only charts reading runs
    second = draw_all(
        {**tables, "runs": runs}, meta, tmp_path / "new", reuse=(tmp_path / "old", first)
    )
    readers = {c.NAME for c in CHARTS if "runs" in c.REQUIRES} & {c["name"] for c in first}
    assert set(drawn) == readers and readers
    old = {c["name"]: c for c in first}
    for chart in second:
        if chart["name"] in readers:
            assert chart["inputs_sha256"] != old[chart["name"]]["inputs_sha256"]
            continue
        assert chart == old[chart["name"]]
        new_bytes = (tmp_path / "new" / chart["png"]).read_bytes()
        assert new_bytes == (tmp_path / "old" / chart["png"]).read_bytes()


def test_a_plan_hashes_each_table_once_and_gives_each_charts_own_hash(
    synthetic, tmp_path, monkeypatch
):
    tables, meta = synthetic
    todo = [c for c in CHARTS if c.NAME in available(tables, meta)]
    alone = {c.NAME: inputs_key(c, tables, meta, ("png",)) for c in todo}
    hashed = []
    real = pd.util.hash_pandas_object
    monkeypatch.setattr(
        pd.util, "hash_pandas_object", lambda t, **kw: hashed.append(id(t)) or real(t, **kw)
    )
    plan = plan_charts(tables, meta, tmp_path)
    assert plan.keys == alone and len(set(alone.values())) == len(todo) >= 5
    read = {name for c in todo for name in c.REQUIRES}
    assert sorted(hashed) == sorted(id(tables[name]) for name in read)  # each table once


def test_a_chart_is_redrawn_when_its_old_file_is_missing_or_in_another_format(synthetic, tmp_path):
    tables, meta = synthetic
    first = draw_all(tables, meta, tmp_path / "old")
    (tmp_path / "old" / first[0]["png"]).unlink()
    again = draw_all(tables, meta, tmp_path / "new", reuse=(tmp_path / "old", first))
    assert (tmp_path / "new" / first[0]["png"]).is_file()
    assert [c["name"] for c in again] == [c["name"] for c in first]
    with style.formats(("png", "svg")):
        both = draw_all(tables, meta, tmp_path / "both", reuse=(tmp_path / "old", first))
    assert all((tmp_path / "both" / c["svg"]).is_file() for c in both)
    assert all(b["inputs_sha256"] != a["inputs_sha256"] for a, b in zip(first, both, strict=True))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("png", ("png",)),
        ("svg", ("svg",)),
        ("svg,png", ("png", "svg")),
        (" PNG , svg ", ("png", "svg")),
        ("none", ()),
    ],
)
def test_formats_are_parsed(text, expected):
    assert chart_files.parse(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("pgn", "got 'pgn' (did you mean 'png'?)"),
        ("png,jpg", "'jpg' is not a chart format"),
        ("", "got ''"),
        ("png,", "got 'png,'"),
        ("none,png", "'none' cannot be combined with a format"),
        ("png;svg", "separate formats with a comma"),
    ],
)
def test_bad_formats_are_refused_in_one_line(text, fragment):
    with pytest.raises(ValueError) as caught:
        chart_files.parse(text)
    message = str(caught.value)
    assert message.startswith("--formats: expected png, svg")
    assert fragment in message and "\n" not in message
