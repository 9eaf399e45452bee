"""`forcegen play` against what a student may type at its prompts: digits of other
scripts, numbers too long to convert, a pasted page of text, and Ctrl-C. Each is
asked again (Ctrl-C: ends the game as documented, the transcript saved); never a
traceback that loses the class's game."""

from __future__ import annotations

import io
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from sim.cli import app
from sim.teach.ask import Asker, resolve
from sim.teach.game import EXIT_INPUT_ENDED

from .helpers import FLAGSHIP, ROOT

ENOUGH = "\n" * 600
"""Blank answers keep the answer in brackets: enough for every week of a seat."""

runner = CliRunner()


def play(out: Path, text: str, *seats: str):
    """`forcegen play` in-process with `text` as standard input."""
    args = ["play", str(FLAGSHIP), "--seed", "11", "--out", str(out)]
    for code in seats:
        args += ["--as", code]
    return runner.invoke(app, args, input=text)


@pytest.mark.parametrize("raw", ["²", "①", "1" * 5000, "0" * 40 + "2"])
def test_a_digit_that_is_no_option_number_is_no_option(raw) -> None:
    assert resolve(raw, ["a", "b", "c"]) is None


def test_digits_of_another_script_pick_an_option() -> None:
    assert resolve("٣", ["a", "b", "c"]) == "c"


@pytest.mark.parametrize("raw", ["²", "1" * 5000])
def test_an_odd_number_at_a_prompt_is_asked_again(tmp_path, raw) -> None:
    result = play(tmp_path / "out", f"{raw}\n" + ENOUGH, "IDN")
    assert result.exit_code == 0, result.output[-2000:]
    assert "Traceback" not in result.output
    assert "is not a valid answer. Choose one of: declined, considering" in result.output
    assert (tmp_path / "out" / "transcript.md").is_file()


@pytest.mark.parametrize("pledge", [False, True])
def test_a_pasted_page_is_not_echoed_back_whole(pledge) -> None:
    """The refusal shows the answer's start and its length, one short line."""
    answers = iter(["x" * 100_000, "50" if pledge else "b"])
    console = Console(file=io.StringIO(), width=10_000)
    asker = Asker(console, prompt=lambda *a, **k: next(answers))
    if pledge:
        assert asker.amount("pledge", 50, 50, 500, 50, "personnel") == 50
    else:
        assert asker.choose("stance", ["a", "b"], "a") == "b"
    said = console.file.getvalue().splitlines()[-1]
    assert "... (100,000 characters) is not a valid" in said and len(said) < 300, said[:300]


def until(proc: subprocess.Popen, text: bytes, timeout: float = 60) -> bytes:
    """The command's output up to and including `text` (it waits at a prompt then)."""
    seen, end = b"", time.monotonic() + timeout
    while text not in seen:
        left = end - time.monotonic()
        assert left > 0 and proc.poll() is None, seen[-2000:]
        if select.select([proc.stdout], [], [], left)[0]:
            seen += os.read(proc.stdout.fileno(), 4096)
    return seen


def test_ctrl_c_at_a_prompt_saves_the_game_so_far(tmp_path) -> None:
    """As documented (docs/teaching/README.md): Ctrl-C at a prompt ends the game
    with exit status 3 and the transcript so far, not 130 and no folder."""
    out = tmp_path / "game"
    args = ["play", str(FLAGSHIP), "--seed", "11", "--as", "IDN", "--out", str(out)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", *args],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "COLUMNS": "100", "PYTHONUNBUFFERED": "1"},
    )
    try:
        until(proc, b"IDN stance")
        proc.stdin.write(b"considering\nnone\n")
        proc.stdin.flush()
        until(proc, b"[none]: ")  # the prompt itself, reading its answer
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == EXIT_INPUT_ENDED, rest.decode()[-2000:]
    assert b"Traceback" not in rest
    assert b"input ended in week 1: game stopped" in rest
    assert "*Input ended in week 1" in (out / "transcript.md").read_text(encoding="utf-8")
