"""One executor interface for every command: Serial, Pool and Dask agree, stop cleanly,
and `--workers` means the same on run, compare, sweep and whatif."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from sim import cli, parallel, workers
from sim.charts import draw_all
from sim.cli import app
from sim.explore import commands
from sim.output.folder import atomic_folder
from sim.parallel import DASK_HINT, Dask, ExecutorError, Pool, Serial, auto_workers, cores

ROOT = Path(__file__).resolve().parents[2]
FLAGSHIP = ROOT / "scenarios" / "isf" / "res2803.yaml"
OTHER = ROOT / "scenarios" / "isf" / "no_disarmament.yaml"
SWEEP = ROOT / "scenarios" / "sweeps" / "decommissioning_x_force.yaml"
ENSEMBLE_COMMANDS = ("run", "compare", "sweep", "whatif")

runner = CliRunner()
JOBS = [(base, 3) for base in range(12)]


def test_serial_pool_and_dask_give_the_same_results_by_index() -> None:
    expected = {i: b**3 for i, (b, _) in enumerate(JOBS)}
    with Serial() as ex:
        assert list(ex.imap(pow, JOBS)) == sorted(expected.items())  # in order, here
    with Pool(2, warm=()) as ex:
        assert ex.workers == 2 and ex.local
        assert dict(ex.imap(pow, JOBS)) == expected
    with Dask("local", 2) as ex:
        assert ex.workers == 2 and ex.local
        assert dict(ex.imap(pow, JOBS)) == expected


def test_an_executor_stops_on_error_and_removes_what_a_late_worker_wrote(tmp_path) -> None:
    final = tmp_path / "res"
    with pytest.raises(RuntimeError, match="boom"), Pool(2, warm=()) as ex:
        try:
            with atomic_folder(final) as scratch:
                assert next(ex.imap(pow, JOBS[:1])) == (0, 0)
                procs = list(ex.pool._processes.values())
                raise RuntimeError("boom")
        finally:  # a worker still drawing a chart writes after the folder was removed
            (scratch / "charts").mkdir(parents=True)
    assert procs and not any(p.is_alive() for p in procs)
    assert list(tmp_path.iterdir()) == []


def test_dask_missing_is_one_clear_error(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    with pytest.raises(ExecutorError, match="pip install"):
        Dask("local")
    assert "dask" in DASK_HINT


def test_workers_zero_is_decided_from_the_total_runs(monkeypatch) -> None:
    """The policy (`sim.workers`, tested in test_workers.py) on all cores idle, where
    one process would have no forked helper (a test process has other threads)."""
    monkeypatch.setattr(workers, "idle_cores", lambda: float(cores()))
    monkeypatch.setattr(workers, "helper_available", lambda cores: False)
    many = workers.threshold(workers.DEFAULT_RUN_SECONDS, 2)
    few_mesa = workers.threshold(workers.DEFAULT_RUN_SECONDS * workers.MESA_FACTOR, 2)
    assert auto_workers(100) == 1 and auto_workers(few_mesa - 1, "mesa") == 1
    assert 1 < few_mesa < many / 50  # a Mesa run costs about a hundred fast ones
    assert auto_workers(many - 1) == 1
    assert (auto_workers(many) >= 2) if cores() > 1 else (auto_workers(many) == 1)
    assert auto_workers(10**8) == cores()
    assert isinstance(parallel.make_executor(0, runs=100), Serial)
    assert isinstance(parallel.make_executor(1, runs=10**6), Serial)
    with parallel.make_executor(3) as ex:  # processes start with the first job only
        assert isinstance(ex, Pool) and ex.workers == 3
    with parallel.make_executor(0, runs=10**8) as ex:
        assert ex.workers == cores()


def test_charts_are_drawn_here_when_the_workers_do_not_share_this_machines_files(
    tmp_path,
) -> None:
    class Remote(Serial):
        workers, local = 4, False

        def imap(self, fn, jobs):
            raise AssertionError("a remote cluster cannot write into this folder")

    from sim.analysis.summary import meta
    from sim.engine.ensemble import run_ensemble
    from sim.scenario.arrays import compile_scenario
    from sim.scenario.loader import load

    C = compile_scenario(load(FLAGSHIP))
    tables = run_ensemble(C, runs=3, detail=3)
    charts = draw_all(tables, meta(C, tables), tmp_path, Remote())
    assert charts and all((tmp_path / c["png"]).is_file() for c in charts)


def test_every_command_that_runs_ensembles_has_the_same_workers_and_scheduler() -> None:
    group = typer.main.get_command(app)
    options = []
    for name in ENSEMBLE_COMMANDS:
        params = {p.name: p for p in group.commands[name].params}
        options.append(
            [
                (p.default, p.help, getattr(getattr(p, "type", None), "min", None))
                for p in (params["workers"], params["scheduler"])
            ]
        )
    assert all(o == options[0] for o in options)
    assert options[0][0][0] == 0 and options[0][1][0] is None


@pytest.fixture
def asked(monkeypatch) -> list[dict]:
    """Every make_executor call of the commands, answered with a Serial executor."""
    calls: list[dict] = []

    def fake(workers=0, scheduler=None, runs=0, engine="fast", warm=(), **_kw):
        calls.append({"workers": workers, "scheduler": scheduler, "runs": runs, "engine": engine})
        return Serial()

    monkeypatch.setattr(parallel, "make_executor", fake)  # `run` imports it when it runs
    monkeypatch.setattr(cli, "make_executor", fake, raising=False)
    monkeypatch.setattr(commands, "make_executor", fake)
    return calls


def test_the_default_workers_are_decided_from_each_commands_total_runs(
    asked, tmp_path, monkeypatch
) -> None:
    from sim.explore.whatif import vocabulary_changes
    from sim.scenario.loader import load, override

    monkeypatch.chdir(tmp_path)
    none = ["--formats", "none"]  # the executor asked for is the subject, not the charts
    calls = [
        ["run", str(FLAGSHIP), "--runs", "3", "--engine", "mesa", "--quiet", "--out", "r", *none],
        ["compare", str(FLAGSHIP), str(OTHER), "--runs", "5", "--out", "c", *none],
        ["sweep", str(SWEEP), "--runs", "3", "--cache", "cache", "--out", "s", *none],
        ["whatif", str(FLAGSHIP), "--state", "IDN", "--runs", "2"],
    ]
    for argv in calls:
        result = runner.invoke(app, argv)
        assert result.exit_code == 0, result.output
    candidates = 1 + len(vocabulary_changes(override(load(FLAGSHIP), runs=2)))
    assert asked == [
        {"workers": 0, "scheduler": None, "runs": 3, "engine": "mesa"},
        {"workers": 0, "scheduler": None, "runs": 2 * 5, "engine": "fast"},
        {"workers": 0, "scheduler": None, "runs": 6 * 3, "engine": "fast"},  # 6 points
        {"workers": 0, "scheduler": None, "runs": candidates * 2, "engine": "fast"},
    ]


@pytest.mark.parametrize("command", ENSEMBLE_COMMANDS)
def test_workers_above_the_core_count_are_capped_on_every_command(
    asked, tmp_path, monkeypatch, command
) -> None:
    monkeypatch.chdir(tmp_path)
    none = ["--formats", "none"]  # the workers are the subject, not the charts
    argv = {
        "run": ["run", str(FLAGSHIP), "--runs", "3", "--quiet", "--out", "o", *none],
        "compare": ["compare", str(FLAGSHIP), str(OTHER), "--runs", "3", "--out", "o", *none],
        "sweep": ["sweep", str(SWEEP), "--runs", "2", "--steps", "2", "--out", "o", *none],
        "whatif": ["whatif", str(FLAGSHIP), "--state", "IDN", "--runs", "2"],
    }[command]
    result = CliRunner().invoke(app, [*argv, "--workers", "64"])
    assert result.exit_code == 0, result.output
    assert [c["workers"] for c in asked] == [cores()]
    note = f"note: --workers 64: this machine has {cores()} cores; using {cores()}"
    assert note in result.output.splitlines()


def test_only_the_pool_managers_known_race_is_dropped(monkeypatch) -> None:
    """A killed worker can make the pool's manager thread fail while it counts its
    processes; that traceback is dropped (the command says it in one line), any
    other thread's exception still reaches the previous hook."""
    import threading
    from concurrent.futures import process

    from sim import parallel

    seen = []
    monkeypatch.setattr(parallel, "_EXCEPTHOOK", seen.append)
    manager = object.__new__(process._ExecutorManagerThread)
    race = RuntimeError("dictionary changed size during iteration")
    parallel._quiet_pool_race(threading.ExceptHookArgs((RuntimeError, race, None, manager)))
    assert seen == []
    other = threading.ExceptHookArgs((RuntimeError, race, None, threading.current_thread()))
    parallel._quiet_pool_race(other)
    error = threading.ExceptHookArgs((ValueError, ValueError("x"), None, manager))
    parallel._quiet_pool_race(error)
    assert seen == [other, error]


def test_a_stopped_pools_manager_thread_is_quiet_and_others_are_not(monkeypatch) -> None:
    """After an error or Ctrl-C the pool is stopped under its manager thread, which may
    then fail in ways of its own; the command says why in one line."""
    import threading

    from sim import parallel

    seen = []
    monkeypatch.setattr(parallel, "_EXCEPTHOOK", seen.append)
    monkeypatch.setattr(parallel, "_STOPPED", set())
    pool = parallel.Pool(1, warm=())
    assert dict(pool.imap(abs, [(-3,)])) == {0: 3}
    manager = pool.pool._executor_manager_thread
    pool.stop()
    assert manager is not None and manager in parallel._STOPPED
    late = threading.ExceptHookArgs((OSError, OSError("handle is closed"), None, manager))
    parallel._quiet_pool_race(late)
    other = threading.ExceptHookArgs((OSError, OSError("x"), None, threading.current_thread()))
    parallel._quiet_pool_race(other)
    assert seen == [other]
