"""The scenarios the page may open: the shipped ones, and nothing else.

A page served beyond this machine must not read files a student names, so the
page opens only the scenario files shipped in `scenarios/` (not the sweeps, not
the schema, not a fragment such as `isf/actors.yaml` that is no scenario by
itself), listed by their path from the repository root. A mandate the teacher
sets on the page is the shipped scenario with those terms changed, built the
way sweeps and `whatif` change a mandate (`sim.explore.paths.apply`); runs and
seed stay the scenario's unless the page changes the runs.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import sim
from sim.scenario.errors import ScenarioError
from sim.scenario.schema import Scenario

SKIP = ("sweeps", "schema")


def root() -> Path:
    """The folder holding `scenarios/` (the repository, or the working folder)."""
    here = Path(sim.__file__).resolve().parents[1]
    return here if (here / "scenarios").is_dir() else Path.cwd()


@cache
def shipped() -> tuple[str, ...]:
    """Paths ('scenarios/isf/res2803.yaml') of the shipped scenario files, sorted."""
    base = root()
    out = []
    for path in sorted((base / "scenarios").rglob("*.yaml")):
        rel = path.relative_to(base)
        if rel.parts[1] in SKIP:
            continue
        try:
            sim.load(path)
        except ScenarioError:
            continue  # a fragment (actors.yaml), not a scenario
        out.append(rel.as_posix())
    return tuple(out)


def resolve(raw: str | Path) -> str:
    """The listed path a name stands for; ScenarioError when it is not in the list."""
    text = str(raw).strip()
    listed = shipped()
    if text in listed:
        return text
    try:
        rel = Path(text).resolve().relative_to(root()).as_posix()
    except ValueError:
        rel = None
    if rel in listed:
        return rel
    raise ScenarioError(
        f"{text!r} is not one of the shipped scenarios: the page opens only the files "
        "listed (scenarios/...yaml)"
    )


@cache
def load(rel: str) -> Scenario:
    """A listed scenario, loaded (once per process)."""
    return sim.load(root() / resolve(rel))


def widgets(sc: Scenario) -> list[tuple[str, str, str, list, Any]]:
    """(term, label, kind, levels, value) for every mandate term, in vocabulary order."""
    out = []
    for term, spec in sc.vocabulary.items():
        label = spec.label or term.replace("_", " ").capitalize()
        value = sc.mandate[term]
        levels = list(spec.levels or [])
        out.append(
            (term, label, spec.kind, levels, list(value) if spec.kind == "task_set" else value)
        )
    return out


def variant(sc: Scenario, values: dict[str, Any]) -> Scenario:
    """The scenario with the mandate terms in `values` set (unchanged terms left as they are)."""
    from sim.explore.paths import apply

    changed = {}
    for term, value in values.items():
        spec = sc.vocabulary[term]
        if spec.kind == "task_set":
            value = [t for t in spec.levels if t in set(value)]
        if value != sc.mandate[term]:
            changed[f"mandate.{term}"] = value
    return apply(sc, changed) if changed else sc


def changes_text(sc: Scenario, values: dict[str, Any]) -> str:
    """The terms set otherwise than the file sets them, in words ('as the file sets it')."""
    parts = []
    for term, label, kind, _levels, base in widgets(sc):
        value = values.get(term, base)
        if kind == "task_set":
            added = [t for t in value if t not in base]
            dropped = [t for t in base if t not in value]
            parts += [f"+{t}" for t in added] + [f"−{t}" for t in dropped]
        elif kind == "number":
            if abs(float(value) - float(base)) > 1e-12:
                parts.append(f"{label} {float(value):.2f}")
        elif value != base:
            parts.append(f"{label}: {str(value).lower() if isinstance(value, bool) else value}")
    return "; ".join(parts) or "the mandate as the file sets it"
