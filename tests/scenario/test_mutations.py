"""Random mutations of the shipped scenarios are refused in one line, or run.

Hypothesis walks to a random place in a resolved shipped scenario and puts
something wrong there: another type, another shape, a number out of range or
not finite, a name that refers to nothing, or nothing at all. Either the
scenario still validates (and then it compiles and runs on the fast engine
without an error or a warning), or the loader refuses it with a ScenarioError
whose text is one line naming the file and the field. Any other exception is a
bug. Half the cases go through `load`, as a variant file that extends the
shipped one, so `extends`, the merge and list edits are exercised too.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.engine.ensemble import run_ensemble
from sim.scenario.arrays import compile_scenario
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load, resolve, validate

ROOT = Path(__file__).resolve().parents[2] / "scenarios"
SHIPPED = [ROOT / "isf" / "res2803.yaml", ROOT / "haiti2023" / "haiti2023.yaml"]
SHIPPED += [ROOT / "unifil2006" / "unifil2006.yaml"]
RAW = {p: resolve(p) for p in SHIPPED}

WRONG = [
    0.5,
    1,
    3,
    [0.1, 0.3],
    [1, 2],
    None,
    True,
    False,
    0,
    -1,
    -0.5,
    2.5,
    1e12,
    -1e12,
    10**30,
    math.nan,
    math.inf,
    -math.inf,
    "nan",
    "-inf",
    "lots",
    "10k",
    "",
    "x" * 300,
    [],
    [1, 2, 3],
    ["low", 0.5],
    [0.9, 0.1],
    [math.nan, 1.0],
    {},
    {"add": ["nothing_here"]},
    {"remove": ["nothing_here"]},
    {"at_most": "nowhere"},
    {"x": {"y": 1}},
]


def _children(node: Any) -> list:
    if isinstance(node, dict):
        return list(node)
    if isinstance(node, list):
        return list(range(len(node)))
    return []


@st.composite
def mutations(draw: st.DrawFn) -> tuple[Path, list, str, Any]:
    """A shipped file, a path into its resolved mapping, and what to do there.

    The values are mostly wrong, some right but different (a range where a
    number was), so that mutated-but-valid scenarios reach the engine.
    """
    file = draw(st.sampled_from(SHIPPED))
    node: Any = RAW[file]
    path: list = []
    while True:
        keys = _children(node)
        if not keys or (path and draw(st.integers(0, 3)) == 0):
            break
        key = draw(st.sampled_from(keys))
        path.append(key)
        node = node[key]
    if not path:
        path = [draw(st.sampled_from(_children(RAW[file])))]
    action = draw(st.sampled_from(["replace", "replace", "replace", "rename", "delete", "nudge"]))
    value = draw(st.sampled_from(WRONG))
    return file, path, action, value


def _misspell(name: Any) -> Any:
    text = str(name)
    return text[:-1] + ("x" if not text.endswith("x") else "y") if text else "x"


def _mutate(data: dict, path: list, action: str, value: Any) -> dict:
    """A copy of `data` with the mutation applied at `path`."""
    out = copy.deepcopy(data)
    parent = out
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    if action == "delete":
        if isinstance(parent, dict):
            parent.pop(last)
        else:
            parent.pop(last)
    elif action == "rename" and isinstance(parent, dict):
        parent[_misspell(last)] = parent.pop(last)
    elif action == "nudge":
        old = parent[last]
        if isinstance(old, bool):
            parent[last] = not old
        elif isinstance(old, int | float):
            parent[last] = old * 10 + 1
        elif isinstance(old, str):
            parent[last] = _misspell(old)
        else:
            parent[last] = value
    else:
        parent[last] = value
    return out


def _variant(file: Path, path: list, value: Any) -> dict | None:
    """The same replacement as a variant mapping, when the path holds no list index."""
    if any(isinstance(k, int) for k in path) or value is None:
        return None
    body: dict = {}
    node = body
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
    return {"extends": str(file), **body}


def _check_refusal(exc: ScenarioError, file: str) -> None:
    text = str(exc)
    assert "\n" not in text, text
    assert text.startswith(file), text
    assert exc.path or "line " in exc.message, f"no field named: {text}"
    assert len(text) < 600, text


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutations())
def test_mutation_is_refused_in_one_line_or_runs(tmp_path_factory, mutation) -> None:
    file, path, action, value = mutation
    data = _mutate(RAW[file], path, action, value)
    data.setdefault("name", "mutant")
    try:
        sc = validate(data, "mutant.yaml")
    except ScenarioError as exc:
        _check_refusal(exc, "mutant.yaml")
    else:
        tables = run_ensemble(compile_scenario(sc), runs=2, seed=3, detail=2)
        assert len(tables["runs"]) == 2
    body = _variant(file, path, value) if action == "replace" else None
    if body is None:
        return
    variant = tmp_path_factory.mktemp("v") / "variant.yaml"
    variant.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    try:
        sc = load(variant)
    except ScenarioError as exc:
        _check_refusal(exc, str(variant))
    else:
        tables = run_ensemble(compile_scenario(sc), runs=2, seed=3, detail=2)
        assert len(tables["runs"]) == 2


@pytest.mark.parametrize("file", SHIPPED, ids=lambda p: p.stem)
def test_the_unmutated_scenarios_validate(file: Path) -> None:
    data = {**RAW[file], "name": "plain"}
    assert validate(data, "plain.yaml").name == "plain"
