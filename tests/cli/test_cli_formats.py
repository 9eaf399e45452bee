"""`--formats`: which chart files the commands write, and what their pages link."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app

ROOT = Path(__file__).resolve().parents[2]
FLAGSHIP = ROOT / "scenarios" / "isf" / "res2803.yaml"
OTHER = ROOT / "scenarios" / "isf" / "funded.yaml"
SWEEP = ROOT / "scenarios" / "sweeps" / "target_x_deadline.yaml"
ROBUST = ROOT / "scenarios" / "sweeps" / "robust_mandates.yaml"
LINK = re.compile(r"!\[[^\]]*\]\(([^)]+)\)")

runner = CliRunner()


def run(out: Path, *extra: str) -> Path:
    result = runner.invoke(
        app, ["run", str(FLAGSHIP), "--runs", "6", "--out", str(out), "--quiet", *extra]
    )
    assert result.exit_code == 0, result.output
    return out


def links(page: Path) -> list[str]:
    return LINK.findall(page.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def default_run(tmp_path_factory) -> Path:
    return run(tmp_path_factory.mktemp("fmt") / "res")


@pytest.fixture(scope="module")
def both_run(tmp_path_factory) -> Path:
    return run(tmp_path_factory.mktemp("fmt") / "res", "--formats", "svg,png")


def test_run_writes_png_only_by_default(default_run: Path) -> None:
    files = sorted(p.name for p in (default_run / "charts").iterdir())
    assert files and all(name.endswith(".png") for name in files)
    manifest = json.loads((default_run / "manifest.json").read_text())
    assert manifest["chart_formats"] == ["png"]
    assert "--formats" not in manifest["command"]
    listed = sorted(c["png"] for c in manifest["charts"])
    assert listed == [f"charts/{name}" for name in files]
    assert all("svg" not in c for c in manifest["charts"])


def test_png_and_svg_on_request_and_the_manifest_lists_both(both_run: Path) -> None:
    manifest = json.loads((both_run / "manifest.json").read_text())
    assert manifest["chart_formats"] == ["png", "svg"]
    assert manifest["command"][-2:] == ["--formats", "png,svg"]
    for chart in manifest["charts"]:
        png, svg = both_run / chart["png"], both_run / chart["svg"]
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert svg.read_text().lstrip().startswith("<?xml")
        assert chart["png"] == f"charts/{chart['name']}.png"
        assert chart["svg"] == f"charts/{chart['name']}.svg"
    assert len(list((both_run / "charts").iterdir())) == 2 * len(manifest["charts"])


@pytest.mark.parametrize("fixture", ["default_run", "both_run"])
def test_the_report_links_every_chart_and_only_files_that_exist(fixture, request) -> None:
    folder = request.getfixturevalue(fixture)
    found = links(folder / "report.md")
    assert found, "the report embeds no chart"
    assert all((folder / link).is_file() for link in found)
    assert sorted(found) == sorted(f"charts/{p.name}" for p in (folder / "charts").glob("*.png"))


def test_svg_only_is_what_the_report_links(tmp_path: Path) -> None:
    folder = run(tmp_path / "res", "--formats", "svg")
    assert {p.suffix for p in (folder / "charts").iterdir()} == {".svg"}
    found = links(folder / "report.md")
    assert found and all(link.endswith(".svg") and (folder / link).is_file() for link in found)


def test_none_writes_no_chart_and_the_report_says_so(tmp_path: Path) -> None:
    folder = run(tmp_path / "res", "--formats", "none")
    assert not (folder / "charts").exists()
    text = (folder / "report.md").read_text(encoding="utf-8")
    assert links(folder / "report.md") == []
    assert "Charts were not drawn (`--formats none`)" in text
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["chart_formats"] == [] and manifest["charts"] == []
    assert manifest["command"][-2:] == ["--formats", "none"]


@pytest.mark.parametrize("command", ["sweep", "compare"])
def test_sweep_and_compare_draw_nothing_under_none(tmp_path: Path, command: str) -> None:
    """No figure is built (matplotlib is never imported), the manifest lists no chart
    and the page says why, as `run` does."""
    inputs = [str(SWEEP), "--runs", "4", "--steps", "2", "--cache", str(tmp_path / "c")]
    if command == "compare":
        inputs = [str(FLAGSHIP), str(OTHER), "--runs", "4"]
    out = tmp_path / command
    code = (
        "import sys\nfrom sim.cli import main\n"
        f"sys.argv = ['forcegen', {command!r}, *{inputs!r}, '--workers', '1', "
        f"'--formats', 'none', '--out', {str(out)!r}]\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "print('matplotlib' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.split()[-1] == "False", proc.stdout + proc.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["chart_formats"] == [] and manifest["charts"] == []
    assert not (out / "charts").exists()
    page = out / f"{command}.md"
    assert "Charts were not drawn (`--formats none`)" in page.read_text(encoding="utf-8")
    assert links(page) == []


def test_a_rerun_with_the_same_tables_copies_the_charts(tmp_path: Path, monkeypatch) -> None:
    import sim.charts

    folder = run(tmp_path / "res")
    before = {p.name: p.read_bytes() for p in (folder / "charts").iterdir()}
    manifest = (folder / "manifest.json").read_text()

    def refuse(*_a, **_k):
        raise AssertionError("a chart was drawn again although its tables did not change")

    for chart in sim.charts.CHARTS:
        monkeypatch.setattr(chart, "draw", refuse)
    run(folder)
    assert {p.name: p.read_bytes() for p in (folder / "charts").iterdir()} == before
    assert (folder / "manifest.json").read_text() == manifest


def test_a_rerun_with_other_tables_draws_again(tmp_path: Path) -> None:
    folder = run(tmp_path / "res")
    old = {c["name"]: c for c in json.loads((folder / "manifest.json").read_text())["charts"]}
    result = runner.invoke(
        app, ["run", str(FLAGSHIP), "--runs", "7", "--out", str(folder), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    new = {c["name"]: c for c in json.loads((folder / "manifest.json").read_text())["charts"]}
    assert set(new) == set(old)
    assert all(new[n]["inputs_sha256"] != old[n]["inputs_sha256"] for n in new)
    assert all((folder / c["png"]).is_file() for c in new.values())


def test_a_bad_format_exits_2_with_one_line_before_any_work(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "run", str(FLAGSHIP), "--formats", "pgn", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert lines == [
        "error: --formats: expected png, svg, both as 'png,svg', or 'none', got 'pgn' "
        "(did you mean 'png'?)"
    ]
    assert "Traceback" not in proc.stderr
    assert not out.exists() and not (tmp_path / "results").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["explain", str(FLAGSHIP), "--state", "PAK"],
        ["play", str(FLAGSHIP), "--as", "PAK"],
        ["compare", str(FLAGSHIP), str(OTHER), "--runs", "5"],
        ["sweep", str(SWEEP), "--runs", "5"],
        ["discover", str(FLAGSHIP), "--outcome", "formed", "--runs", "20"],
        ["robust", str(ROBUST), "--worlds", "2"],
        ["sensitivity", str(FLAGSHIP), "--runs", "20"],
    ],
    ids=lambda a: a[0],
)
def test_every_command_that_draws_refuses_a_bad_format(tmp_path: Path, args: list[str]) -> None:
    out = tmp_path / "o"
    result = runner.invoke(app, [*args, "--out", str(out), "--formats", "png,jpeg"])
    assert result.exit_code == 2
    text = result.output.strip()
    assert len(text.splitlines()) == 1, text
    assert "--formats" in text and "'jpeg' is not a chart format" in text
    assert not out.exists()


@pytest.mark.parametrize(
    ("formats", "files"),
    [
        ("png", ["waterfall_PAK.png"]),
        ("svg", ["waterfall_PAK.svg"]),
        ("none", []),
    ],
)
def test_explain_writes_and_links_its_waterfall_in_the_formats_asked(
    tmp_path: Path, formats: str, files: list[str]
) -> None:
    out = tmp_path / "ex"
    argv = ["explain", str(FLAGSHIP), "--state", "PAK", "--out", str(out), "--formats", formats]
    result = runner.invoke(app, argv)
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert written == sorted(["explain_PAK.md", *files])
    page = out / "explain_PAK.md"
    assert links(page) == files
    if not files:
        assert "Charts were not drawn (`--formats none`)" in page.read_text(encoding="utf-8")
