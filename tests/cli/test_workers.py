"""The worker policy (`sim.workers`): `--workers` left at its default uses processes
only when the work outweighs the pool's cost on idle cores; an explicit `--workers N`
is obeyed; the results are the same bytes whatever the number of workers."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim import parallel, workers
from sim.cli import app
from sim.parallel import Pool, Serial, make_executor
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load

ROOT = Path(__file__).resolve().parents[2]
FLAGSHIP = ROOT / "scenarios" / "isf" / "res2803.yaml"
SMALL = ROOT / "scenarios" / "unifil2006" / "unifil2006.yaml"
RUN = 0.6e-3  # seconds per run, about the flagship's
runner = CliRunner()


def _not_measured(*_a, **_k) -> float:
    raise AssertionError("the idle cores were measured although no pool could pay")


def test_small_run_counts_use_one_process_and_large_ones_every_idle_core() -> None:
    n = workers.threshold(RUN, 2)
    assert 1000 < n < 10**6
    assert workers.decide(1, RUN, cores=2, idle=2.0, helper=False) == 1
    assert workers.decide(1000, RUN, cores=2, idle=2.0, helper=False) == 1
    assert workers.decide(n - 1, RUN, cores=2, idle=2.0, helper=False) == 1
    assert workers.decide(n, RUN, cores=2, idle=2.0, helper=False) == 2
    assert workers.decide(10 * n, RUN, cores=2, idle=2.0, helper=False) == 2


def test_the_threshold_is_where_the_pool_saves_its_cost_by_the_margin() -> None:
    n = workers.threshold(RUN, 2)
    assert workers.pays(n, RUN, 2) and not workers.pays(n - 1, RUN, 2)
    saved = n * (RUN / 2 - workers.PICKLE_SECONDS)
    assert saved >= workers.MARGIN * workers.POOL_SECONDS > saved - RUN
    # dearer runs pay sooner; more cores pay sooner; one core never pays
    assert workers.threshold(10 * RUN, 2) < n and workers.threshold(RUN, 8) < n
    assert not workers.pays(10**9, RUN, 1)


def test_never_more_workers_than_cores_nor_than_idle_cores() -> None:
    big = 10**8
    assert workers.decide(big, RUN, cores=2, idle=8.0, helper=False) == 2
    assert workers.decide(big, RUN, cores=8, idle=8.0, helper=False) == 8
    assert workers.decide(big, RUN, cores=8, idle=3.2, helper=False) == 3
    assert workers.decide(big, RUN, cores=8, idle=2.6, helper=False) == 3
    # a busy machine: the other cores are taken, so no pool however large the work
    assert workers.decide(big, RUN, cores=2, idle=1.0, helper=False) == 1
    assert workers.decide(big, RUN, cores=2, idle=0.0, helper=False) == 1
    assert workers.decide(big, RUN, cores=1, idle=_not_measured, helper=False) == 1


@pytest.mark.parametrize("idle", [0.0, 0.3, 0.49])
@pytest.mark.parametrize("helper", [True, False])
def test_no_idle_core_at_all_gives_one_process_at_any_run_count(idle, helper) -> None:
    """Fewer than half a core idle rounds to none: one process, whether the work is
    below the helper's limit (`FORK_MAX_RUNS`) or above it (the policy once divided
    by the zero idle cores there: `run --runs 10000` on a busy machine)."""
    n = workers.threshold(RUN, 2)
    for runs in (n, 10_000, workers.FORK_MAX_RUNS, workers.FORK_MAX_RUNS + 1, 10**8):
        assert workers.decide(runs, RUN, cores=2, idle=idle, helper=helper) == 1, runs
        assert workers.decide(runs, RUN, cores=8, idle=idle, helper=helper) == 1, runs


def test_fewer_workers_when_only_fewer_pay() -> None:
    """With 8 idle cores, work that pays 2 workers but not 8 gets fewer than 8."""
    between = workers.threshold(RUN, 2)
    assert workers.threshold(RUN, 8) < between  # more cores pay sooner
    assert 2 <= workers.decide(between, RUN, cores=8, idle=8.0, helper=False) <= 8
    # and where even two do not pay, one, with the machine not looked at
    assert workers.decide(1000, RUN, cores=8, idle=None, helper=False) == 1


def test_with_the_forked_helper_a_pool_must_beat_two_processes() -> None:
    """Where one process has the forked helper's second core, a pool of two saves
    nothing and is used only above `FORK_MAX_RUNS` (the helper's memory peak); with
    more cores it must save its cost against the helper's two processes."""
    n = workers.threshold(RUN, 2)
    assert n < workers.FORK_MAX_RUNS
    assert workers.decide(n, RUN, cores=2, idle=2.0, helper=True) == 1
    assert workers.decide(workers.FORK_MAX_RUNS, RUN, cores=2, idle=2.0, helper=True) == 1
    assert workers.decide(workers.FORK_MAX_RUNS + 1, RUN, cores=2, idle=2.0, helper=True) == 2
    assert workers.decide(n, RUN, cores=8, idle=8.0, helper=True) == 1  # saves too little
    over = -int(-workers.MARGIN * workers.POOL_SECONDS // (RUN * (1 / 2 - 1 / 8) - 25e-6))
    assert workers.decide(over, RUN, cores=8, idle=8.0, helper=True) == 8
    assert workers.decide(over, RUN, cores=8, idle=8.0, helper=False) == 8


def test_the_idle_cores_are_measured_only_when_a_pool_could_pay(monkeypatch) -> None:
    monkeypatch.setattr(workers, "idle_cores", _not_measured)
    assert workers.decide(1000, RUN, cores=2, helper=False) == 1
    monkeypatch.setattr(workers, "idle_cores", lambda: 2.0)
    assert workers.decide(10**7, RUN, cores=2, helper=False) == 2
    monkeypatch.setattr(workers, "idle_cores", lambda: 0.7)
    assert workers.decide(10**7, RUN, cores=2, helper=False) == 1


def test_where_no_pool_can_beat_the_helper_the_machine_is_not_watched(monkeypatch) -> None:
    """On two cores up to `FORK_MAX_RUNS`, or on more where even every core would not
    save a pool's cost against the helper, the answer is one process whatever is idle:
    `idle_cores` (a quarter-second sample) is not called. Where a pool could win, it is."""
    monkeypatch.setattr(workers, "idle_cores", _not_measured)
    n = workers.threshold(RUN, 2)
    assert workers.decide(n, RUN, cores=2, helper=True) == 1
    assert workers.decide(10_000, RUN, cores=2, helper=True) == 1
    assert workers.decide(workers.FORK_MAX_RUNS, RUN, cores=2, helper=True) == 1
    assert workers.decide(n, RUN, cores=8, helper=True) == 1  # saves too little on 8
    with pytest.raises(AssertionError):  # above the helper's limit the pool may win
        workers.decide(workers.FORK_MAX_RUNS + 1, RUN, cores=2, helper=True)
    with pytest.raises(AssertionError):  # without the helper, two processes may win
        workers.decide(10_000, RUN, cores=2, helper=False)


def test_idle_cores_are_the_fewer_of_the_cpu_counters_and_the_load(monkeypatch) -> None:
    """Without a window since the command started (`workers.mark`: a library call)."""
    monkeypatch.setattr(workers, "_window", None)
    load = [0.0]
    monkeypatch.setattr(workers.os, "getloadavg", lambda: (load[0], 0.0, 0.0))
    samples = iter([(100, 200), (150, 300)])  # half the ticks idle over the sample
    monkeypatch.setattr(workers, "_cpu_times", lambda cpus: next(samples))
    assert workers.idle_cores({0, 1}, seconds=0) == pytest.approx(1.0)
    samples = iter([(100, 200), (300, 400)])  # all idle now ...
    assert workers.idle_cores({0, 1, 2, 3}, seconds=0) == pytest.approx(4.0)
    load[0] = 2.5  # ... but busy over the last minute
    samples = iter([(100, 200), (300, 400)])
    assert workers.idle_cores({0, 1, 2, 3}, seconds=0) == pytest.approx(1.5)
    load[0] = 6.0
    samples = iter([(100, 200), (300, 400)])
    assert workers.idle_cores({0, 1, 2, 3}, seconds=0) == 0.0
    monkeypatch.setattr(workers, "_cpu_times", lambda cpus: None)  # no /proc/stat
    load[0] = 1.5
    assert workers.idle_cores({0, 1}, seconds=0) == pytest.approx(0.5)


class Clock:
    """Wall and CPU time for `workers.mark` and `others_busy`, moved by the test."""

    def __init__(self) -> None:
        self.wall, self.cpu = 100.0, 5.0

    def install(self, monkeypatch) -> None:
        monkeypatch.setattr(workers.time, "monotonic", lambda: self.wall)
        monkeypatch.setattr(workers, "_own_cpu", lambda: self.cpu)


def test_the_window_since_the_command_started_leaves_out_its_own_work(monkeypatch) -> None:
    """Other processes' use since `mark`: the machine's busy ticks less this process's
    CPU time. The load average (high from a script's previous command) is not read."""
    clock = Clock()
    clock.install(monkeypatch)
    monkeypatch.setattr(workers, "_window", None)
    monkeypatch.setattr(workers.os, "getloadavg", lambda: (2.0, 2.0, 2.0))
    samples = iter([(100, 200), (150, 400), (150, 400)])  # marked, then read twice
    monkeypatch.setattr(workers, "_cpu_times", lambda cpus: next(samples))
    workers.mark()
    assert workers.others_busy({0, 1}) is None  # no time has passed: too early to tell
    clock.wall, clock.cpu = 101.0, 5.9  # 1 s: 1.5 cores busy, 0.9 of them this process
    assert workers.others_busy({0, 1}) == pytest.approx(0.6)
    assert workers.idle_cores({0, 1}) == pytest.approx(1.4)
    clock.wall = 100.0 + workers.MAX_WINDOW + 1  # a long-lived process: too old to say
    assert workers.others_busy({0, 1}) is None


def test_a_command_that_asks_as_it_starts_waits_for_the_window(monkeypatch) -> None:
    """Asked 0.1 s after `mark`, too early to tell, `idle_cores` waits until the window
    is `MIN_WINDOW` old instead of reading the load average, which still counts the
    script's previous command (2.0 here, while the machine is idle)."""
    clock = Clock()
    clock.install(monkeypatch)
    slept = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.wall += seconds

    monkeypatch.setattr(workers.time, "sleep", sleep)
    monkeypatch.setattr(workers, "_window", None)
    monkeypatch.setattr(workers.os, "getloadavg", lambda: (2.0, 2.0, 2.0))
    samples = iter([(100, 200), (160, 260), (220, 320)])  # marked; then every tick idle
    monkeypatch.setattr(workers, "_cpu_times", lambda cpus: next(samples))
    workers.mark()
    clock.wall += 0.1
    assert workers.idle_cores({0, 1}) == pytest.approx(2.0)
    assert slept == [pytest.approx(workers.MIN_WINDOW - 0.1 + 0.01)]


@pytest.mark.parametrize("others, spare", [(0.0, True), (0.4, True), (0.7, False)])
def test_the_helper_is_used_when_the_window_leaves_half_a_core(monkeypatch, others, spare):
    from sim import fork

    monkeypatch.setattr(fork, "cores", lambda: 2)
    monkeypatch.setattr(workers, "others_busy", lambda cpus=None, wait=False: others)
    monkeypatch.setattr(fork.os, "getloadavg", lambda: (2.0, 2.0, 2.0))  # not read
    assert fork.spare_core() is spare


def test_the_cpu_counters_of_this_machine_are_read() -> None:
    if not Path("/proc/stat").exists():
        pytest.skip("no /proc/stat")
    idle, total = workers._cpu_times({0})
    assert 0 <= idle <= total and total > 0
    assert 0.0 <= workers.idle_cores({0}, seconds=0.01) <= 1.0


def test_the_cost_of_a_run_grows_with_states_weeks_and_the_mesa_engine() -> None:
    big, small = compile_scenario(load(FLAGSHIP)), compile_scenario(load(SMALL))
    assert workers.cost_units(big) > workers.cost_units(small)
    assert workers.cost_units(big) == 26 * (workers.FIXED_STATES + 16)
    assert workers.run_cost(big, "mesa") == pytest.approx(
        workers.MESA_FACTOR * workers.run_cost(big, "fast")
    )
    # the flagship's estimate is the calibrated one (bench/workers.py): about 0.6 ms
    assert 0.3e-3 < workers.run_cost(big) < 1.2e-3
    # so the Mesa engine pays a pool at a hundredth of the runs
    assert (
        workers.threshold(workers.run_cost(big, "mesa"))
        < 300
        < workers.threshold(workers.run_cost(big))
    )


@pytest.fixture
def two_idle_cores(monkeypatch) -> None:
    """A machine with two cores, both idle (whatever this one is doing), where one
    process would have no forked helper (see the helper's own test above)."""
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    monkeypatch.setattr(workers, "idle_cores", lambda: 2.0)
    monkeypatch.setattr(workers, "helper_available", lambda cores: False)


def test_the_default_is_decided_by_the_policy_and_an_explicit_number_obeyed(
    two_idle_cores,
) -> None:
    n = workers.threshold(RUN, 2)
    assert isinstance(make_executor(0, runs=n - 1, run_seconds=RUN), Serial)
    with make_executor(0, runs=n, run_seconds=RUN) as ex:  # processes start at the first job
        assert isinstance(ex, Pool) and ex.workers == 2
    # dearer runs (the Mesa engine) pay the pool at far fewer runs
    with make_executor(0, runs=300, engine="mesa") as ex:
        assert isinstance(ex, Pool)
    assert isinstance(make_executor(0, runs=300), Serial)
    # explicit: obeyed whatever the runs
    assert isinstance(make_executor(1, runs=10**8, run_seconds=RUN), Serial)
    with make_executor(2, runs=1, run_seconds=RUN) as ex:
        assert isinstance(ex, Pool) and ex.workers == 2


@pytest.fixture
def made(monkeypatch) -> list[tuple[int, int, float | None]]:
    """(workers asked, workers given, run_seconds) of every executor `run` makes."""
    seen: list = []
    real = parallel.make_executor

    def recording(workers=0, scheduler=None, runs=0, engine="fast", warm=(), **kw):
        ex = real(workers, scheduler, runs, engine, warm, **kw)
        seen.append((workers, ex.workers, kw.get("run_seconds")))
        return ex

    monkeypatch.setattr(parallel, "make_executor", recording)
    from sim import cli

    monkeypatch.setattr(cli, "make_executor", recording, raising=False)
    return seen


def _run(out: Path, *options: str) -> None:
    argv = ["run", str(SMALL), "--runs", "30", "--out", str(out), "--quiet", "--detail-runs", "8"]
    result = runner.invoke(app, [*argv, *options])
    assert result.exit_code == 0, result.output


def test_run_estimates_the_scenarios_cost_and_uses_one_process_for_few_runs(
    made, two_idle_cores, tmp_path
) -> None:
    _run(tmp_path / "a", "--formats", "none")  # the executor is the subject, not the charts
    C = compile_scenario(load(SMALL))
    assert made == [(0, 1, pytest.approx(workers.run_cost(C)))]


def test_default_one_and_two_workers_write_the_same_bytes(
    made, two_idle_cores, tmp_path, monkeypatch
) -> None:
    """The default here picks a pool (a pool made free for the test): same bytes
    as one process and as an explicit two."""
    monkeypatch.setattr(workers, "POOL_SECONDS", 0.0)
    monkeypatch.setattr(workers, "PICKLE_SECONDS", 0.0)
    folders = {
        "default": (),
        "one": ("--workers", "1"),
        "two": ("--workers", "2"),
    }
    for name, options in folders.items():
        _run(tmp_path / name, *options)
    assert [(asked, given) for asked, given, _ in made] == [(0, 2), (1, 1), (2, 2)]
    one = tmp_path / "one"
    names = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert any(n.suffix == ".csv" for n in names)
    for other in ("default", "two"):
        there = tmp_path / other
        assert names == sorted(p.relative_to(there) for p in there.rglob("*") if p.is_file())
        for name in names:
            if name.name != "manifest.json":
                assert (one / name).read_bytes() == (there / name).read_bytes(), (other, name)


def test_a_cost_over_several_scenarios_is_their_run_weighted_mean() -> None:
    big, small = load(FLAGSHIP), load(SMALL)
    assert workers.scenarios_cost([big]) == workers.run_cost(compile_scenario(big))
    a, b = workers.scenarios_cost([big]), workers.scenarios_cost([small])
    weighted = (big.run.runs * a + small.run.runs * b) / (big.run.runs + small.run.runs)
    assert workers.scenarios_cost([big, small]) == pytest.approx(weighted)
    assert workers.scenarios_cost([small], "mesa") == pytest.approx(workers.MESA_FACTOR * b)


def test_compare_and_sweep_estimate_their_own_scenarios_cost(monkeypatch, tmp_path) -> None:
    """The worker policy hears the cost of the command's own runs (UNIFIL 2006 and
    Haiti 2023 have fewer states than the flagship), not the flagship's default."""
    from sim.explore import commands

    seen: list = []
    real = commands.make_executor

    def recording(*args, **kw):
        seen.append(kw.get("run_seconds"))
        return real(*args, **kw)

    monkeypatch.setattr(commands, "make_executor", recording)
    monkeypatch.chdir(tmp_path)
    haiti = ROOT / "scenarios" / "haiti2023" / "haiti2023.yaml"
    argv = ["compare", str(SMALL), str(haiti), "--runs", "4", "--formats", "none"]
    result = runner.invoke(app, [*argv, "--out", str(tmp_path / "c")])
    assert result.exit_code == 0, result.output
    sweep = ROOT / "scenarios" / "sweeps" / "target_x_deadline.yaml"
    argv = ["sweep", str(sweep), "--runs", "2", "--steps", "2", "--formats", "none"]
    result = runner.invoke(app, [*argv, "--out", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    from sim.explore.sweep import load_sweep

    small = workers.scenarios_cost([load(SMALL), load(haiti)])
    points = workers.scenarios_cost(load_sweep(sweep, runs=2, steps=2).scenarios)
    assert seen == [pytest.approx(small), pytest.approx(points)]
    # the sweep's points vary the deadline: their mean cost is not the base's
    assert small < workers.run_cost(compile_scenario(load(FLAGSHIP)))
    assert points != pytest.approx(workers.run_cost(compile_scenario(load(FLAGSHIP))))
