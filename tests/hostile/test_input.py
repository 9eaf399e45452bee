"""Hostile input through the command line: one line, exit status 2, nothing written.

Loader-level cases (faster, in-process) are in tests/scenario/test_hostile_input.py
and tests/scenario/test_mutations.py; these check that the same refusals reach
the user as one `error:` line from `validate`, `run` and `sweep`, with no
traceback, no numpy warning, within a time bound, and with nothing written. They run
the command line in this process (`cli`); a case bounded by a timeout (an input that
could hang or take exponential time) runs it in a subprocess (`forcegen`).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from .helpers import FLAGSHIP, assert_refused, forcegen, snapshot

NUMBERS = {
    "10k": ("states: {IDN: {offers: {troops: 10k}}}\n", "states.IDN.offers.troops"),
    "high": ("states: {IDN: {domestic_opposition: high}}\n", "domestic_opposition"),
    "low in a range": ("states: {IDN: {domestic_opposition: [low, 0.5]}}\n", "range low: expected"),
    "lots": ("broker: {target: lots}\n", "broker.target"),
    "nan": ("states: {IDN: {risk_tolerance: .nan}}\n", "expected a finite number"),
    "inf": ("broker: {target: .inf}\n", "broker.target"),
    "1e308": ("broker: {target: 1e308}\n", "between -1e9 and 1e9"),
    "nan text effect": ("hosts: {HAM: {effects: {use_of_force: '-inf'}}}\n", "use_of_force"),
}


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("case", sorted(NUMBERS))
def test_a_bad_number_is_one_line(cli, variant, tmp_path: Path, command: str, case: str) -> None:
    body, fragment = NUMBERS[case]
    file = variant(body)
    before = snapshot(tmp_path)
    args = ["--out", str(tmp_path / "out"), "--runs", "2"] if command == "run" else []
    result = cli(command, file, *args)
    assert_refused(result, str(file), fragment)
    assert "Warning" not in result.err
    assert snapshot(tmp_path) == before


MESSAGES = {
    "duplicate key": ("title: a\ntitle: b\n", "line 3: duplicate key 'title' (first at line 2)"),
    "unquoted date": ("date: 2025-12-20\n", "date: expected text; quote the date ('2025-12-20')"),
    "misspelt remove": (
        "mandate: {tasks: {remove: [weapons_decomissioning]}}\n",
        "did you mean 'weapons_decommissioning'?",
    ),
    "misspelt state": (
        "states: {IND: {offers: {troops: 10}}}\n",
        "unknown state 'IND' (did you mean 'IDN'?); a new state needs a name",
    ),
    "list as a key": ("? [a, b]\n: 1\n", "line 2: a key must be a name, not a list"),
}


@pytest.mark.parametrize("case", sorted(MESSAGES))
def test_messages_say_what_is_wrong(cli, variant, case: str) -> None:
    body, fragment = MESSAGES[case]
    assert_refused(cli("validate", variant(body)), fragment)


def test_a_documented_bandwagon_range_runs_on_the_fast_engine(cli, variant, tmp_path) -> None:
    file = variant("decision: {bandwagon: [0.1, 0.3]}\n")
    out = tmp_path / "out"
    result = cli("run", file, "--runs", "3", "--engine", "fast", "--out", out, "--quiet")
    assert result.code == 0, result.err[-2000:]
    assert "Traceback" not in result.err
    assert (out / "summary.json").is_file()


def test_an_alias_bomb_is_refused_quickly(variant) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    file = variant("note:\n  " + "\n  ".join(lines) + "\n")
    start = time.perf_counter()
    assert_refused(forcegen("validate", file, timeout=60), "aliases")
    assert time.perf_counter() - start < 30


@pytest.mark.parametrize("target", ["/dev/zero", "fifo"])
def test_extends_to_a_device_or_fifo_does_not_hang(tmp_path: Path, target: str) -> None:
    if target == "fifo":
        os.mkfifo(tmp_path / "pipe.yaml")
        target = "pipe.yaml"
    else:
        (tmp_path / "zero.yaml").symlink_to(target)
        target = "zero.yaml"
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {target}\n", encoding="utf-8")
    assert_refused(forcegen("validate", child, timeout=60), "is not a regular file")


def test_extends_to_a_file_that_is_not_a_scenario_shows_none_of_it(cli, tmp_path: Path) -> None:
    (tmp_path / "other.yml").write_text("password_hash: s3cr3t\nusers: [root]\n", "utf-8")
    child = tmp_path / "child.yaml"
    child.write_text("extends: other.yml\ntitle: t\n", encoding="utf-8")
    line = assert_refused(cli("validate", child), "is not a scenario file")
    assert "s3cr3t" not in line and "password" not in line


def test_a_file_name_that_is_not_a_name_still_validates(cli, variant) -> None:
    result = cli("validate", variant("", name="My Scenario (v2).yaml"))
    assert result.code == 0, result.err
    assert "name: my_scenario_v2" in result.out


SWEEP = "base: {base}\n{extra}axes:\n{axes}"


def sweep_file(tmp_path: Path, axes: str, extra: str = "") -> Path:
    file = tmp_path / "sweep.yaml"
    file.write_text(SWEEP.format(base=FLAGSHIP, extra=extra, axes=axes), encoding="utf-8")
    return file


def test_a_sweep_too_large_to_count_in_int64_is_refused(tmp_path: Path) -> None:
    fields = ["domestic_opposition", "risk_tolerance", "clarity_threshold", "conformity"]
    paths = [f"states.IDN.{f}" for f in fields] + [f"states.PAK.{f}" for f in fields[:3]]
    axes = "".join(
        f"  - {{path: {p}, values: {{from: 0.1, to: 0.9, steps: 512}}}}\n" for p in paths
    )
    out = tmp_path / "out"
    start = time.perf_counter()
    result = forcegen("sweep", sweep_file(tmp_path, axes), "--out", out, timeout=60)
    line = assert_refused(result, "axes", "at most 5000")
    assert f"{512**7:,}" in line
    assert time.perf_counter() - start < 30
    assert not out.exists()


@pytest.mark.parametrize(
    "values, fragment",
    [
        ("[0.2, .nan]", "finite"),
        ("[0.2, null]", "null"),
        ("['0.2', 0.5]", "text"),
        ("{from: .nan, to: 0.5, steps: 3}", "values"),
    ],
)
def test_sweep_values_that_are_not_numbers_are_refused(cli, tmp_path, values, fragment) -> None:
    axes = f"  - {{path: states.IDN.domestic_opposition, values: {values}}}\n"
    out = tmp_path / "out"
    result = cli("sweep", sweep_file(tmp_path, axes), "--out", out)
    assert_refused(result, "sweep.yaml", fragment)
    assert not out.exists()


def test_a_sweep_base_that_is_not_a_scenario_is_refused(cli, tmp_path: Path) -> None:
    (tmp_path / "notes.yaml").write_text("secret_token: abc123\n", encoding="utf-8")
    file = tmp_path / "sweep.yaml"
    file.write_text(
        "base: notes.yaml\naxes:\n  - {path: mandate.zone, values: [perimeter]}\n", "utf-8"
    )
    line = assert_refused(cli("sweep", file, "--out", tmp_path / "out"), "base")
    assert "abc123" not in line and "secret" not in line
