"""The Python API (docs/api.md): sim.load, sim.run, Results, sim.compare, sim.sweep;
and `import sim` leaves the process's settings alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import sim
from sim.charts import force_bands, style
from sim.engine.ensemble import run_ensemble
from sim.output.folder import FolderError
from sim.parallel import ARROW_NO_THREAD, BLAS_THREADS, Pool, own_process
from sim.results import TABLES
from sim.scenario.arrays import compile_scenario
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load, override

ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = ROOT / "scenarios" / "isf" / "res2803.yaml"
FUNDED = ROOT / "scenarios" / "isf" / "funded.yaml"
SWEEP = ROOT / "scenarios" / "sweeps" / "clarity_x_funding.yaml"
RUNS = 40


@pytest.fixture(scope="module")
def results() -> sim.Results:
    return sim.run(FLAGSHIP, runs=RUNS)


@pytest.fixture(scope="module")
def folders(results, tmp_path_factory) -> tuple[Path, Path]:
    """The same ensemble written by `Results.save` and by `forcegen run`."""
    tmp = tmp_path_factory.mktemp("api")
    mine = results.save(tmp / "api")
    cli = tmp / "cli"
    subprocess.run(
        [sys.executable, "-m", "sim", "run", str(FLAGSHIP), "--runs", str(RUNS), "--out", str(cli)],
        check=True,
        capture_output=True,
        cwd=tmp,
    )
    return mine, cli


def test_public_names_are_lazy_and_listed() -> None:
    assert {"load", "run", "compare", "sweep", "Results", "ForceModel"} <= set(dir(sim))
    with pytest.raises(AttributeError):
        sim.no_such_name  # noqa: B018


def test_run_gives_the_ensemble_tables(results) -> None:
    C = compile_scenario(override(load(FLAGSHIP), runs=RUNS))
    expected = run_ensemble(C, detail=50)
    assert results.scenario.run.runs == RUNS
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(results, name), expected[name])
    assert len(results.runs) == RUNS


def test_run_takes_a_loaded_scenario_and_a_seed(results) -> None:
    again = sim.run(sim.load(FLAGSHIP), runs=RUNS)
    pd.testing.assert_frame_equal(again.runs, results.runs)
    other = sim.run(FLAGSHIP, runs=RUNS, seed=1)
    assert other.scenario.run.seed == 1
    assert not other.params.equals(results.params)


def test_save_writes_the_folder_forcegen_run_writes(results, folders) -> None:
    mine, cli = folders
    for name in (*TABLES, "summary"):
        file = f"{name}.json" if name == "summary" else f"{name}.csv"
        assert (mine / file).read_bytes() == (cli / file).read_bytes(), file
    pngs = sorted(p.name for p in (cli / "charts").glob("*.png"))
    assert pngs == sorted(f"{n}.png" for n in results.names)
    for png in pngs:
        assert (mine / "charts" / png).read_bytes() == (cli / "charts" / png).read_bytes()
    assert (mine / "report.md").read_text() == (cli / "report.md").read_text()
    a, b = (json.loads((d / "manifest.json").read_text()) for d in (mine, cli))
    assert a["command"][a["command"].index("--out") + 1] == str(mine)
    for m in (a, b):
        m.pop("command")
    assert a == b
    assert results.summary == json.loads((cli / "summary.json").read_text())


def test_save_refuses_a_folder_forcegen_did_not_make(results, tmp_path) -> None:
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "notes.txt").write_text("mine\n")
    with pytest.raises(FolderError, match="forcegen replaces only its own"):
        results.save(theirs)
    assert sorted(p.name for p in theirs.iterdir()) == ["notes.txt"]


def test_figure_is_the_saved_chart_and_stays_out_of_pyplot(results, folders, tmp_path) -> None:
    before = plt.get_fignums()
    fig = results.figure("force_bands")
    assert isinstance(fig, Figure)
    assert " ".join(fig.get_suptitle().split()) == force_bands.TITLE
    assert plt.get_fignums() == before  # nothing left open, nothing to close
    with style.chart_style():  # written as the folder writes it: the same bytes
        png = style.save(fig, tmp_path, "force_bands")["png"]
    assert (tmp_path / png).read_bytes() == (folders[1] / "charts" / png).read_bytes()
    assert plt.get_fignums() == before


@pytest.mark.parametrize("name", ["stance_timeline", "force_bands", "commit_by_kind"])
def test_a_figure_saved_by_the_user_is_the_folders_picture(results, folders, tmp_path, name):
    """A notebook or the web page draws the figure with its own `savefig`, outside the
    charts' style: the glyphs and lines are still drawn in it (`style.ChartFigure`),
    pixel for pixel the folder's PNG."""
    path = tmp_path / f"{name}.png"
    results.figure(name).savefig(path, dpi=style.DPI)
    mine = plt.imread(path)
    theirs = plt.imread(folders[1] / "charts" / f"{name}.png")
    assert mine.shape == theirs.shape
    assert np.array_equal(mine, theirs)


def test_every_chart_of_the_folder_is_a_figure(results) -> None:
    before = plt.get_fignums()
    assert results.names == [
        "stance_timeline",
        "force_bands",
        "deployment",  # the flagship has a deployment stage
        "commit_by_kind",
        "coalitions",
        "concessions",
        "acceptance",
    ]
    for name in results.names:
        assert isinstance(results.figure(name), Figure)
    assert plt.get_fignums() == before
    with pytest.raises(ValueError, match=r"no chart 'nope'.*force_bands"):
        results.figure("nope")


def test_load_refuses_bad_input_in_one_line(tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {FLAGSHIP}\nmandate:\n  use_of_forse: enforcement\n")
    with pytest.raises(ScenarioError) as caught:
        sim.load(bad)
    text = str(caught.value)
    assert "\n" not in text
    assert "bad.yaml" in text and "did you mean 'use_of_force'?" in text
    with pytest.raises(ScenarioError, match="not found"):
        sim.load(tmp_path / "missing.yaml")
    with pytest.raises(ScenarioError) as caught:
        sim.run(bad, runs=10)
    assert "bad.yaml" in str(caught.value)


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"runs": 0}, "runs"),
        ({"engine": "slow"}, "engine"),
        ({"workers": 0}, "workers"),
        ({"detail_runs": 0}, "detail_runs"),
    ],
)
def test_run_refuses_bad_options_in_one_line(options, words) -> None:
    with pytest.raises(ScenarioError, match=words) as caught:
        sim.run(FLAGSHIP, **options)
    assert "\n" not in str(caught.value)


def test_compare_gives_one_row_per_scenario(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    table = sim.compare([FLAGSHIP, FUNDED], runs=20)
    assert list(tmp_path.iterdir()) == []  # nothing written (no results/<name>)
    assert isinstance(table, pd.DataFrame)
    assert list(table["scenario"]) == ["res2803", "funded"]
    assert list(table["runs"]) == [20, 20]
    assert type(table.head(1)) is pd.DataFrame  # what is derived is a plain DataFrame
    with pytest.raises(ScenarioError, match="at least two"):
        sim.compare([FLAGSHIP])
    folder = table.save(tmp_path / "cmp")
    saved = pd.read_csv(folder / "comparison.csv")
    assert list(saved["scenario"]) == ["res2803", "funded"]
    assert sorted(p.name for p in (folder / "runs").iterdir()) == ["funded", "res2803"]


def test_sweep_gives_one_row_per_point(tmp_path) -> None:
    table = sim.sweep(SWEEP, runs=10, steps=2)
    assert isinstance(table, pd.DataFrame)
    assert list(table["point"]) == list(range(len(table)))
    assert {"p_formed", "expected_force"} <= set(table.columns)
    folder = table.save(tmp_path / "sweep")
    assert (folder / "sweep.csv").is_file()
    assert pd.read_csv(folder / "sweep.csv")["point"].tolist() == table["point"].tolist()


# ---------------------------------------------------------------- process-wide settings


def clean_env() -> dict[str, str]:
    dropped = (*BLAS_THREADS, "MPLBACKEND", ARROW_NO_THREAD[0])
    return {k: v for k, v in os.environ.items() if k not in dropped}


def _python(code: str) -> str:
    """The stdout of `code` run in a fresh interpreter, without the settings forcegen makes."""
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env=clean_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout.strip()


def test_importing_sim_leaves_the_blas_variables_unset() -> None:
    code = (
        "import os, sim, sim.api, sim.results\n"
        "sim.load('scenarios/isf/res2803.yaml')\n"
        "print([os.environ.get(v) for v in "
        "('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'MPLBACKEND')])"
    )
    assert _python(code) == "[None, None, None, None]"


def test_own_process_sets_one_blas_thread_unless_the_user_chose() -> None:
    env = {"OMP_NUM_THREADS": "4", "MPLBACKEND": "QtAgg", "JE_ARROW_MALLOC_CONF": "narenas:2"}
    own_process(env)
    assert env == {
        "OMP_NUM_THREADS": "4",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "JE_ARROW_MALLOC_CONF": "narenas:2",  # the user's allocator settings stay
    }
    fresh: dict[str, str] = {}
    own_process(fresh)
    assert fresh["JE_ARROW_MALLOC_CONF"] == "background_thread:false"


def test_a_process_set_up_as_forcegen_has_one_thread_after_pandas() -> None:
    """pyarrow's allocator thread would rule out the charts' forked helper (`sim.fork`)."""
    code = (
        "from sim.parallel import own_process\nown_process()\n"
        "import pandas, numpy, sim.fork\nprint(sim.fork.threads())"
    )
    assert _python(code) in ("1", "None")  # None: no /proc to count with


def test_the_command_line_sets_them_before_numpy_loads(monkeypatch) -> None:
    code = "import sys, sim.cli; print('numpy' in sys.modules)"
    assert _python(code) == "False"  # so `main` runs before numpy is imported

    import sim.cli
    import sim.parallel

    called = []
    monkeypatch.setattr(sim.parallel, "own_process", lambda: called.append(True))
    # A command sets the thread first (here one refused at once: no such file).
    monkeypatch.setattr(sys, "argv", ["forcegen", "run", "no-such-scenario.yaml"])
    with pytest.raises(SystemExit):
        sim.cli.main()
    assert called == [True]
    # A request for help only loads no numpy, so it has nothing to set.
    monkeypatch.setattr(sys, "argv", ["forcegen", "run", "--help"])
    with pytest.raises(SystemExit):
        sim.cli.main()
    assert called == [True]


def test_pool_workers_run_with_one_blas_thread(monkeypatch) -> None:
    for var in BLAS_THREADS:
        monkeypatch.delenv(var, raising=False)
    with Pool(2, warm=()) as pool:
        got = dict(pool.imap(os.getenv, [(v,) for v in BLAS_THREADS]))
    assert got == dict.fromkeys(range(len(BLAS_THREADS)), "1")
    assert all(os.environ.get(v) is None for v in BLAS_THREADS)


def test_save_writes_the_chart_formats_asked_for(results, tmp_path) -> None:
    """`charts` is `forcegen run --formats`: the files, and the manifest's command."""
    svg = results.save(tmp_path / "svg", charts="svg")
    assert sorted(p.suffix for p in (svg / "charts").iterdir()) == [".svg"] * len(results.names)
    command = json.loads((svg / "manifest.json").read_text())["command"]
    assert command[command.index("--formats") + 1] == "svg"
    bare = results.save(tmp_path / "none", charts="none")
    assert not list(bare.rglob("*.png")) and not list(bare.rglob("*.svg"))
    with pytest.raises(ValueError, match=r"^charts: expected png, svg.*got 'pdf'"):
        results.save(tmp_path / "pdf", charts="pdf")
    assert not (tmp_path / "pdf").exists()
