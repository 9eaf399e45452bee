"""Synthetic scenarios for scaling benchmarks: N states generated from a seed.

The vocabulary, kinds and broker are the flagship's; states get random blocs,
offers, one or two red lines and preferences, so the per-state work resembles
the real scenario's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.scenario.loader import resolve, validate
from sim.scenario.schema import Scenario

FLAGSHIP = Path(__file__).resolve().parents[1] / "scenarios" / "isf" / "res2803.yaml"
TASKS = ("weapons_decommissioning", "infrastructure_dismantlement", "internal_security")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def code(i: int) -> str:
    """A three-letter state id for index i (AAA, AAB, ...)."""
    return "".join(LETTERS[(i // 26**p) % 26] for p in (2, 1, 0))


def synthetic(states: int, seed: int = 0, rounds: int | None = None) -> Scenario:
    """The flagship with `states` generated contributor states."""
    rng = np.random.default_rng(seed)
    data = resolve(FLAGSHIP)
    flagship = data["states"]
    data["name"] = f"synthetic_{states}"
    blocs = list(data["blocs"])
    out = {}
    for i in range(states):
        kinds = ["troops"] + (["police_trainers"] if rng.random() < 0.4 else [])
        red = []
        if rng.random() < 0.6:
            red.append(
                {
                    "id": "no_task",
                    "term": "tasks",
                    "excludes": str(rng.choice(TASKS)),
                    "caveat_ok": bool(rng.random() < 0.5),
                }
            )
        if rng.random() < 0.3:
            red.append(
                {"id": "force_limit", "term": "use_of_force", "at_most": "defence_of_mandate"}
            )
        out[code(i)] = {
            "name": f"State {code(i)}",
            "blocs": [
                str(b) for b in rng.choice(blocs, size=int(rng.integers(1, 3)), replace=False)
            ],
            "offers": {k: float(rng.integers(1, 40) * 100) for k in kinds},
            "red_lines": red,
            "preferences": {
                "use_of_force": {
                    "ideal": "defence_of_mandate",
                    "salience": round(float(rng.random()), 2),
                }
            },
            "domestic_opposition": round(float(rng.random()), 2),
            "risk_tolerance": [0.2, 0.8],
            "clarity_threshold": round(float(rng.uniform(0.2, 0.6)), 2),
            "conformity": round(float(rng.uniform(0, 0.5)), 2),
            "incentives": {
                "us_ties": round(float(rng.uniform(0.1, 0.6)), 2),
                "reimbursement": round(float(rng.uniform(0.0, 0.3)), 2),
            },
        }
    data["states"] = out
    scaled = data.get("environment", {}).get("incentive_scaling", {})
    for name in list(scaled):
        if name not in ("us_ties", "reimbursement"):
            scaled.pop(name)
    for vp in data.get("veto_players", {}).values():
        vp["vetoes"] = [code(0)]
    grant_caveats(data, flagship, code(min(1, states - 1)))
    if rounds is not None:
        data["broker"]["deadline"] = rounds
        data["run"]["rounds"] = max(rounds, data["run"].get("rounds", rounds))
    return validate(data, "synthetic")


def grant_caveats(data: dict, flagship: dict, state: str) -> None:
    """Point the flagship's caveat grants at a generated state, giving it the caveat.

    The flagship's concessions grant caveats to its own states (Indonesia's), which
    the generated states replace; keeping the concessions, re-pointed, keeps the
    broker's menu, and so its per-round work, the flagship's. `state` is not the
    vetoed one where there are two or more, so the grant can matter.
    """
    for con in data["broker"].get("concessions", []):
        grant = con.get("grants")
        if not grant or grant["state"] in data["states"]:
            continue
        declared = flagship[grant["state"]].get("caveats", [])
        caveat = next(c for c in declared if c["id"] == grant["caveat"])
        kept = {k: v for k, v in caveat.items() if k not in ("evidence", "judgement")}
        spec = data["states"][state]
        caveats = spec.setdefault("caveats", [])
        if all(c["id"] != kept["id"] for c in caveats):
            caveats.append(kept)
        for red in spec["red_lines"]:  # the task's caveat is declared once: this one
            if red.get("excludes") == kept["excludes"]:
                red["caveat_ok"] = False
        grant["state"] = state
