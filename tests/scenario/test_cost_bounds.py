"""The work one run may cost is bounded (`sim.limits.MAX_RUN_WORK`): a scenario above it
is refused in one line naming the file, the fields that drive the cost, the measure and
the bound, with exit status 2 and nothing written; one at the bound is accepted, and
every shipped scenario is far below it. Nothing here runs a simulation."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from in_process import refused
from shipped import runnable

from sim.limits import MAX_RUN_WORK
from sim.scenario import references
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load, validate
from sim.scenario.references import run_work
from sim.scenario.schema import Scenario

SHIPPED = runnable()


def menu(n: int) -> list[dict]:
    """n concessions, each setting the clarity term to its own value (all open)."""
    return [{"id": f"c{j}", "change": {"clarity": round(0.001 * (j + 1), 3)}} for j in range(n)]


def with_deadline(data: dict, weeks: int) -> dict:
    out = copy.deepcopy(data)
    out["broker"]["deadline"] = weeks
    out["run"]["rounds"] = weeks
    return out


def weekly(data: dict) -> tuple[float, float]:
    """A scenario's work a week and once (the schema alone: no bound applied)."""
    w = run_work(Scenario.model_validate(with_deadline(data, 1)))
    return w.week, w.once


def last_accepted(data: dict) -> int:
    """The longest deadline at which the scenario's run stays within the bound."""
    week, once = weekly(data)
    weeks = int((MAX_RUN_WORK - once) // week)
    assert 1 <= weeks < 520, weeks  # the bound falls inside the deadlines a file may give
    return weeks


def write(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def many_concessions(scenario_spec) -> dict:
    """One state, 200 concessions: the week's evaluations drive the cost."""
    return scenario_spec(broker={"concessions": menu(200)})


# ---------------------------------------------------------------- at the bound


def test_just_over_the_bound_is_refused_in_one_line_and_nothing_is_written(
    forcegen, tmp_path, many_concessions
) -> None:
    weeks = last_accepted(many_concessions) + 1
    file = write(tmp_path / "costly.yaml", with_deadline(many_concessions, weeks))
    out = tmp_path / "out"
    total = run_work(Scenario.model_validate(with_deadline(many_concessions, weeks))).total
    assert total > MAX_RUN_WORK
    line = refused(
        forcegen("run", file, "--runs", "1", "--formats", "none", "--out", out),
        f"error: {file}: broker.deadline, broker.concessions: ",
        f"one run would cost {total:,} units of work",
        f"at most {MAX_RUN_WORK:,}",
        f"{weeks} weeks x ",
        "201 evaluations a week",
        "shorten broker.deadline or offer fewer broker.concessions",
    )
    assert "\n" not in line
    assert not out.exists()
    refused(forcegen("validate", file), f"{file}: broker.deadline, broker.concessions: ")


def test_at_the_bound_is_accepted(forcegen, tmp_path, many_concessions) -> None:
    weeks = last_accepted(many_concessions)
    data = with_deadline(many_concessions, weeks)
    assert run_work(validate(data)).total <= MAX_RUN_WORK
    code, out, err = forcegen("validate", write(tmp_path / "at_bound.yaml", data))
    assert code == 0, err
    assert f"deadline: {weeks}" in out


def test_the_measured_case_is_refused(scenario_spec) -> None:
    """200 concessions and 520 weeks took 35 s for one run before the bound."""
    data = with_deadline(scenario_spec(broker={"concessions": menu(200)}), 520)
    with pytest.raises(ScenarioError) as caught:
        validate(data, "measured.yaml")
    assert str(caught.value).startswith("measured.yaml: broker.deadline, broker.concessions: ")
    assert run_work(Scenario.model_validate(data)).total > 9 * MAX_RUN_WORK


def test_many_states_name_the_states_record(scenario_spec) -> None:
    """No concession: the weeks of many states' record drive the cost."""
    codes = [a + b + c for a in "ABC" for b in "ABCDEFGHIJ" for c in "ABCDEFGHIJ"][:250]
    data = scenario_spec({code: {} for code in codes})
    weeks = last_accepted(data) + 1
    with pytest.raises(ScenarioError) as caught:
        validate(with_deadline(data, weeks), "states.yaml")
    line = str(caught.value)
    assert line.startswith("states.yaml: broker.deadline, states: one run would cost ")
    assert "for the 250 states' record; shorten broker.deadline or declare fewer states" in line
    validate(with_deadline(data, weeks - 1))


def test_an_evaluation_s_largest_reader_is_named(scenario_spec) -> None:
    """Hosts with many effect entries make each evaluation costly: cut hosts."""
    effects = {"tasks": dict.fromkeys(("ceasefire_monitoring", "police_training"), 0.01)}
    hosts = {f"H{i}": {"name": f"Host {i}", "effects": effects} for i in range(100)}
    data = scenario_spec(broker={"concessions": menu(20)}, hosts=hosts)
    weeks = last_accepted(data) + 1
    with pytest.raises(ScenarioError) as caught:
        validate(with_deadline(data, weeks), "hosts.yaml")
    line = str(caught.value)
    assert line.startswith("hosts.yaml: broker.deadline, broker.concessions: ")
    advice = "shorten broker.deadline, offer fewer broker.concessions or cut hosts"
    assert f"of them for hosts; {advice}" in line


def test_caveats_against_red_lines_are_counted_when_compiled(scenario_spec) -> None:
    """Each caveat is compared with every red line once (`arrays._lines_lifted`): many
    of both cost more than the weeks, and the refusal says so."""
    lines = [{"id": f"r{i}", "term": "use_of_force", "at_most": "enforcement"} for i in range(200)]
    caveats = [{"id": f"v{i}", "excludes": "weapons_decommissioning"} for i in range(200)]
    state = {"red_lines": lines, "caveats": caveats}
    codes = [f"A{a}{b}" for a in "ABCDE" for b in "ABCDE"]  # 25 states: 5,000 of each
    sc = Scenario.model_validate(with_deadline(scenario_spec(dict.fromkeys(codes, state)), 1))
    assert run_work(sc).once == 5000 * 5000 / 8
    with pytest.raises(ScenarioError) as caught:
        references._check_work(sc)
    assert caught.value.path == "states"
    assert "each of 5,000 caveats against each of 5,000 red lines" in caught.value.message
    assert f"at most {MAX_RUN_WORK:,}" in caught.value.message


# ---------------------------------------------------------------- what the measure counts

GROWN: dict[str, Any] = {
    "a concession": lambda d: d["broker"]["concessions"].extend(menu(3)[2:]),
    "a week": lambda d: d.update(with_deadline(d, d["broker"]["deadline"] + 1)),
    "a state": lambda d: d["states"].update({"EGY": {**d["states"]["PAK"], "name": "Egypt"}}),
    "a red line": lambda d: d["states"]["PAK"]["red_lines"].append(
        {"id": "r2", "term": "use_of_force", "at_most": "enforcement"}
    ),
    "a preference": lambda d: d["states"]["PAK"]["preferences"].update({"clarity": {"ideal": 0.5}}),
    "a caveat": lambda d: d["states"]["PAK"]["caveats"].append(
        {"id": "v2", "excludes": "police_training"}
    ),
    "a veto player": lambda d: d["veto_players"].update({"ISR": {"name": "Israel"}}),
    "an effect entry": lambda d: d["hosts"]["HAM"]["effects"].update({"clarity": 0.1}),
    "a host": lambda d: d["hosts"].update({"PA": {"name": "Palestinian Authority"}}),
    "a world condition": lambda d: d.setdefault("world", {}).update({"w9": {}}),
    "a changed term": lambda d: d["broker"]["concessions"][0]["change"].update(
        {"use_of_force": "self_defence"}
    ),
    "kinds offered": lambda d: d["states"]["PAK"]["offers"].update({"police_trainers": 100}),
}


@pytest.mark.parametrize("grown", list(GROWN), ids=[g.replace(" ", "_") for g in GROWN])
def test_each_driver_of_a_run_s_cost_raises_the_measure(scenario_spec, grown) -> None:
    base = scenario_spec(
        {
            "PAK": {
                "red_lines": [{"id": "r1", "term": "use_of_force", "at_most": "enforcement"}],
                "caveats": [{"id": "v1", "excludes": "weapons_decommissioning"}],
                "preferences": {"use_of_force": {"ideal": "enforcement"}},
            }
        },
        broker={"concessions": menu(2)},
        hosts={"HAM": {"name": "Hamas", "effects": {"use_of_force": -0.1}}},
        world={"w1": {}},
    )
    more = copy.deepcopy(base)
    GROWN[grown](more)
    assert run_work(validate(more)).total > run_work(validate(base)).total


def test_without_the_concessions_mechanism_the_menu_costs_nothing(scenario_spec) -> None:
    """The search runs only while concessions are on (`decide`): the refused case of 200
    concessions and 520 weeks is accepted with the mechanism off."""
    data = with_deadline(scenario_spec(broker={"concessions": menu(200)}), 520)
    data["run"]["mechanisms"]["concessions"] = False
    off = run_work(validate(data))
    data["broker"]["concessions"] = []
    assert off.total == run_work(validate(data)).total <= MAX_RUN_WORK


# ---------------------------------------------------------------- shipped scenarios


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_scenario_is_far_below_the_bound(path: Path) -> None:
    """Accepted (the loader checks the bound), at most a tenth of it: the ISF files cost
    257,119 units (26 weeks, 9 concessions, 16 states), 8.6% of 3,000,000."""
    assert run_work(load(path)).total <= MAX_RUN_WORK / 10
