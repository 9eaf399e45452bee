"""`forcegen play` against what a student may type at its prompts: digits of other
scripts, numbers too long to convert, a pasted page of text, and Ctrl-C. Each is
asked again (or ends the game as documented) and the game goes on; never a
traceback that loses the class's game."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from sim.cli import app
from sim.teach.ask import Asker, resolve

from .helpers import FLAGSHIP

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
