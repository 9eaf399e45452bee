"""Clause-by-clause difference of resolved scenarios.

Scenarios are compared after `extends` is resolved and defaults filled in, so
two files that say the same thing in different words do not differ. A clause
is a leaf of the resolved mapping, named by its field path (the same paths a
sweep takes):

- each mandate term is a clause; a task-set term gives one clause per task
  (`mandate.tasks.weapons_decommissioning`: carried or not);
- items of a list with ids (red lines, concessions) are entered by id;
- a state, veto player, host, kind, bloc or term present in some scenarios
  only is one clause (`states.TUR`: present / absent);
- any other list (blocs, force.counts, levels) and any range is one value.

What only documents a value is left out: evidence, judgement and notes, and the
scenario's name, title, description, date and sources. Clauses are grouped as
mandate (the terms), actors (states, broker, veto players, hosts) and settings
(everything else: vocabulary, kinds, environment, decision rule, force, run).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.scenario.schema import Scenario

ABSENT = "(absent)"
PRESENT = "(present)"
DOCUMENTATION = {"evidence", "judgement", "note"}
METADATA = {"name", "title", "description", "date", "sources"}
ACTORS = {"states", "broker", "veto_players", "hosts"}
GROUP_ORDER = ("mandate", "actors", "settings")


@dataclass(frozen=True)
class Clause:
    """One clause that differs: its path, its group and its value in each scenario."""

    path: str
    group: str
    values: tuple[Any, ...]


def _group(path: str) -> str:
    top = path.split(".")[0]
    if top == "mandate":
        return "mandate"
    return "actors" if top in ACTORS else "settings"


def _tree(sc: Scenario) -> dict:
    """The resolved mapping, documentation dropped, task sets as per-task booleans."""
    data = sc.model_dump(mode="json", by_alias=True)
    for key in METADATA:
        data.pop(key, None)
    for term, spec in sc.vocabulary.items():
        if spec.kind == "task_set" and term in data["mandate"]:
            carried = set(data["mandate"][term])
            data["mandate"][term] = {t: t in carried for t in spec.levels}
    return _strip(data)


def _strip(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k not in DOCUMENTATION}
    if isinstance(node, list) and node and all(isinstance(x, dict) and "id" in x for x in node):
        return {x["id"]: _strip({k: v for k, v in x.items() if k != "id"}) for x in node}
    return node


def _walk(nodes: list[Any], path: str, out: list[Clause]) -> None:
    if all(isinstance(n, dict) for n in nodes):
        keys: list[str] = []
        for n in nodes:
            keys += [k for k in n if k not in keys]
        for key in keys:
            sub = f"{path}.{key}" if path else key
            present = [key in n for n in nodes]
            if not all(present):
                leaves = not any(isinstance(n.get(key), dict) for n in nodes)
                values = tuple(
                    (_value(n[key]) if leaves else PRESENT) if key in n else ABSENT for n in nodes
                )
                out.append(Clause(sub, _group(sub), values))
            else:
                _walk([n[key] for n in nodes], sub, out)
        return
    if any(n != nodes[0] for n in nodes[1:]):
        out.append(Clause(path, _group(path), tuple(_value(n) for n in nodes)))


def _value(v: Any) -> Any:
    """A leaf as it reads: a range stays a pair, other lists keep their order."""
    if isinstance(v, dict):
        return PRESENT
    return tuple(v) if isinstance(v, list) else v


def diff(scenarios: list[Scenario]) -> list[Clause]:
    """The clauses on which the scenarios do not all agree, mandate first."""
    out: list[Clause] = []
    _walk([_tree(sc) for sc in scenarios], "", out)
    return sorted(out, key=lambda c: GROUP_ORDER.index(c.group))
