"""A scenario file's text is parsed once per process; each reader gets its own copy,
and a file whose text changed is parsed again, whatever its size and time say."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sim.scenario import loader
from sim.scenario.errors import ScenarioError

ISF = Path(__file__).resolve().parents[2] / "scenarios" / "isf"


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """The files the loader parses from here on (a fresh cache)."""
    monkeypatch.setattr(loader, "_PARSED", {})
    seen: list[str] = []
    real = loader._parse

    def counted(text, file, echo):
        seen.append(Path(file).name)
        return real(text, file, echo)

    monkeypatch.setattr(loader, "_parse", counted)
    return seen


def test_variants_of_the_flagship_parse_its_files_once(parses) -> None:
    first = loader.load(ISF / "res2803.yaml")
    loader.load(ISF / "no_disarmament.yaml")  # extends res2803.yaml, which extends actors
    again = loader.load(ISF / "res2803.yaml")
    assert again == first
    assert sorted(parses) == sorted(set(parses))  # no file parsed twice
    assert {"res2803.yaml", "actors.yaml", "no_disarmament.yaml"} <= set(parses)


def test_each_reader_gets_its_own_copy(parses, tmp_path) -> None:
    file = tmp_path / "s.yaml"
    file.write_text("a: {b: [1, 2]}\n", encoding="utf-8")
    one = loader.read_yaml(file)
    one["a"]["b"].append(3)
    assert loader.read_yaml(file) == {"a": {"b": [1, 2]}}
    assert parses == ["s.yaml"]


def test_a_changed_file_is_read_again(parses, tmp_path) -> None:
    """Its text decides, not its size or time: a rewrite within the file system's
    clock tick, or to the same size, is still read."""
    file = tmp_path / "s.yaml"
    file.write_text("a: 1\n", encoding="utf-8")
    assert loader.read_yaml(file) == {"a": 1}
    stamp = os.stat(file).st_mtime_ns
    file.write_text("a: 2\n", encoding="utf-8")
    os.utime(file, ns=(stamp, stamp))  # the same size and the same time
    assert loader.read_yaml(file) == {"a": 2}
    assert loader.read_yaml(file) == {"a": 2}
    assert parses == ["s.yaml"] * 2


def test_a_refused_file_is_refused_every_time(parses, tmp_path) -> None:
    file = tmp_path / "s.yaml"
    file.write_text("a: 1\na: 2\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ScenarioError, match="duplicate key"):
            loader.read_yaml(file)
    assert parses == ["s.yaml"] * 2
    with pytest.raises(ScenarioError, match="not a regular file"):
        loader.read_yaml(tmp_path)


def test_at_most_parsed_files_are_kept(parses, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(loader, "PARSED", 2)
    files = [tmp_path / f"s{i}.yaml" for i in range(3)]
    for i, file in enumerate(files):
        file.write_text(f"a: {i}\n", encoding="utf-8")
        loader.read_yaml(file)
    assert len(loader._PARSED) == 2
    loader.read_yaml(files[2])  # kept
    loader.read_yaml(files[0])  # the oldest, let go: parsed again
    assert parses == ["s0.yaml", "s1.yaml", "s2.yaml", "s0.yaml"]
