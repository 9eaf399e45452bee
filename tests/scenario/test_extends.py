"""`extends`: a variant states only what differs; mappings merge, lists are edited."""

from __future__ import annotations

from pathlib import Path

from sim.scenario.loader import load, merge, scenario_hash

ISF = Path(__file__).resolve().parents[2] / "scenarios" / "isf"


def test_merge_is_deep_and_null_deletes() -> None:
    base = {"a": {"x": 1, "y": 2}, "b": [1, 2], "c": 3}
    out = merge(base, {"a": {"y": 5}, "b": [9], "c": None})
    assert out == {"a": {"x": 1, "y": 5}, "b": [9]}


def test_list_add_and_remove() -> None:
    base = {"tasks": ["a", "b", "c"]}
    assert merge(base, {"tasks": {"remove": ["b"], "add": ["d", "a"]}}) == {
        "tasks": ["a", "c", "d"]
    }


def test_variant_changes_only_what_it_states(tmp_path: Path) -> None:
    flagship = load(ISF / "res2803.yaml")
    file = tmp_path / "v.yaml"
    file.write_text(
        f"extends: {ISF / 'res2803.yaml'}\nmandate:\n  tasks: {{remove: [weapons_decommissioning]}}\n",
        encoding="utf-8",
    )
    v = load(file)
    assert v.name == "v"
    assert "weapons_decommissioning" in flagship.mandate["tasks"]
    assert "weapons_decommissioning" not in v.mandate["tasks"]
    rest = [t for t in flagship.mandate["tasks"] if t != "weapons_decommissioning"]
    assert v.mandate["tasks"] == rest
    assert v.states == flagship.states
    assert scenario_hash(v) != scenario_hash(flagship)


def test_hash_is_stable_for_equal_scenarios() -> None:
    assert scenario_hash(load(ISF / "res2803.yaml")) == scenario_hash(load(ISF / "res2803.yaml"))
