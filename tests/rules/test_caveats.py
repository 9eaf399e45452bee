"""Per-state caveats: granted to one contributor by the broker, at a cost to the force.

A state whose red line refuses a task, and which declares a caveat on that task,
asks the broker for its own caveat; once granted, it commits and its contingent
counts toward the target at (1 - discount). Another state with the same red line
and no caveat stays out. A veto player's acceptance moves by its `caveat_effect`
for each caveat granted. With `per_state_caveats` off the tables are those of
today's encoding: the caveat read as `caveat_ok`, lifted by the mandate-wide term.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

from sim.rules import caveats, red_lines
from sim.scenario.errors import ScenarioError

from .contract import TABLES, EngineContract

TASK = "weapons_decommissioning"
NO_DISARMAMENT = {"id": "no_disarmament", "term": "tasks", "excludes": TASK}
CAVEAT = {"id": "no_decommissioning", "excludes": TASK, "discount": 0.25}
WITH_DISARMAMENT = {"tasks": {"add": [TASK]}}


def grant(state: str, cost: float = 0.05) -> dict:
    return {
        "id": f"caveat_{state.lower()}",
        "grants": {"state": state, "caveat": "no_decommissioning"},
        "cost": cost,
    }


# IDN asks for its caveat; PAK has the same red line and no caveat; TUR declares the
# caveat (and the broker could grant it) but is in on the present terms.
GRANTED = {
    "states": {
        "IDN": {"red_lines": [NO_DISARMAMENT], "caveats": [CAVEAT]},
        "PAK": {"red_lines": [NO_DISARMAMENT]},
        "TUR": {"caveats": [CAVEAT]},
    },
    "mandate": WITH_DISARMAMENT,
    "broker": {"target": 5000, "concessions": [grant("TUR"), grant("IDN")]},
}
# Two states ask for their caveats; Israel loses 0.1 acceptance for each one granted.
VETO = {
    "states": {
        "IDN": {"red_lines": [NO_DISARMAMENT], "caveats": [CAVEAT]},
        "MYS": {"red_lines": [NO_DISARMAMENT], "caveats": [dict(CAVEAT, discount=0.5)]},
    },
    "mandate": WITH_DISARMAMENT,
    "broker": {"target": 5000, "concessions": [grant("IDN"), grant("MYS", 0.1)]},
    "veto_players": {"ISR": {"name": "Israel", "base": 0.8, "caveat_effect": -0.1}},
}
RANGED = {
    **GRANTED,
    "states": {
        **GRANTED["states"],
        "IDN": {"red_lines": [NO_DISARMAMENT], "caveats": [dict(CAVEAT, discount=[0.1, 0.4])]},
    },
}
# Today's encoding, and the same record written with a per-state caveat, switch off.
TODAY = {
    "states": {"IDN": {"red_lines": [dict(NO_DISARMAMENT, caveat_ok=True)]}, "PAK": {}},
    "mandate": WITH_DISARMAMENT,
    "broker": {
        "target": 5000,
        "concessions": [{"id": "allow_caveats", "change": {"national_caveats": True}}],
    },
    "veto_players": {"ISR": {"name": "Israel", "base": 0.8, "effects": {"national_caveats": -0.1}}},
}
PER_STATE = {
    **TODAY,
    "states": {"IDN": {"red_lines": [NO_DISARMAMENT], "caveats": [CAVEAT]}, "PAK": {}},
    "broker": {
        "target": 5000,
        "concessions": [grant("IDN"), *TODAY["broker"]["concessions"]],
    },
    "veto_players": {
        "ISR": {**TODAY["veto_players"]["ISR"], "caveat_effect": -0.2},
    },
}


class TestCaveatScenarios(EngineContract):
    cases: ClassVar[dict[str, dict]] = {
        "a caveat granted to one state": GRANTED,
        "two caveats and a veto player": VETO,
        "a discount drawn per run": RANGED,
        "per-state caveats off": dict(PER_STATE, per_state_caveats=False),
        "mandate-wide caveats with a declared caveat": PER_STATE,
    }


def final(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    s = t["states"]
    last = s.groupby("run")["round"].transform("max")
    return s[s["round"] == last]


def test_the_state_granted_its_caveat_commits_and_counts_at_its_discount(scenario, simulate):
    t = simulate(scenario(**GRANTED), runs=60)
    end = final(t).set_index(["run", "state"])
    idn = end.xs("IDN", level="state")
    assert (idn["stance"] == "committed").mean() > 0.9
    assert (idn.loc[idn["stance"] == "committed", "kind"] == "troops").all()
    # The counted force is IDN's pledge at 75% plus TUR's in full (its caveat never granted).
    tur = end.xs("TUR", level="state")
    counted = lambda df: df["pledge"].where(df["counted"], 0.0)  # noqa: E731
    expected = 0.75 * counted(idn) + counted(tur)
    force = t["runs"].set_index("run")["force"]
    np.testing.assert_allclose(force.loc[expected.index], expected, rtol=1e-12)
    assert (counted(idn) > 0).mean() > 0.9


def test_a_state_with_the_same_red_line_and_no_caveat_stays_out(scenario, simulate):
    t = simulate(scenario(**GRANTED), runs=60)
    pak = t["states"][t["states"]["state"] == "PAK"]
    assert not pak["stance"].isin(["offered", "committed"]).any()
    assert (pak["binding_red_line"] == "no_disarmament").all()
    assert (t["rounds"]["term.tasks"].str.contains(TASK)).all()  # the task stays in


def test_the_broker_grants_the_caveat_only_to_the_state_that_asks(scenario, simulate):
    t = simulate(scenario(**GRANTED), runs=60)
    made = t["runs"]["concessions"]
    assert made.str.contains("caveat_idn@").mean() > 0.9
    assert not made.str.contains("caveat_tur").any()
    demands = t["states"].loc[t["states"]["demand"] != "", ["state", "demand"]]
    assert set(demands["state"]) == {"IDN"} and set(demands["demand"]) == {"caveat_idn"}
    # Granted at the broker's patience (week 2), after IDN asked in week 1.
    weeks = made.str.extract(r"caveat_idn@(\d+)")[0].dropna().astype(int)
    assert weeks.min() == 2


def test_a_veto_players_acceptance_falls_by_caveat_effect_per_caveat_granted(scenario, simulate):
    t = simulate(scenario(**VETO), runs=40)
    rounds = t["rounds"].merge(t["runs"][["run", "concessions"]], on="run")

    def granted_by(row) -> int:
        items = [c.split("@") for c in row["concessions"].split(";") if c]
        return sum(int(week) <= row["round"] for _, week in items)

    n = rounds.apply(granted_by, axis=1)
    np.testing.assert_allclose(rounds["accept.ISR"], 0.8 - 0.1 * n, atol=1e-12)
    assert (n == 2).any()  # both caveats granted in some runs


def test_with_the_switch_off_the_tables_are_todays(scenario, simulate):
    today = simulate(scenario(**TODAY), runs=40)
    off = simulate(scenario(**PER_STATE, per_state_caveats=False), runs=40)
    for name in (*TABLES, "params", "commits"):
        pd.testing.assert_frame_equal(today[name], off[name], obj=name)
    assert today["runs"]["concessions"].str.contains("allow_caveats").any()


def test_a_scenario_without_caveats_is_the_same_with_the_switch_on_or_off(scenario, simulate):
    case = {"states": {"PAK": {"red_lines": [dict(NO_DISARMAMENT, caveat_ok=True)]}}}
    on = simulate(scenario(**case, **TODAY_REST), runs=24)
    off = simulate(scenario(**case, **TODAY_REST, per_state_caveats=False), runs=24)
    for name in TABLES:
        pd.testing.assert_frame_equal(on[name], off[name], obj=name)


TODAY_REST = {k: v for k, v in TODAY.items() if k != "states"}


def test_the_mandate_wide_term_grants_every_declared_caveat_at_its_discount(scenario, simulate):
    C = scenario(**PER_STATE)
    m = C.mandate0[None].copy()
    assert not caveats.granted(C, m).any()
    assert not red_lines.held(C, m, np.ones((1, 3), bool))[0, 0]
    m[0, C.cols.col["national_caveats"]] = 1.0
    assert caveats.granted(C, m).all()
    assert red_lines.held(C, m, np.ones((1, 3), bool))[0, 0]
    troops = np.zeros((1, len(C.states)), int)
    assert caveats.share(C, C.params, m, troops)[0].tolist() == [0.75, 1.0]
    # A kind outside the theatre, or no kind, is not caveated.
    trainers = np.full((1, len(C.states)), C.kinds.index("police_trainers"))
    assert caveats.share(C, C.params, m, trainers)[0].tolist() == [1.0, 1.0]


def test_a_discount_range_is_drawn_after_every_other_range(scenario, simulate):
    fixed = simulate(scenario(**GRANTED), runs=24)
    ranged = simulate(scenario(**RANGED), runs=24)
    assert list(ranged["params"].columns)[-1] == "states.IDN.caveats.no_decommissioning.discount"
    drawn = ranged["params"]["states.IDN.caveats.no_decommissioning.discount"]
    assert drawn.between(0.1, 0.4).all() and drawn.nunique() == 24
    # Every other draw is unchanged: the weekly noise is the same, run by run.
    pd.testing.assert_series_equal(fixed["states"]["noise"], ranged["states"]["noise"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"grants": {"state": "IDN", "caveat": "no_disarm"}}, "no_decommissioning"),
        ({"grants": {"state": "PAK", "caveat": "no_decommissioning"}}, "caveat of PAK"),
        ({}, "change"),
    ],
)
def test_a_grant_names_a_declared_caveat(scenario, change, message):
    con = {"id": "bad", **change}
    with pytest.raises((ScenarioError, ValueError), match=message):
        scenario(**{**GRANTED, "broker": {"concessions": [con]}})


def test_a_caveat_names_a_task_and_is_not_also_caveat_ok(scenario):
    with pytest.raises(ScenarioError, match="weapons_decommissioning"):
        scenario({"IDN": {"caveats": [dict(CAVEAT, excludes="weapons_decomissioning")]}})
    with pytest.raises(ScenarioError, match="caveat_ok"):
        scenario(
            {
                "IDN": {
                    "red_lines": [dict(NO_DISARMAMENT, caveat_ok=True)],
                    "caveats": [CAVEAT],
                }
            }
        )
