"""Field paths into a resolved scenario: `mandate.use_of_force`, `states.PAK.conformity`.

A path walks the resolved scenario mapping (the scenario after `extends`, with
every default filled in):

- a mapping is entered by key (`broker.side_payments.budget`);
- a list of items with an `id` is entered by id
  (`broker.concessions.trust_fund.cost`, `states.PAK.red_lines.no_disarmament.caveat_ok`);
- a task of a task-set mandate term is a boolean: whether the mandate carries it
  (`mandate.tasks.weapons_decommissioning`).

Setting a value returns a new validated Scenario; the base is never changed. A
number set on a field written as a range `[low, high]` becomes the range
`[x, x]`: the value is fixed, yet every run still takes the same random draws
as in the base, so points of a sweep stay paired run by run.
"""

from __future__ import annotations

from typing import Any

from sim.scenario.errors import ScenarioError, unknown
from sim.scenario.loader import validate
from sim.scenario.schema import Scenario

MISSING = object()


def mapping(sc: Scenario) -> dict:
    """The resolved scenario as plain Python data (ranges are tuples)."""
    return sc.model_dump(mode="python", by_alias=True)


def _is_id_list(node: Any) -> bool:
    return (
        isinstance(node, list)
        and bool(node)
        and all(isinstance(x, dict) and "id" in x for x in node)
    )


def _task_term(data: dict, parts: list[str]) -> bool:
    """Whether parts = ['mandate', <task-set term>] in this scenario."""
    if len(parts) != 2 or parts[0] != "mandate":
        return False
    spec = data.get("vocabulary", {}).get(parts[1])
    return bool(spec) and spec["kind"] == "task_set"


def _walk(data: dict, path: str) -> tuple[Any, Any, list[str]]:
    """(container, key, parts) of the last segment of `path`, or raise a one-line error."""
    parts = path.split(".")
    if not path or any(not p for p in parts):
        raise ScenarioError("expected a dotted field path such as mandate.use_of_force", path)
    node: Any = data
    for i, part in enumerate(parts):
        where = ".".join(parts[: i + 1])
        last = i == len(parts) - 1
        if _task_term(data, parts[:i]):
            levels = data["vocabulary"][parts[i - 1]]["levels"]
            if part not in levels:
                raise unknown("task", part, levels, where)
            if not last:
                raise ScenarioError("a task is true or false; nothing lies below it", where)
            return node, part, parts
        if isinstance(node, dict):
            if part not in node:
                raise unknown("field", part, node.keys(), where)
            if last:
                return node, part, parts
            node = node[part]
        elif _is_id_list(node):
            ids = [x["id"] for x in node]
            if part not in ids:
                raise unknown("id", part, ids, where)
            item = node[ids.index(part)]
            if last:
                raise ScenarioError(
                    "a whole list item cannot be swept; name one of its fields", where
                )
            node = item
        else:
            parent = ".".join(parts[:i])
            raise ScenarioError(f"{parent} is a value, not a mapping: nothing lies below it", where)
    raise AssertionError("unreachable")  # pragma: no cover


def get(sc: Scenario | dict, path: str) -> Any:
    """The value at `path` (a bool for a task of a task-set term)."""
    data = mapping(sc) if isinstance(sc, Scenario) else sc
    node, key, parts = _walk(data, path)
    if _task_term(data, parts[:-1]):
        return key in node
    return node[key]


def is_range(value: Any) -> bool:
    """A judgement-call range: a pair of numbers."""
    return (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    )


def assign(data: dict, path: str, value: Any) -> None:
    """Set `path` to `value` in a raw mapping, in place (no validation)."""
    node, key, parts = _walk(data, path)
    if _task_term(data, parts[:-1]):
        if not isinstance(value, bool):
            raise ScenarioError(
                f"a task axis takes true (carried) or false (not carried), got {value!r}", path
            )
        term = parts[-2]
        levels = data["vocabulary"][term]["levels"]
        current = set(node)
        current = current | {key} if value else current - {key}
        data["mandate"][term] = [t for t in levels if t in current]
        return
    old = node[key]
    if is_range(old) and isinstance(value, int | float) and not isinstance(value, bool):
        value = (value, value)
    node[key] = value


def apply(sc: Scenario, values: dict[str, Any], file: str = "") -> Scenario:
    """A new validated scenario with each path set to its value."""
    data = mapping(sc)  # a fresh tree of dicts and lists each call: nothing of `sc` is changed
    for path, value in values.items():
        try:
            assign(data, path, value)
        except ScenarioError as exc:
            exc.file = exc.file or file
            raise
    try:
        return validate(data, file)
    except ScenarioError as exc:
        exc.file = exc.file or file
        raise


def term_of(path: str) -> str | None:
    """The mandate term a path names (`mandate.tasks.x` -> 'tasks'), else None."""
    parts = path.split(".")
    return parts[1] if parts[0] == "mandate" and len(parts) >= 2 else None


def label(sc: Scenario, path: str) -> str:
    """A readable name for a path: 'Use of force', 'Pakistan: domestic opposition'."""
    parts = path.split(".")
    term = term_of(path)
    if term and term in sc.vocabulary:
        spec = sc.vocabulary[term]
        name = spec.label or term.replace("_", " ").capitalize()
        if len(parts) == 3:
            return f"{name}: {parts[2].replace('_', ' ')}"
        return name
    actors = {"states": sc.states, "veto_players": sc.veto_players, "hosts": sc.hosts}
    if parts[0] in actors and len(parts) >= 3 and parts[1] in actors[parts[0]]:
        rest = " ".join(p.replace("_", " ") for p in parts[2:])
        return f"{actors[parts[0]][parts[1]].name}: {rest}"
    if parts[0] == "broker" and len(parts) >= 2:
        if len(parts) == 2 and parts[1] in BROKER_LABELS:
            return BROKER_LABELS[parts[1]]
        rest = " ".join(p.replace("_", " ") for p in parts[1:])
        return f"Broker: {rest}"
    return path


BROKER_LABELS = {
    "target": "Target force (personnel)",
    "minimum_viable": "Minimum viable force (personnel)",
    "deadline": "Deadline (weeks)",
    "engagement": "Broker engagement (clarity per week)",
    "patience": "Broker patience (weeks)",
}
