"""The script ends its process at once after the command (`sim.quick_exit`), losing
nothing: the output, the status and the atexit handlers are those of an orderly exit."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from sim import quick_exit

ROOT = Path(__file__).resolve().parents[2]
FLAGSHIP = ROOT / "scenarios" / "isf" / "res2803.yaml"

SCRIPT = """
import atexit, sys, threading, time
from sim import quick_exit

class TornDown:
    def __del__(self):
        print("torn down", file=sys.stderr)

kept = TornDown()  # freed only by the interpreter's orderly shutdown
atexit.register(lambda: print("atexit ran", file=sys.stderr))
command, mode = quick_exit.main, sys.argv[1]

def main():
    try:
        command()
    finally:  # another thread alive as the command ends
        if mode == "thread":
            threading.Thread(target=time.sleep, args=(0.3,)).start()

quick_exit.main = main
sys.argv = ["forcegen", *sys.argv[2:]]
quick_exit.entry()
"""


def _script(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


def test_a_command_ends_without_the_teardown_and_loses_nothing() -> None:
    quick, orderly = _script("alone", "validate", FLAGSHIP), _script("thread", "validate", FLAGSHIP)
    assert quick.returncode == orderly.returncode == 0, quick.stderr
    assert quick.stdout.startswith("name: res2803\n")
    assert quick.stdout == orderly.stdout  # the whole resolved scenario, flushed
    assert "atexit ran" in quick.stderr
    assert "torn down" not in quick.stderr


def test_a_refusal_keeps_its_status_and_its_line(tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {FLAGSHIP}\nrunz: 3\n", encoding="utf-8")
    proc = _script("alone", "run", bad, "--out", tmp_path / "out")
    assert proc.returncode == 2
    assert "'runz'" in proc.stderr and "did you mean 'run'" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "atexit ran" in proc.stderr and "torn down" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_with_another_thread_alive_the_exit_is_the_orderly_one() -> None:
    proc = _script("thread", "validate", FLAGSHIP)
    assert proc.returncode == 0, proc.stderr
    assert "atexit ran" in proc.stderr and "torn down" in proc.stderr


def test_a_profiled_command_writes_its_profile(tmp_path) -> None:
    """`python -m cProfile -m sim ...` writes its report once the command returns."""
    report = tmp_path / "validate.prof"
    argv = [sys.executable, "-m", "cProfile", "-o", report, "-m", "sim", "validate", FLAGSHIP]
    proc = subprocess.run(argv, capture_output=True, text=True, check=False, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("name: res2803\n")
    assert report.is_file() and report.stat().st_size > 0


class _Closed(io.StringIO):
    def flush(self) -> None:
        raise BrokenPipeError("the reader has gone")


def test_output_that_cannot_be_flushed_is_left_to_the_orderly_exit(monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdout", _Closed())
    assert not quick_exit.quick_exit_is_safe()


@pytest.mark.parametrize(("raised", "status"), [(None, 0), (0, 0), (2, 2), (130, 130)])
def test_the_status_of_the_command_is_the_status_of_the_process(monkeypatch, raised, status):
    ended, ran = [], []

    def main() -> None:
        raise SystemExit(raised)

    monkeypatch.setattr(quick_exit, "main", main)
    monkeypatch.setattr(quick_exit.threading, "active_count", lambda: 1)  # pytest's own threads
    monkeypatch.setattr(quick_exit.atexit, "_run_exitfuncs", lambda: ran.append(True))
    monkeypatch.setattr(quick_exit.os, "_exit", ended.append)
    quick_exit.entry()
    assert ended == [status] and ran == [True]


def test_a_status_that_is_not_a_number_is_left_to_python(monkeypatch) -> None:
    def main() -> None:
        raise SystemExit("a message, not a status")

    monkeypatch.setattr(quick_exit, "main", main)
    monkeypatch.setattr(quick_exit.os, "_exit", lambda code: pytest.fail("quick exit taken"))
    with pytest.raises(SystemExit) as raised:
        quick_exit.entry()
    assert raised.value.code == "a message, not a status"
