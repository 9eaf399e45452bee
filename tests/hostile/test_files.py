"""The user's files are sacred; faults of the environment are one line, not a traceback.

forcegen replaces only a folder it wrote itself, refuses anything else before
doing any work, leaves nothing half-written behind (also when killed or
interrupted), and turns a read-only or full disk, a killed worker or a bad
option into one line on stderr with exit status 2 (bad option) or 1 (the
environment). Commands run in this process (`cli`, or `invoke` where a test
patches the environment) unless the process itself is the subject: killed,
interrupted by a signal, or two at once (`_start`).
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
import zlib
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.output import folder as folder_mod
from sim.output.folder import MARKER, FolderError, atomic_folder, check_target, foreign
from sim.parallel import cores

from .helpers import FLAGSHIP, ROOT, Result, assert_refused, snapshot

SMALL = ["--runs", "5", "--detail-runs", "2", "--quiet"]
BARE = [*SMALL, "--formats", "none"]
"""SMALL without chart files, where the folder, not its charts, is the subject."""
SWEEP = ROOT / "scenarios" / "sweeps" / "target_x_deadline.yaml"
runner = CliRunner()


def invoke(*args: str) -> Result:
    """Run the command line in this process (so a test can monkeypatch the environment)."""
    r = runner.invoke(app, [str(a) for a in args])
    return Result(r.exit_code, r.stdout, r.stderr)


def user_folder(root: Path) -> Path:
    """A folder of the user's: a document and a subfolder."""
    mine = root / "mywork"
    (mine / "sub").mkdir(parents=True)
    (mine / "thesis.docx").write_text("x\n")
    (mine / "sub" / "notes.txt").write_text("keep me\n")
    return mine


def hidden(root: Path) -> list[str]:
    """Hidden partial or set-aside folders forcegen may have left in `root`."""
    return sorted(p.name for p in root.iterdir() if ".partial-" in p.name or ".old-" in p.name)


# ---------------------------------------------------------------- the user's files


def test_run_refuses_an_existing_folder_it_did_not_write(cli, tmp_path: Path) -> None:
    user_folder(tmp_path)
    before = snapshot(tmp_path)
    r = cli("run", FLAGSHIP, "--runs", "20", "--out", "mywork", cwd=tmp_path)
    assert_refused(r, "--out 'mywork'", "not written by forcegen")
    assert snapshot(tmp_path) == before


def test_run_refuses_the_folder_that_holds_the_scenario(cli, tmp_path: Path) -> None:
    work = tmp_path / "DIR"
    work.mkdir()
    (work / "s.yaml").write_text(f"extends: {FLAGSHIP}\nname: s\n")
    (work / "sources.md").write_text("my notes\n")
    before = snapshot(tmp_path)
    r = cli("run", work / "s.yaml", *SMALL, "--out", work, cwd=tmp_path)
    assert_refused(r, "--out", "DIR")
    assert snapshot(tmp_path) == before


def test_out_at_an_existing_file_is_refused_not_hidden(cli, tmp_path: Path) -> None:
    (tmp_path / "report").write_text("my report\n")
    before = snapshot(tmp_path)
    r = cli("run", FLAGSHIP, *SMALL, "--out", "report", cwd=tmp_path)
    assert_refused(r, "--out 'report'", "a file of that name exists")
    assert snapshot(tmp_path) == before


def test_whatif_out_refuses_a_users_folder_before_searching(cli, tmp_path: Path) -> None:
    user_folder(tmp_path)
    before = snapshot(tmp_path)
    r = cli("whatif", FLAGSHIP, "--state", "PAK", "--runs", "5", "--out", "mywork", cwd=tmp_path)
    assert_refused(r, "--out", "mywork")
    assert snapshot(tmp_path) == before


def test_explain_and_play_refuse_a_users_folder(tmp_path: Path) -> None:
    user_folder(tmp_path)
    before = snapshot(tmp_path)
    r = invoke("explain", FLAGSHIP, "--state", "PAK", "--out", tmp_path / "mywork")
    assert_refused(r, "--out", "mywork")
    r = invoke("play", FLAGSHIP, "--as", "PAK", "--out", tmp_path / "mywork")
    assert_refused(r, "--out", "mywork")
    assert snapshot(tmp_path) == before


def test_its_own_folder_is_replaced_but_not_once_the_user_added_a_file(tmp_path: Path) -> None:
    out = tmp_path / "res"
    assert invoke("run", FLAGSHIP, *SMALL, "--out", out).code == 0
    listed = (out / MARKER).read_text().splitlines()
    assert "manifest.json" in listed and "charts/force_bands.png" in listed
    again = ["--runs", "7", "--detail-runs", "2", "--quiet", "--formats", "none"]
    r = invoke("run", FLAGSHIP, *again, "--out", out)
    assert r.code == 0, r.err
    assert json.loads((out / "summary.json").read_text())["runs"] == 7
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"]
    (out / "my-notes.md").write_text("my reading of the results\n")
    before = snapshot(tmp_path)
    r = invoke("run", FLAGSHIP, *SMALL, "--out", out)
    assert_refused(r, "--out", "my-notes.md", "forcegen did not write")
    assert snapshot(tmp_path) == before


def test_its_own_folder_is_not_replaced_once_the_user_edited_one_of_its_files(
    tmp_path: Path,
) -> None:
    """Notes added to report.md (or any file forcegen wrote) would be lost by a rerun:
    the marker keeps each file's size and CRC-32 as written, and a folder whose files
    differ is refused like a folder with a file added. A file deleted by hand, or a
    marker written before the stamps existed, leaves the folder replaceable."""
    out = tmp_path / "res"
    assert invoke("run", FLAGSHIP, *BARE, "--out", out).code == 0
    marker = (out / MARKER).read_text()
    assert "manifest.json" in marker.splitlines()
    original = (out / "report.md").read_bytes()
    stamp = f"#= {len(original)} {zlib.crc32(original)} report.md"
    assert stamp in marker.splitlines()
    with (out / "report.md").open("a", encoding="utf-8") as f:
        f.write("\nMy reading: the deadline matters most.\n")
    before = snapshot(tmp_path)
    r = invoke("run", FLAGSHIP, *BARE, "--out", out)
    assert_refused(r, "--out", "its 'report.md' changed since forcegen wrote it")
    assert snapshot(tmp_path) == before
    (out / "report.md").write_bytes(original)  # written back as it was: replaceable
    assert foreign(out) is None
    (out / "report.md").write_bytes(original.replace(b"P(formed)", b"P(FORMED)", 1))
    assert "changed since forcegen wrote it" in (foreign(out) or "")  # same size, edited
    (out / "report.md").unlink()  # deleted: nothing of the user's to lose
    assert foreign(out) is None
    (out / "runs.csv").write_text("edited\n")
    assert "its 'runs.csv' changed" in (foreign(out) or "")
    (out / MARKER).write_text("\n".join(ln for ln in marker.splitlines() if ln[:3] != "#= "))
    assert foreign(out) is None  # a marker from before the stamps: as before
    assert invoke("run", FLAGSHIP, *BARE, "--out", out).code == 0
    again = tmp_path / "again"  # the marker reads the same whenever the files do
    assert invoke("run", FLAGSHIP, *BARE, "--out", again).code == 0

    assert (again / MARKER).read_bytes() == (out / MARKER).read_bytes()  # (not the manifest's)


def test_an_empty_folder_may_be_used(tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    r = invoke("run", FLAGSHIP, *BARE, "--out", out)
    assert r.code == 0, r.err
    assert (out / "manifest.json").is_file()
    assert hidden(tmp_path) == []


def test_every_atomic_folder_is_recognised_as_forcegens(tmp_path: Path) -> None:
    """compare, sweep, whatif, explain and play folders all go through atomic_folder."""
    final = tmp_path / "whatif-out"
    for text in ("first", "second"):
        with atomic_folder(final) as tmp:
            (tmp / "whatif.md").write_text(text)
            (tmp / "charts").mkdir()
            (tmp / "charts" / "a.png").write_bytes(b"png")
    assert (final / "whatif.md").read_text() == "second"
    assert foreign(final) is None
    (final / "charts" / "mine.png").write_bytes(b"user")
    assert "charts/mine.png" in (foreign(final) or "")
    with pytest.raises(FolderError) as info, atomic_folder(final) as tmp:
        (tmp / "whatif.md").write_text("third")
    assert info.value.code == 2
    assert (final / "whatif.md").read_text() == "second"
    assert hidden(tmp_path) == []


def test_folder_written_before_the_marker_is_still_recognised(tmp_path: Path) -> None:
    old = tmp_path / "res2803"
    (old / "charts").mkdir(parents=True)
    (old / "manifest.json").write_text(json.dumps({"command": ["forcegen", "run", "x"]}))
    (old / "runs.csv").write_text("run\n")
    (old / "charts" / "force_bands.png").write_bytes(b"png")
    assert foreign(old) is None
    (old / "thesis.docx").write_text("x")
    assert "thesis.docx" in (foreign(old) or "")
    (old / "thesis.docx").unlink()
    (old / "manifest.json").write_text(json.dumps({"command": ["other-tool"]}))
    assert foreign(old) == "it was not written by forcegen"


# ---------------------------------------------------------------- the environment


@pytest.mark.parametrize("out", [".", "", ".."])
def test_out_without_a_folder_name_is_a_bad_option(cli, tmp_path: Path, out: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    before = snapshot(tmp_path)
    r = cli("run", FLAGSHIP, *SMALL, "--out", out, cwd=work)
    assert_refused(r, "--out", "expected a folder name")
    assert snapshot(tmp_path) == before


def test_out_under_a_file_is_a_bad_option(cli, tmp_path: Path) -> None:
    (tmp_path / "somefile").write_text("x\n")
    before = snapshot(tmp_path)
    r = cli("run", FLAGSHIP, *SMALL, "--out", "somefile/out", cwd=tmp_path)
    assert_refused(r, "'somefile' is a file")
    assert snapshot(tmp_path) == before


def test_out_where_nothing_can_be_written_is_a_fault_of_the_environment(
    cli, tmp_path: Path
) -> None:
    r = cli("run", FLAGSHIP, *SMALL, "--out", "/proc/forcegen-x", cwd=tmp_path)
    assert_refused(r, "/proc/forcegen-x", code=1)
    assert list(tmp_path.iterdir()) == []


def test_read_only_parent_is_one_line_exit_1(tmp_path: Path, monkeypatch) -> None:
    real = Path.mkdir

    def read_only(self, *a, **k):
        if tmp_path in self.parents:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self, *a, **k)

    monkeypatch.setattr(Path, "mkdir", read_only)
    r = invoke("run", FLAGSHIP, *SMALL, "--out", tmp_path / "ro" / "res")
    assert_refused(r, "ro/res", "Permission denied", code=1)
    assert list(tmp_path.iterdir()) == []


def test_read_only_current_folder_is_one_line_exit_1(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)

    def read_only(self, *a, **k):
        raise OSError(errno.EROFS, "Read-only file system", str(self))

    monkeypatch.setattr(Path, "mkdir", read_only)
    r = invoke("run", FLAGSHIP, *SMALL)
    assert_refused(r, "results/res2803", "Read-only file system", code=1)
    assert list(tmp_path.iterdir()) == []


def test_folder_that_cannot_be_renamed_into_place_leaves_nothing(tmp_path, monkeypatch) -> None:
    real = os.rename

    def refuse(src, dst, *a, **k):
        if ".partial-" in str(src):
            raise PermissionError(errno.EACCES, "Permission denied", str(src))
        return real(src, dst, *a, **k)

    monkeypatch.setattr(os, "rename", refuse)
    r = invoke("run", FLAGSHIP, *BARE, "--out", tmp_path / "res")
    assert_refused(r, "res", "Permission denied", code=1)
    assert list(tmp_path.iterdir()) == []


def test_full_disk_is_one_line_exit_1_and_leaves_nothing(tmp_path: Path, monkeypatch) -> None:
    from sim.output import write

    old = tmp_path / "res"
    assert invoke("run", FLAGSHIP, *BARE, "--out", old).code == 0
    before = snapshot(tmp_path)

    def full(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(write, "dump_json", full)
    r = invoke("run", FLAGSHIP, *BARE, "--out", old)
    assert_refused(r, "'", "res", "No space left on device", code=1)
    assert snapshot(tmp_path) == before  # the previous folder is kept as it was


def test_read_only_sweep_cache_is_one_line_exit_1(tmp_path: Path, monkeypatch) -> None:
    from sim.explore import cache

    def read_only(*_a, **_k):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(cache.tempfile, "mkstemp", read_only)
    out, store = tmp_path / "sw", tmp_path / "cache"
    r = invoke("sweep", SWEEP, "--runs", "3", "--steps", "2", "--out", out, "--cache", store)
    assert_refused(r, "--cache", "Read-only file system", code=1)
    assert not out.exists() and hidden(tmp_path) == []


def test_sweep_cache_that_is_a_file_is_a_bad_option(cli, tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("x\n")
    before = snapshot(tmp_path)
    r = cli("sweep", SWEEP, "--runs", "3", "--cache", "cache", "--out", "sw", cwd=tmp_path)
    assert_refused(r, "--cache 'cache'", "expected a folder")
    assert snapshot(tmp_path) == before


def test_broken_worker_pool_is_one_line_exit_1(tmp_path: Path, monkeypatch) -> None:
    from sim.engine import ensemble

    def broken(*_a, **_k):
        raise BrokenProcessPool("A process in the process pool was terminated abruptly")

    monkeypatch.setattr(ensemble, "run_ensemble", broken)
    r = invoke("run", FLAGSHIP, *SMALL, "--out", tmp_path / "res")
    assert_refused(r, "worker process stopped unexpectedly", code=1)
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- processes left behind


def _children(pid: int) -> list[int]:
    """Every descendant of `pid` (psutil if installed, else /proc)."""
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        try:
            return [p.pid for p in psutil.Process(pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            return []
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parents.items() if pp == p]
        found += kids
        todo += kids
    return found


def _alive(pid: int) -> bool:
    """A process that exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _start(*args: str, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "sim", *map(str, args)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _wait_for(check, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.05)


def _workers(pid: int) -> list[int]:
    out = []
    for c in _children(pid):
        try:
            cmd = Path(f"/proc/{c}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in cmd:
            out.append(c)
    return out


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
@pytest.mark.parametrize(
    "args",
    [
        ["run", FLAGSHIP, "--runs", "4000", "--workers", "2", "--quiet"],
        ["sweep", SWEEP, "--runs", "2000", "--steps", "3", "--workers", "2", "--cache", "c"],
    ],
    ids=["run", "sweep"],
)
def test_kill_9_leaves_no_worker_or_resource_tracker(tmp_path: Path, args: list) -> None:
    proc = _start(*args, cwd=tmp_path)
    kids: list[int] = []
    try:
        _wait_for(lambda: len(_workers(proc.pid)) >= 2)
        kids = _children(proc.pid)
        assert len(kids) >= 3  # two workers and the resource tracker
        proc.kill()
        proc.wait(timeout=10)
        end = time.monotonic() + 10
        while any(_alive(k) for k in kids) and time.monotonic() < end:
            time.sleep(0.1)
        assert [k for k in kids if _alive(k)] == []
    finally:
        for k in [*kids, *_children(proc.pid)]:  # never leave them behind, even on failure
            if _alive(k):
                os.kill(k, signal.SIGKILL)
        proc.kill()
        proc.communicate(timeout=30)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
def test_killed_worker_is_one_line_exit_1_and_leaves_nothing(tmp_path: Path) -> None:
    proc = _start("run", FLAGSHIP, "--runs", "4000", "--workers", "2", "--out", "kw", cwd=tmp_path)
    _wait_for(lambda: len(_workers(proc.pid)) >= 2)
    os.kill(_workers(proc.pid)[0], signal.SIGKILL)
    out, err = proc.communicate(timeout=60)
    assert_refused(Result(proc.returncode, out, err), "worker process", code=1)
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_while_charts_are_drawn_leaves_no_partial_folder(tmp_path: Path) -> None:
    # Both formats: a dozen more files to draw after the first, seconds of work left
    # when the signal comes, however fast the machine.
    args = ["--runs", "300", "--workers", "2", "--formats", "png,svg", "--out", "si"]
    proc = _start("run", FLAGSHIP, *args, cwd=tmp_path)
    _wait_for(lambda: any(tmp_path.glob(".si.partial-*/charts/*")))
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: the whole process group
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.splitlines() == [
        "interrupted: no results folder was written (an earlier one is left as it was)"
    ]
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_during_a_sweep_prints_one_line(tmp_path: Path) -> None:
    # Enough points that most are still to run when the first one is cached.
    args = ["sweep", SWEEP, "--runs", "200", "--steps", "12", "--out", "sw", "--cache", "c"]
    proc = _start(*args, cwd=tmp_path)
    _wait_for(lambda: any(tmp_path.glob("c/*.json")))
    os.killpg(proc.pid, signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert len(err.splitlines()) == 1 and err.startswith("interrupted: no sweep folder"), err
    assert not (tmp_path / "sw").exists() and hidden(tmp_path) == []


def _dead_pid() -> int:
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def test_partial_folders_of_dead_commands_are_removed_by_the_next(tmp_path: Path) -> None:
    dead = tmp_path / f".res.partial-{_dead_pid()}-abcd1234"
    old_style = tmp_path / ".res.partial-k3j4h5g6"
    live = tmp_path / f".res.partial-{os.getpid()}-feedbeef"
    other = tmp_path / f".other.partial-{_dead_pid()}-abcd1234"
    for p in (dead, old_style, live, other):
        (p / "charts").mkdir(parents=True)
        (p / "runs.csv").write_text("run\n")
    hour_ago = time.time() - 2 * folder_mod.STALE_SECONDS
    os.utime(old_style, (hour_ago, hour_ago))
    with atomic_folder(tmp_path / "res") as tmp:
        (tmp / "runs.csv").write_text("run\n0\n")
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(["res", live.name, other.name])


def test_two_commands_finishing_the_same_folder_at_once_both_succeed(tmp_path, monkeypatch):
    """The other command's folder lands between our set-aside and our rename (ENOTEMPTY)."""
    final = tmp_path / "res"
    theirs = tmp_path / "theirs"
    with atomic_folder(theirs) as tmp:
        (tmp / "runs.csv").write_text("theirs\n")
    real = os.rename
    raced = []

    def racing(src, dst, *a, **k):
        if ".partial-" in str(src) and Path(dst) == final and not raced:
            raced.append(True)
            real(theirs, final)  # the other command renames first
        return real(src, dst, *a, **k)

    monkeypatch.setattr(os, "rename", racing)
    with atomic_folder(final) as tmp:
        (tmp / "runs.csv").write_text("ours\n")
    assert raced
    assert (final / "runs.csv").read_text() == "ours\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"]


def test_two_real_runs_into_the_same_folder(tmp_path: Path) -> None:
    procs = [_start("run", FLAGSHIP, *BARE, "--out", "res", cwd=tmp_path) for _ in range(2)]
    results = [(p.wait(timeout=120), p.communicate()) for p in procs]
    for code, (_out, err) in results:
        assert code == 0 and err == "", err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"]
    assert json.loads((tmp_path / "res" / "summary.json").read_text())["runs"] == 5


# ---------------------------------------------------------------- messages


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["run", FLAGSHIP, "--runs", "abc"], ["forcegen run", "--runs"]),
        (["run"], ["forcegen run", "Missing argument"]),
        (["nosuchcommand"], ["No such command 'nosuchcommand'"]),
        (["run", FLAGSHIP, "--workers", "-1"], ["--workers"]),
        (["sweep", SWEEP, "--workers", "-2"], ["--workers"]),
        (["run", FLAGSHIP, "--bogus"], ["--bogus"]),
    ],
)
def test_usage_errors_are_one_line(cli, tmp_path: Path, args: list, fragments: list[str]) -> None:
    r = cli(*args, cwd=tmp_path)
    assert_refused(r, *fragments)
    assert "╭" not in r.err and r.out == ""
    assert list(tmp_path.iterdir()) == []


def test_workers_above_the_core_count_are_capped(tmp_path: Path, monkeypatch) -> None:
    from sim import parallel
    from sim.parallel import Serial

    asked = []

    def fake(workers: int, *_a, **_k):
        asked.append(workers)
        return Serial()

    monkeypatch.setattr(parallel, "make_executor", fake)  # `run` imports it when it runs
    r = invoke("run", FLAGSHIP, *BARE, "--out", tmp_path / "res", "--workers", "64")
    assert r.code == 0, r.err
    assert asked == [cores()]
    assert r.err.splitlines() == [
        f"note: --workers 64: this machine has {cores()} cores; using {cores()}"
    ]


# ---------------------------------------------------------------- state ids


def test_explain_state_is_matched_whatever_its_case(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    from sim.analysis import explain

    seen = []

    def capture(C, state, run):
        seen.append(state)
        raise FolderError("stopped here")

    monkeypatch.setattr(explain, "explain", capture)
    assert_refused(invoke("explain", FLAGSHIP, "--state", "pak"), "stopped here")
    assert seen == ["PAK"]


def test_play_seat_is_matched_whatever_its_case(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    from sim.teach import play

    seen = []

    def capture(C, seats, *_a, **_k):
        seen.append(seats)
        raise FolderError("stopped here")

    monkeypatch.setattr(play, "play", capture)
    assert_refused(invoke("play", FLAGSHIP, "--as", "idn", "--as", "IDN"), "stopped here")
    assert seen == [["IDN"]]


def test_whatif_state_is_matched_whatever_its_case(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    from sim.explore import whatif

    seen = []

    def capture(sc, state, **_k):
        seen.append(state)
        raise FolderError("stopped here")

    monkeypatch.setattr(whatif, "search", capture)
    assert_refused(invoke("whatif", FLAGSHIP, "--state", "pak", "--runs", "5"), "stopped here")
    assert seen == ["PAK"]


@pytest.mark.parametrize(
    "args",
    [
        ["whatif", FLAGSHIP, "--state", "PAKI"],
        ["explain", FLAGSHIP, "--state", "PAKK"],
        ["play", FLAGSHIP, "--as", "PAKK"],
    ],
)
def test_unknown_state_gets_the_did_you_mean_hint(cli, tmp_path: Path, args: list) -> None:
    r = cli(*args, cwd=tmp_path)
    assert_refused(r, "unknown state", "did you mean 'PAK'?")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- compare keeps earlier results


def test_compare_never_replaces_results_made_from_other_inputs(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    a = tmp_path / "a.yaml"
    b = tmp_path / "b.yaml"
    a.write_text(f"extends: {FLAGSHIP}\nname: cmp_a\n")
    b.write_text(f"extends: {FLAGSHIP}\nname: cmp_b\nmandate:\n  command: un\n")
    bare = ["--formats", "none"]  # the folders are the subject, not their charts
    r = invoke(
        "run", a, "--runs", "7", "--detail-runs", "2", "--quiet", "--out", "results/cmp_a", *bare
    )
    assert r.code == 0, r.err
    earlier = snapshot(tmp_path / "results" / "cmp_a")
    r = invoke("compare", a, b, "--runs", "5", "--out", "cmp", *bare)
    assert r.code == 0, r.err
    assert snapshot(tmp_path / "results" / "cmp_a") == earlier
    notes = r.err.splitlines()
    assert len(notes) == 1 and notes[0].startswith("note: results/cmp_a holds other results")
    assert "cmp/runs/cmp_a" in notes[0]
    kept = json.loads((tmp_path / "cmp" / "runs" / "cmp_a" / "manifest.json").read_text())
    assert kept["runs"] == 5
    manifest = json.loads((tmp_path / "cmp" / "manifest.json").read_text())
    results = {s["name"]: (s["results"], s["reused"]) for s in manifest["scenarios"]}
    assert results == {"cmp_a": ("cmp/runs/cmp_a", False), "cmp_b": ("results/cmp_b", False)}
    assert json.loads((tmp_path / "results" / "cmp_b" / "manifest.json").read_text())["runs"] == 5
    assert "written to `cmp/runs/cmp_a`" in (tmp_path / "cmp" / "compare.md").read_text()
    # the same comparison again reuses what matches and still leaves cmp_a's 7 runs alone
    r = invoke("compare", a, b, "--runs", "5", "--out", "cmp", *bare)
    assert r.code == 0, r.err
    assert snapshot(tmp_path / "results" / "cmp_a") == earlier
    manifest = json.loads((tmp_path / "cmp" / "manifest.json").read_text())
    assert [s["reused"] for s in manifest["scenarios"]] == [False, True]
    assert hidden(tmp_path) == [] and hidden(tmp_path / "results") == []


# ---------------------------------------------------------------- permissions


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_results_folder_respects_the_umask(tmp_path: Path, umask: int) -> None:
    previous = os.umask(umask)
    try:
        r = invoke("run", FLAGSHIP, *SMALL, "--out", tmp_path / "res")
    finally:
        os.umask(previous)
    assert r.code == 0, r.err
    want = 0o777 & ~umask
    assert (tmp_path / "res").stat().st_mode & 0o777 == want
    assert (tmp_path / "res" / "charts").stat().st_mode & 0o777 == want


def test_check_target_accepts_a_new_folder_under_a_new_parent(tmp_path: Path) -> None:
    check_target(tmp_path / "a" / "b" / "c")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- a Ctrl-C a library swallows


def _swallowed_interrupt(*_args, **_kwargs) -> None:
    """Ctrl-C arriving in Python code a compiled library calls back and that catches
    every exception (pydantic's union discriminators, numba's dispatcher)."""
    try:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(1)  # the handler runs here and raises
    except KeyboardInterrupt:
        pass
    return []


def test_a_ctrl_c_a_library_swallows_still_leaves_no_folder(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sim.output.write.draw_charts", _swallowed_interrupt)
    before = signal.getsignal(signal.SIGINT)
    r = invoke("run", FLAGSHIP, *SMALL, "--out", "si")
    assert r.code == 130, r.err
    assert r.err.strip().startswith("interrupted: no results folder was written"), r.err
    assert list(tmp_path.iterdir()) == []
    assert signal.getsignal(signal.SIGINT) is before  # the command's handler is removed


def test_an_interrupt_wrapped_in_a_librarys_error_ends_with_130(tmp_path, monkeypatch) -> None:
    def wrapped(*_args, **_kwargs):
        _swallowed_interrupt()
        raise SystemError("returned a result with an exception set")  # numba's report

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sim.output.write.draw_charts", wrapped)
    r = invoke("run", FLAGSHIP, *SMALL, "--out", "si")
    assert r.code == 130, r.err
    assert "Traceback" not in r.err and "SystemError" not in r.err
    assert list(tmp_path.iterdir()) == []


def test_without_an_interrupt_a_librarys_error_is_not_taken_for_one(tmp_path, monkeypatch) -> None:
    def broken(*_args, **_kwargs):
        raise SystemError("a real fault")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sim.output.write.draw_charts", broken)
    r = runner.invoke(app, ["run", str(FLAGSHIP), *SMALL, "--out", "si"])
    assert isinstance(r.exception, SystemError), r.stderr  # raised as it is, not as 130
