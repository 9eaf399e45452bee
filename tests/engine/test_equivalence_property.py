"""Property: on randomly generated small scenarios, both engines give the same tables."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.engine.ensemble import run_ensemble
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import validate

TASKS = ["monitoring", "policing", "disarming"]
FORCE = ["self_defence", "defence_of_mandate", "enforcement"]
INFLUENCE = ["complementarity", "free_riding"]
MECHANISMS = [
    "conformity",
    "bandwagon",
    "concessions",
    "side_payments",
    "vetoes",
    "incidents",
    "noise",
    "clarity_gate",
    "hysteresis",
    "world_conditions",
    "deployment",
    "withdrawal",
    "stated_positions",
    "per_state_caveats",
    "packages",
    "conditional_vetoes",
    "veto_demands",
]
CONDITIONS = ["ceasefire_holding", "host_consent", "veto_acceptance", "w0", "w1"]
unit = st.floats(0.0, 1.0, allow_nan=False).map(lambda x: round(x, 3))
judgement = st.one_of(unit, st.tuples(unit, unit).map(lambda p: sorted(p)))


@st.composite
def red_line(draw, i: int):
    unless = draw(st.one_of(st.none(), st.sampled_from(CONDITIONS)))
    exception = {} if unless is None else {"unless": unless}
    if draw(st.booleans()):
        return {
            "id": f"r{i}",
            "term": "tasks",
            "excludes": draw(st.sampled_from(TASKS)),
            "caveat_ok": draw(st.booleans()),
        } | exception
    if draw(st.booleans()):
        line = {"id": f"r{i}", "term": "use_of_force", "at_most": draw(st.sampled_from(FORCE))}
        return line | exception
    return {
        "id": f"r{i}",
        "requires": draw(st.sampled_from(CONDITIONS)),
    }


@st.composite
def world_condition(draw, deadline: int):
    """A declared world condition: a hazard (number or range), maybe a schedule or a
    concession that sets it."""
    cond = {"initially": draw(st.booleans()), "hazard": draw(judgement.map(_small))}
    if draw(st.booleans()):
        cond["from_week"] = draw(st.integers(1, deadline))
    if draw(st.booleans()):
        cond["by_concession"] = draw(st.sampled_from(["drop", "soft", "cav"]))
    return cond


@st.composite
def deployment_stage(draw):
    """A deployment stage, or none: a lag (number or range), maybe entry conditions,
    host consent, and a weeks' watch."""
    if not draw(st.booleans()):
        return None
    return {
        "lag": draw(st.one_of(st.integers(0, 6), st.tuples(unit, unit).map(_weeks))),
        "requires": draw(st.lists(st.sampled_from(["w0", "w1"]), unique=True)),
        "host_consent": draw(st.booleans()),
        "watch": draw(st.integers(0, 8)),
        "incident_hazard": draw(st.sampled_from([0.0, 0.0, 0.2, [0.1, 0.5]])),
    }


@st.composite
def events(draw, codes, deadline: int, watch: int):
    """Shocks in the deployment stage: up to two events, each with a hazard (number or
    range) and maybe a week, suspending or withdrawing a state's or a bloc's contingents."""
    out = {}
    for j in range(draw(st.integers(0, 2))):
        who = draw(st.lists(st.sampled_from([*codes, "a", "b"]), min_size=1, max_size=2))
        effect = {
            w: draw(
                st.sampled_from(
                    [
                        {"action": "withdraw"},
                        {"action": "suspend", "weeks": draw(st.integers(1, 4))},
                    ]
                )
            )
            for w in who
        }
        event = {"hazard": draw(judgement.map(_small)), "effect": effect}
        if draw(st.booleans()):
            event["week"] = draw(st.integers(1, deadline + min(4, watch)))
        out[f"e{j}"] = event
    return out


def _weeks(pair):
    low, high = sorted(pair)
    return [round(low * 8, 3), round(high * 8, 3)]


@st.composite
def contingent(draw):
    """A state's own deployment: its lag and an approval vote, each maybe."""
    own = {}
    if draw(st.booleans()):
        own["lag"] = draw(st.integers(0, 5))
    if draw(st.booleans()):
        own["approval"] = {
            "by": "Parliament",
            "p": draw(judgement),
            "weeks": draw(st.integers(0, 3)),
        }
    return own


@st.composite
def veto(draw, codes, last: int):
    """A conditional veto on a contributor: kinds, a chance, a week, a price, a world
    condition that lifts it, each maybe."""
    entry = {"state": draw(st.sampled_from(codes)), "p": draw(judgement)}
    if draw(st.booleans()):
        entry["kinds"] = draw(
            st.lists(st.sampled_from(["troops", "trainers"]), min_size=1, unique=True)
        )
    if draw(st.booleans()):
        entry["until_week"] = draw(st.integers(1, min(8, last)))
    if draw(st.booleans()):
        entry["lifted_by"] = draw(st.sampled_from(["drop", "soft", "cav"]))
    if draw(st.booleans()):
        entry["unless"] = draw(st.sampled_from(["w0", "w1"]))
    return entry


def _small(h):
    """A weekly hazard in [0, 0.3], so conditions come true at various weeks."""
    return [round(x * 0.3, 3) for x in h] if isinstance(h, list) else round(h * 0.3, 3)


@st.composite
def state(draw, code: str):
    offers = {"troops": draw(st.integers(0, 30)) * 100}
    if draw(st.booleans()):
        offers["trainers"] = draw(st.integers(1, 10)) * 10
    stated = {}
    if offers["troops"] and draw(st.booleans()):  # at most the stated offer
        stated = {"troops": draw(st.integers(1, offers["troops"] // 100)) * 100}
    package = {}
    if "trainers" in offers and draw(st.booleans()):  # both kinds at once (sim.rules.packages)
        package = {"package": draw(st.permutations(["troops", "trainers"]))}
        if stated and draw(st.booleans()):
            stated = {"trainers": draw(st.integers(1, offers["trainers"] // 10)) * 10, **stated}
    return {
        **package,
        "name": code,
        "blocs": draw(st.lists(st.sampled_from(["a", "b"]), max_size=2, unique=True)),
        "offers": offers,
        "initial_stance": draw(
            st.sampled_from(["considering", "declined", "offered", "committed"])
        ),
        "initial_offer": stated,
        "red_lines": (lines := [draw(red_line(i)) for i in range(draw(st.integers(0, 2)))]),
        # A caveat on a task no `caveat_ok` line of the state already lifts.
        "caveats": [
            {"id": "cv", "excludes": t, "discount": draw(judgement)}
            for t in draw(st.lists(st.sampled_from(TASKS), max_size=1))
            if not any(r.get("caveat_ok") and r.get("excludes") == t for r in lines)
        ],
        "preferences": {
            "use_of_force": {"ideal": draw(st.sampled_from(FORCE)), "salience": draw(judgement)}
        },
        "domestic_opposition": draw(judgement),
        "risk_tolerance": draw(judgement),
        "clarity_threshold": draw(judgement),
        **draw(st.sampled_from([{}, {"clarity_term": "clarity"}, {"clarity_term": "roe"}])),
        "conformity": draw(judgement),
        "incentives": {"ties": draw(st.floats(0, 0.8).map(lambda x: round(x, 3)))},
    }


def _each_state_once(vetoes: list) -> bool:
    """A state is vetoed on every kind at most once, and then has no conditional veto."""
    fixed = [v for v in vetoes if isinstance(v, str)]
    conditional = {v["state"] for v in vetoes if not isinstance(v, str)}
    return len(set(fixed)) == len(fixed) and not conditional & set(fixed)


@st.composite
def scenarios(draw):
    codes = ["AAA", "BBB", "CCC", "DDD", "EEE"][: draw(st.integers(1, 5))]
    deadline = draw(st.integers(3, 12))
    staged = draw(deployment_stage())
    stage = {} if staged is None else {"deployment": staged}
    if staged is not None:
        stage["events"] = draw(events(codes, deadline, staged["watch"]))
    last = deadline + (staged["watch"] if staged is not None else 0)
    data = {
        "name": "prop",
        "title": "property",
        "vocabulary": {
            "use_of_force": {"kind": "ordinal", "levels": FORCE},
            "tasks": {"kind": "task_set", "levels": TASKS},
            "national_caveats": {"kind": "boolean"},
            "clarity": {"kind": "number"},
            "roe": {"kind": "number"},
        },
        "blocs": {"a": "A", "b": "B"},
        "kinds": {
            "troops": {"label": "Troops", "unit": 100},
            "trainers": {
                "label": "Trainers",
                "unit": 10,
                "in_theatre": False,
                "exposure": 0.1,
                "risk": 0.1,
            },
        },
        "mandate": {
            "use_of_force": draw(st.sampled_from(FORCE)),
            "tasks": draw(st.lists(st.sampled_from(TASKS), unique=True)),
            "national_caveats": draw(st.booleans()),
            "clarity": draw(unit),
            "roe": draw(unit),
        },
        "states": {
            c: draw(state(c)) | ({"deployment": draw(contingent())} if staged else {})
            for c in codes
        },
        "broker": {
            "id": "BRK",
            "name": "Broker",
            "target": draw(st.integers(1, 40)) * 100,
            "minimum_viable": 100,
            "deadline": deadline,
            "patience": draw(st.integers(0, 3)),
            "engagement": draw(unit),
            "concessions": [
                {"id": "drop", "change": {"tasks": {"remove": ["disarming"]}}, "cost": draw(unit)},
                {
                    "id": "soft",
                    "change": {"use_of_force": "defence_of_mandate"},
                    "cost": draw(unit),
                },
                {"id": "cav", "change": {"national_caveats": True}, "cost": draw(unit)},
                {"id": "clear", "change": {"roe": draw(unit)}, "cost": draw(unit)},
            ],  # then a grant per state with a caveat (below)
            "side_payments": {"budget": draw(unit), "max_per_state": draw(unit)},
        },
        "veto_players": {
            "VET": {
                "name": "Veto",
                "base": draw(unit),
                "effects": {"tasks": {"disarming": 0.4}},
                "vetoes": draw(
                    st.lists(
                        st.one_of(st.sampled_from(codes), veto(codes, last)), max_size=2
                    ).filter(_each_state_once)
                ),
            }
        },
        "hosts": {
            "HST": {"name": "Host", "base": draw(unit), "effects": {"tasks": {"disarming": -0.5}}}
        },
        "force": {"counts": ["troops"], "in_theatre": draw(st.integers(0, 20)) * 100},
        "world": {"w0": draw(world_condition(deadline)), "w1": draw(world_condition(deadline))},
        **stage,
        "peer_influence": draw(
            st.dictionaries(st.sampled_from(["a", "b"]), st.sampled_from(INFLUENCE), max_size=2)
        ),
        "run": {
            "rounds": deadline,
            "runs": 3,
            "seed": draw(st.integers(0, 10_000)),
            "mechanisms": {m: draw(st.booleans()) for m in MECHANISMS},
        },
    }
    for c, spec in data["states"].items():
        if spec["caveats"] and draw(st.booleans()):
            grant = {"id": f"cv_{c}", "grants": {"state": c, "caveat": "cv"}, "cost": draw(unit)}
            data["broker"]["concessions"].append(grant)
    data["veto_players"]["VET"]["caveat_effect"] = draw(st.sampled_from([0.0, -0.2, 0.1]))
    return compile_scenario(validate(data, "generated"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_engines_agree_on_generated_scenarios(C) -> None:
    fast = run_ensemble(C, runs=3, detail=3, engine="fast")
    mesa = run_ensemble(C, runs=3, detail=3, engine="mesa")
    for name in (
        "runs",
        "params",
        "deployments",
        "rounds",
        "states",
        "commits",
        "coalitions",
        "bands",
    ):
        assert fast[name].to_csv(index=False) == mesa[name].to_csv(index=False), name
