"""The forked helper for a command's charts (`sim.fork`).

A fork is only safe in a single-threaded process, and the test process has
threads (pytest-xdist's), so the cases that fork run in a fresh interpreter, as
the `forcegen` command does.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from sim import fork
from sim.parallel import Serial, cores
from tests.hostile.helpers import FLAGSHIP, ROOT, forcegen

SWEEP = ROOT / "scenarios" / "sweeps" / "target_x_deadline.yaml"

TWO_CORES = pytest.mark.skipif(
    not sys.platform.startswith("linux") or cores() < 2, reason="needs Linux and two cores"
)


CHILDREN_LEFT = """
def children_left():
    import os
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return "none"
    return "a child is left"
"""
"""A helper every script has: whether any child process of the script is left."""

FORCED_HELPER = """
def force_helper():  # the helper used whatever the load; each shared list's job count
    import sim.fork
    sim.fork.spare_core = lambda: True
    used = []
    imap = sim.fork.Forked.imap
    def counted(self, fn, jobs):
        used.append(len(jobs))
        return imap(self, fn, jobs)
    sim.fork.Forked.imap = counted
    return used

def forcegen(*args):  # the command line in this process, as `forcegen ARGS`: it succeeds
    import sys
    from sim.cli import main
    sys.argv = ["forcegen", *map(str, args)]
    try:
        main()
    except SystemExit as done:
        assert done.code == 0, done.code
"""
"""Helpers every script has, for the tests that force the forked helper on."""


def _script(body: str) -> str:
    """Run `body` in a fresh interpreter set up as forcegen's command line is; its stdout."""
    head = "from sim.parallel import own_process\nown_process()\n" + CHILDREN_LEFT + FORCED_HELPER
    proc = subprocess.run(
        [sys.executable, "-c", head + textwrap.dedent(body)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        start_new_session=True,  # a Ctrl-C the script sends its group stays there
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_a_second_thread_rules_out_the_fork() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        assert fork.threads() >= 2
        assert not fork.can_fork()
        assert Serial(spare=True).for_short_jobs().workers == 1  # stays in one process
    finally:
        stop.set()
        other.join()


@TWO_CORES
def test_both_processes_take_jobs_and_every_result_comes_back_once() -> None:
    out = _script(
        """
        import os, time
        from sim.fork import Forked, can_fork
        def job(i):
            time.sleep(0.05)
            return i * i, os.getpid()
        assert can_fork()
        got = list(Forked().imap(job, [(i,) for i in range(12)]))
        print(sorted(i for i, _ in got) == list(range(12)))
        print(all(r[0] == i * i for i, r in got))
        pids = {r[1] for _, r in got}
        print(len(pids), os.getpid() in pids)
        """
    )
    assert out.split() == ["True", "True", "2", "True"]


@TWO_CORES
def test_the_collector_leaves_what_existed_at_the_fork_alone_until_the_jobs_end() -> None:
    out = _script(
        """
        import gc, os, time
        from sim.fork import Forked
        own = gc.get_freeze_count()  # the interpreter's own (3.12 keeps some frozen)
        assert own < 1000
        def job(i):  # in either process, what existed at the fork is frozen
            time.sleep(0.05)
            return gc.get_freeze_count() > own + 1000, os.getpid()
        got = dict(Forked().imap(job, [(i,) for i in range(8)]))
        print(all(frozen for frozen, _ in got.values()), len({p for _, p in got.values()}))
        print(gc.get_freeze_count() <= own)  # thawed when the jobs are done
        got = dict(Forked().imap(job, [(i,) for i in range(4)]))
        print(all(frozen for frozen, _ in got.values()))  # and again for the next jobs
        gc.freeze()  # frozen by the caller: left frozen
        dict(Forked().imap(job, [(i,) for i in range(4)]))
        print(gc.get_freeze_count() > own + 1000)
        """
    )
    assert out.split() == ["True", "2", "True", "True", "True"]


@TWO_CORES
def test_a_job_that_fails_in_the_child_is_done_again_here() -> None:
    out = _script(
        """
        import os
        from sim.fork import Forked
        here = os.getpid()
        def job(i):
            if os.getpid() != here:
                raise ValueError("only the parent can do this")
            return i
        got = dict(Forked().imap(job, [(i,) for i in range(6)]))
        print(got == {i: i for i in range(6)})
        """
    )
    assert out.split() == ["True"]


@TWO_CORES
def test_a_child_that_dies_leaves_its_jobs_to_this_process() -> None:
    out = _script(
        """
        import os
        from sim.fork import Forked
        here = os.getpid()
        def job(i):
            if os.getpid() != here:
                os._exit(3)  # killed, as by the system: no result, no error
            return -i
        got = dict(Forked().imap(job, [(i,) for i in range(5)]))
        print(got == {i: -i for i in range(5)})
        """
    )
    assert out.split() == ["True"]


@TWO_CORES
def test_a_job_that_fails_everywhere_raises_here_and_no_child_is_left() -> None:
    out = _script(
        """
        import os
        from sim.fork import Forked
        def job(i):
            if i == 3:
                raise ValueError("bad job")
            return i
        try:
            list(Forked().imap(job, [(i,) for i in range(6)]))
        except ValueError as exc:
            print(exc)
        print(children_left())
        """
    )
    assert out.splitlines() == ["bad job", "none"]


@TWO_CORES
def test_ctrl_c_ends_both_and_the_child_never_runs_the_parents_code() -> None:
    out = _script(
        """
        import os, signal, time
        from sim.fork import Forked
        # Ctrl-C as a terminal gives it, even when the suite runs as a background job
        # (whose children inherit SIGINT ignored, and Python then leaves it ignored).
        signal.signal(signal.SIGINT, signal.default_int_handler)
        here = os.getpid()
        def job(i):
            if os.getpid() == here and i >= 2:
                os.killpg(0, signal.SIGINT)  # as a terminal does: every process of the group
            time.sleep(0.2)
            return i
        try:
            list(Forked().imap(job, [(i,) for i in range(10)]))
            print("finished")
        except KeyboardInterrupt:
            print("interrupted", os.getpid() == here)
        print(children_left())
        """
    )
    assert out.splitlines() == ["interrupted True", "none"]


@TWO_CORES
def test_the_default_workers_fork_a_helper_and_an_explicit_one_does_not() -> None:
    out = _script(
        """
        import sim.fork
        from sim.parallel import make_executor
        sim.fork.spare_core = lambda: True  # the test's machine is busy: say it is not
        print(type(make_executor(0, runs=10).for_short_jobs()).__name__)
        print(type(make_executor(1, runs=10).for_short_jobs()).__name__)
        sim.fork.spare_core = lambda: False
        print(type(make_executor(0, runs=10).for_short_jobs()).__name__)
        """
    )
    assert out.split() == ["Forked", "Serial", "Serial"]


@pytest.mark.parametrize(
    ("cpus", "load", "spare"),
    [(2, 0.9, True), (2, 1.6, False), (1, 0.0, False), (8, 7.0, True), (8, 7.6, False)],
)
def test_a_second_core_is_spare_when_the_load_leaves_half_a_core(
    monkeypatch, cpus: int, load: float, spare: bool
) -> None:
    monkeypatch.setattr(fork, "cores", lambda: cpus)
    monkeypatch.setattr(fork.os, "getloadavg", lambda: (load, load, load))
    assert fork.spare_core() is spare


@TWO_CORES
def test_an_ensemble_shares_its_batches_with_the_helper_and_gives_the_same_tables() -> None:
    out = _script(
        f"""
        import os
        import sim.fork, sim.engine.ensemble as ens
        from sim.parallel import Serial
        from sim.scenario.arrays import compile_scenario
        from sim.scenario.loader import load
        sim.fork.spare_core = lambda: True
        C = compile_scenario(load({str(FLAGSHIP)!r}))
        alone = ens.run_ensemble(C, runs=ens.FORK_RUNS, detail=3)
        batch = ens.run_batch
        pids = set()
        def tagged(*job):
            rec = batch(*job)
            rec.pid = os.getpid()
            return rec
        ens.run_batch = tagged
        merge = ens.Recorder.merge
        def merged(self, part):
            pids.add(part.pid)
            return merge(self, part)
        ens.Recorder.merge = merged
        shared = ens.run_ensemble(C, runs=ens.FORK_RUNS, detail=3, executor=Serial(spare=True))
        print(len(pids), os.getpid() in pids)
        print(sorted(alone) == sorted(shared))
        print(all(alone[k].equals(shared[k]) for k in alone))
        """
    )
    assert out.split() == ["2", "True", "True", "True"]


@TWO_CORES
def test_an_ensemble_above_the_helpers_limit_is_not_forked() -> None:
    """The helper sends its share back in one piece, so above `FORK_MAX_RUNS` (100,000
    runs peaked at 1.03 GB with it, 0.82 GB without) an ensemble left to one process
    (no idle core for a pool) runs here alone. The limit is lowered to FORK_RUNS."""
    out = _script(
        f"""
        used = force_helper()
        import sim.engine.ensemble as ens
        from sim.parallel import Serial
        from sim.scenario.arrays import compile_scenario
        from sim.scenario.loader import load
        ens.FORK_MAX_RUNS = ens.FORK_RUNS
        C = compile_scenario(load({str(FLAGSHIP)!r}))
        at = ens.run_ensemble(C, runs=ens.FORK_RUNS, detail=1, executor=Serial(spare=True))
        print(len(used))
        over = ens.run_ensemble(C, runs=ens.FORK_RUNS + 1, detail=1, executor=Serial(spare=True))
        print(len(used), len(at["runs"]), len(over["runs"]))
        """
    )
    assert out.split()[-4:] == ["1", "1", "500", "501"]


@TWO_CORES
def test_the_parent_imports_its_modules_after_the_fork_while_the_child_works() -> None:
    out = _script(
        """
        import os, sys, time
        from sim.fork import Forked
        assert "colorsys" not in sys.modules
        def job(i):  # which process did it, and whether it had the module then
            time.sleep(0.2)  # long enough for the child to start on a loaded machine
            return os.getpid(), "colorsys" in sys.modules
        got = dict(Forked(warm=("colorsys",)).imap(job, [(i,) for i in range(6)]))
        theirs = [had for pid, had in got.values() if pid != os.getpid()]
        mine = [had for pid, had in got.values() if pid == os.getpid()]
        print(len(got), len(theirs) > 0, any(theirs), all(mine), "colorsys" in sys.modules)
        """
    )
    assert out.split()[-5:] == ["6", "True", "False", "True", "True"]


@TWO_CORES
def test_a_small_ensemble_goes_whole_to_the_helper_while_this_process_imports() -> None:
    """Below FORK_RUNS, an ensemble is forked only where this process has modules of
    its executor's `warm` to import: then the helper takes it as one batch; once they
    are imported, it runs here. The tables are those of one process."""
    out = _script(
        f"""
        import sys
        used = force_helper()
        from sim.engine.ensemble import run_ensemble
        from sim.parallel import Serial
        from sim.scenario.arrays import compile_scenario
        from sim.scenario.loader import load
        C = compile_scenario(load({str(FLAGSHIP)!r}))
        one = run_ensemble(C, runs=40, detail=3, executor=Serial())
        assert used == [] and "colorsys" not in sys.modules
        first = run_ensemble(C, runs=40, detail=3, executor=Serial(spare=True, warm=["colorsys"]))
        after = run_ensemble(C, runs=40, detail=3, executor=Serial(spare=True, warm=["colorsys"]))
        same = all(one[n].equals(first[n]) and one[n].equals(after[n]) for n in one)
        print(used == [1], "colorsys" in sys.modules, same, len(one["runs"]))
        """
    )
    assert out.split()[-4:] == ["True", "True", "True", "40"]


@TWO_CORES
def test_charts_drawn_with_the_helper_are_the_bytes_of_one_process(tmp_path: Path) -> None:
    for name, options in {"default": (), "one": ("--workers", "1")}.items():
        out = tmp_path / name
        done = forcegen("run", FLAGSHIP, "--runs", "10", "--quiet", "--out", out, *options)
        assert done.code == 0, done.err
    one, default = tmp_path / "one" / "charts", tmp_path / "default" / "charts"
    names = sorted(p.name for p in one.iterdir())
    assert len(names) >= 5 and names == sorted(p.name for p in default.iterdir())
    for name in names:
        assert (one / name).read_bytes() == (default / name).read_bytes(), name


@TWO_CORES
def test_tables_and_charts_share_the_helper_and_are_the_bytes_of_one_process(
    tmp_path: Path,
) -> None:
    """With the helper forced on, the tables and the charts are one list of jobs
    (params.csv first, in two parts, then the other tables, the largest first, the
    summary and the report's text above its charts, then the charts), both processes
    do some, and every file of the folder is the one `--workers 1` writes (the
    manifest's command line aside)."""
    out = _script(
        f"""
        import os, sys
        import sim.fork
        import sim.output.write
        sim.fork.spare_core = lambda: True
        sim.output.write.SPLIT_ROWS = 10  # params.csv in two parts, one per process
        lists, pids = [], set()
        imap = sim.fork.Forked.imap
        tables = []  # each table job's name and cells, in the list's order
        def counted(self, fn, jobs):
            if fn.__name__ == "_call":  # not the runs, which the helper does meanwhile
                lists.append([job[0].__name__ for job in jobs])
                tables.extend((j[1][2], j[1][0].size) for j in jobs
                              if j[0].__name__ == "write_table")
            for i, result in imap(self, watched, [(fn, job) for job in jobs]):
                if fn.__name__ == "_call":
                    pids.add(result[1])
                yield i, result[0]
        def watched(fn, job):
            return fn(*job), os.getpid()
        sim.fork.Forked.imap = counted
        for name, extra in (("shared", []), ("one", ["--workers", "1"])):
            forcegen("run", {str(FLAGSHIP)!r}, "--runs", 30, "--quiet",
                     "--out", {str(tmp_path)!r} + "/" + name, *extra)
        jobs = lists[0]
        print(len(lists), jobs.count("write_table"), jobs.count("_draw_one") >= 5)
        print(jobs[:2] == ["write", "write"], len(pids))
        # the tables, the largest (the detail runs' states) first, the summary and the
        # report's text above its charts, then the charts
        print(jobs[2:10] == ["write_table"] * 7 + ["summary_and_head"], tables[0][0])
        print(jobs[10:] == ["_draw_one"] * (len(jobs) - 10) and len(jobs) > 14)
        print([c for _, c in tables[:7]] == sorted((c for _, c in tables[:7]), reverse=True))
        """
    )
    assert out.split()[-9:] == ["1", "7", "True", "True", "2", "True", "states", "True", "True"]
    shared, one = tmp_path / "shared", tmp_path / "one"
    files = sorted(str(p.relative_to(one)) for p in one.rglob("*") if p.is_file())
    assert files == sorted(str(p.relative_to(shared)) for p in shared.rglob("*") if p.is_file())
    for name in files:
        if name != "manifest.json":
            assert (one / name).read_bytes() == (shared / name).read_bytes(), name


@TWO_CORES
def test_with_no_chart_format_the_helper_path_leaves_matplotlib_unimported(
    tmp_path: Path,
) -> None:
    out = _script(
        f"""
        import sys
        used = force_helper()
        forcegen("run", {str(FLAGSHIP)!r}, "--runs", 30, "--quiet", "--formats", "none",
                 "--out", {str(tmp_path / "none")!r})
        # the runs (one batch) while pandas loads, then 8 tables, the summary and report
        print(used == [1, 9], "matplotlib" in sys.modules)
        """
    )
    assert out.split()[-2:] == ["True", "False"]  # the jobs shared, no chart module loaded


def test_the_thread_count_is_read_from_the_system() -> None:
    if not os.path.exists(fork.STATUS):
        pytest.skip("no /proc")
    assert fork.threads() == len(os.listdir("/proc/self/task"))


@TWO_CORES
def test_a_sweep_shares_its_points_with_the_helper_and_gives_the_same_table() -> None:
    out = _script(
        f"""
        import sim.fork
        from sim.engine.ensemble import FORK_RUNS
        from sim.explore.cache import PointCache
        from sim.explore.sweep import load_sweep, run_sweep
        from sim.parallel import Serial
        used = force_helper()
        sw = load_sweep({str(SWEEP)!r}, runs=FORK_RUNS // 4, steps=2)
        alone = run_sweep(sw, Serial(), PointCache(None)).table
        print(used)
        shared = run_sweep(sw, Serial(spare=True), PointCache(None)).table
        print(len(used) == 1 and used[0] >= 2)
        print(alone.equals(shared))
        """
    )
    assert out.split() == ["[]", "True", "True"]
