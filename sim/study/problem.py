"""The judgement calls a study varies: names, actors, bounds, SALib's problem.

A scenario's `[low, high]` ranges are named by field path
(`sim.scenario.drawn`). A study groups them by the actor whose judgement call
they are, so Sobol's cost grows with the number of actors (about 20 for the
flagship) rather than the number of ranges (about 150).
"""

from __future__ import annotations

import pandas as pd

from sim.scenario.arrays import Compiled
from sim.scenario.drawn import drawn_names

REFERENCE = "(no-effect reference"
"""Name prefix of the columns of random numbers analysed beside the ranges.

They drive nothing. Given-data indices (delta, PAWN) are positive even for a
range with no effect, and with 150 ranges some no-effect ranges clear a 95%
interval by chance; the largest index these columns reach shows how large an
index comes out by chance at the run count."""
REFERENCES = 20


def reference_names(n: int = REFERENCES) -> list[str]:
    """'(no-effect reference 1)', ..."""
    return [f"{REFERENCE} {i})" for i in range(1, n + 1)]


def is_reference(names) -> object:
    """True where a parameter name (or each of a Series of them) is a reference column."""
    if isinstance(names, str):
        return names.startswith(REFERENCE)
    return names.str.startswith(REFERENCE)


SECTIONS = ("states", "veto_players", "hosts", "kinds", "world")
"""Top-level sections entered by id: each id is one actor (the others are one actor each)."""


def actor_of(path: str) -> str:
    """The actor a field path belongs to: `states.IDN`, `veto_players.ISR`, `broker`."""
    parts = path.split(".")
    if parts[0] not in SECTIONS or len(parts) < 3:
        return parts[0]
    return ".".join(parts[:2])


def readable(path: str) -> str:
    """A field path as a chart label: 'IDN · incentives · us ties', 'broker · target'."""
    if is_reference(path):
        return path.strip("()")
    parts = path.split(".")
    if parts[0] in SECTIONS and len(parts) >= 2:
        parts = parts[1:]  # the actor's id says enough: 'IDN', not 'states · IDN'
    return " · ".join(p.replace("_", " ") for p in parts)


def ranges_table(C: Compiled) -> pd.DataFrame:
    """One row per range: parameter (field path), actor, low, high."""
    names = drawn_names(C)
    return pd.DataFrame(
        {
            "parameter": names,
            "actor": [actor_of(n) for n in names],
            "low": [float(r.low) for r in C.ranges],
            "high": [float(r.high) for r in C.ranges],
        }
    )


def salib_problem(names: list[str], grouping: str = "none") -> dict:
    """SALib's problem over positions in [0, 1] inside each range (the design's units)."""
    problem = {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}
    if grouping == "actor":
        problem["groups"] = [actor_of(n) for n in names]
    return problem


def factors(problem: dict) -> list[str]:
    """What the indices are reported for: the groups (first-seen order) or the names."""
    groups = problem.get("groups")
    return list(dict.fromkeys(groups)) if groups else list(problem["names"])
