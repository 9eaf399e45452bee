"""Refusals found by a hostile-input sweep: each is one line naming the field path
and what was expected, and the valid value next to it still loads.

The same refusals through the command line (exit status 2, no traceback) are in
tests/hostile/test_scenario_refusals.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.explore.paths import mapping
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load, validate

FLAGSHIP = Path(__file__).resolve().parents[2] / "scenarios" / "isf" / "res2803.yaml"

REFUSED = {
    "side payment effect 0": (
        "decision: {side_payment_effect: 0}\n"
        "broker: {side_payments: {budget: 1, max_per_state: 1}}\n",
        "decision.side_payment_effect: expected a number > 0",
    ),
    "side payment effect range from 0": (
        "decision: {side_payment_effect: [0, 1]}\n",
        "decision.side_payment_effect: expected a number > 0",
    ),
    "offer in too many units": (
        "kinds: {troops: {unit: 1.0e-300}}\nstates: {IDN: {offers: {troops: 1e9}}}\n",
        "states.PAK.offers.troops: expected at most 1,000,000,000 units of 'troops'",
    ),
    "initial offer above the offer": (
        "states: {IDN: {initial_stance: committed, initial_offer: {troops: 1e9}}}\n",
        "states.IDN.initial_offer.troops: expected at most the stated offer (20000), got 1e+09",
    ),
    "force counts nothing": ("force: {counts: []}\n", "force.counts: expected at least one"),
    "red line one_of nothing": (
        "states: {IDN: {red_lines: [{id: x, term: command, one_of: []}]}}\n",
        "states.IDN.red_lines[0].one_of: expected at least one level of command",
    ),
    "red line on no kind": (
        "states: {IDN: {red_lines: [{id: x, term: command, one_of: [un], kinds: []}]}}\n",
        "states.IDN.red_lines[0].kinds: expected at least one contribution kind",
    ),
    "conditional veto of no kind": (
        "veto_players: {ISR: {vetoes: [{state: TUR, kinds: []}]}}\n",
        "veto_players.ISR.vetoes[0].kinds: expected at least one contribution kind",
    ),
    "task twice in the mandate": (
        "mandate: {tasks: [border_security, border_security]}\n",
        "mandate.tasks[1]: duplicate task 'border_security' (also at [0])",
    ),
    "bloc twice": (
        "states: {PAK: {blocs: [oic, oic]}}\n",
        "states.PAK.blocs[1]: duplicate bloc 'oic' (also at [0])",
    ),
    "followed bloc twice": (
        "states: {PAK: {follows: [oic, oic]}}\n",
        "states.PAK.follows[1]: duplicate bloc 'oic'",
    ),
    "one_of level twice": (
        "states: {IDN: {red_lines: [{id: x, term: command, one_of: [un, un]}]}}\n",
        "states.IDN.red_lines[0].one_of[1]: duplicate level of command 'un'",
    ),
    "red line kind twice": (
        "states: {IDN: {red_lines: [{id: x, term: command, one_of: [un], "
        "kinds: [troops, troops]}]}}\n",
        "states.IDN.red_lines[0].kinds[1]: duplicate contribution kind 'troops'",
    ),
    "fixed veto twice": (
        "veto_players: {ISR: {vetoes: [TUR, TUR]}}\n",
        "veto_players.ISR.vetoes[1]: duplicate veto of 'TUR' (also at [0])",
    ),
    "fixed and conditional veto": (
        "veto_players: {ISR: {vetoes: [TUR, {state: TUR, kinds: [troops]}]}}\n",
        "veto_players.ISR.vetoes[1].state: duplicate veto of 'TUR'",
    ),
    "deployment condition twice": (
        "deployment: {requires: [board_of_peace_operational, board_of_peace_operational]}\n",
        "deployment.requires[1]: duplicate world condition 'board_of_peace_operational'",
    ),
    "task twice in an ideal": (
        "states: {IDN: {preferences: {tasks: {ideal: [border_security, border_security]}}}}\n",
        "states.IDN.preferences.tasks.ideal[1]: duplicate task 'border_security'",
    ),
    "misspelt caveats term": (
        "force: {caveats_term: national_caveat}\n",
        "force.caveats_term: unknown term 'national_caveat' (did you mean 'national_caveats'?)",
    ),
    "caveats term of another kind": (
        "force: {caveats_term: clarity}\n",
        "force.caveats_term: expected a boolean term, got 'clarity' (number)",
    ),
    "world condition from week 500": (
        "world: {hamas_disarmament_agreed: {from_week: 500}}\n",
        "world.hamas_disarmament_agreed.from_week: expected a week <= 52, the last week a run "
        "reads (broker.deadline 26 + deployment.watch 26), got 500",
    ),
    "veto until week 400": (
        "veto_players: {ISR: {vetoes: [{state: TUR, until_week: 400}]}}\n",
        "veto_players.ISR.vetoes[0].until_week: expected a week <= 52",
    ),
    "event in week 520": (
        "events: {x: {week: 520, effect: {PAK: {action: withdraw}}}}\n",
        "events.x.week: expected a week <= 52",
    ),
    "week after the deadline, none watched": (
        "deployment: {watch: 0}\nworld: {hamas_disarmament_agreed: {from_week: 27}}\n",
        "world.hamas_disarmament_agreed.from_week: expected a week <= 26, the last week a run "
        "reads (broker.deadline 26 + deployment.watch 0), got 27",
    ),
    "clarity red line above 1": (
        "states: {IDN: {red_lines: {add: [{id: x, term: clarity, at_least: 5}]}}}\n",
        "states.IDN.red_lines[1].at_least: expected a number in [0, 1] (the range of the "
        "clarity term 'clarity'), got 5",
    ),
    "clarity red line below 0": (
        "states: {IDN: {red_lines: {add: [{id: x, term: clarity, at_most: -0.5}]}}}\n",
        "states.IDN.red_lines[1].at_most: expected a number in [0, 1]",
    ),
    "full payoff below the offered threshold": (
        "decision: {pledge_full_payoff: -5}\n",
        "decision.pledge_full_payoff: expected a number > decision.thresholds.offered (0.1)",
    ),
    "full payoff at the offered threshold": (
        "decision: {pledge_full_payoff: 0.1}\n",
        "decision.pledge_full_payoff: expected a number > decision.thresholds.offered (0.1)",
    ),
    "screen clear in the title": (
        'title: "ISF\\e[2J\\e[H"\n',
        "title: expected one line of text without control characters, got 'ISF\\x1b[2J",
    ),
    "line break in a state's name": (
        'states: {IDN: {name: "Indo\\nnesia"}}\n',
        "states.IDN.name: expected one line of text without control characters, "
        "got 'Indo\\nnesia' (U+000A at character 5)",
    ),
    "C1 control in a kind's label": (
        'kinds: {troops: {label: "Troops\\x9b2J"}}\n',
        "kinds.troops.label: expected one line of text without control characters",
    ),
    "tab in a bloc's label": (
        'blocs: {oic: "Organisation\\tof Islamic Cooperation"}\n',
        "blocs.oic: expected one line of text without control characters",
    ),
    "escape in a description": (
        'description: "one\\ntwo\\e[2J"\n',
        "description: expected prose without control characters other than a tab or a line "
        "break, got 'one\\ntwo\\x1b[2J' (U+001B at character 8)",
    ),
    "escape in a judgement": (
        'states: {IDN: {judgement: {conformity: "x\\ay"}}}\n',
        "states.IDN.judgement.conformity: expected prose without control characters",
    ),
    "world condition by a concession that only grants a caveat": (
        "world: {hamas_disarmament_agreed: {by_concession: grant_idn_caveat}}\n",
        "world.hamas_disarmament_agreed.by_concession: expected a concession that changes the "
        "mandate; 'grant_idn_caveat' only grants a caveat",
    ),
}
"""Case -> (variant body, a fragment of the one-line refusal: path and expectation)."""

ACCEPTED = {
    "side payment effect 1e-6": (
        "decision: {side_payment_effect: 1.0e-6}\n"
        "broker: {side_payments: {budget: 1, max_per_state: 1}}\n"
    ),
    "side payment effect range": "decision: {side_payment_effect: [0.5, 1]}\n",
    "offer of a billion units": (
        "kinds: {troops: {unit: 1}}\nstates: {IDN: {offers: {troops: 1e9}}}\n"
    ),
    "initial offer at the offer": (
        "states: {IDN: {initial_stance: committed, initial_offer: {troops: 20000}}}\n"
    ),
    "offered with an initial offer of 0 (as with none: model.md, 'Stated positions')": (
        "states: {IDN: {initial_stance: offered, initial_offer: {troops: 0}}}\n"
    ),
    "force counts troops": "force: {counts: [troops]}\n",
    "red line one_of one level on one kind": (
        "states: {IDN: {red_lines: {add: [{id: x, term: command, one_of: [un], "
        "kinds: [troops]}]}}}\n"
    ),
    "conditional veto of one kind": (
        "veto_players: {ISR: {vetoes: [{state: TUR, kinds: [troops]}, QAT]}}\n"
    ),
    "a state in no bloc, following none": "states: {PAK: {blocs: [], follows: []}}\n",
    "no tasks": "mandate: {tasks: []}\n",
    "distinct tasks in an ideal": (
        "states: {IDN: {preferences: {tasks: {ideal: [border_security, police_training]}}}}\n"
    ),
    "caveat_ok with the caveats term": (
        "states: {PAK: {red_lines: {add: [{id: x, term: tasks, excludes: police_training, "
        "caveat_ok: true}]}}}\n"
    ),
    "world condition from the last week watched": (
        "world: {hamas_disarmament_agreed: {from_week: 52}}\n"
    ),
    "veto until the last week watched": (
        "veto_players: {ISR: {vetoes: [{state: TUR, until_week: 52}]}}\n"
    ),
    "event in the last week watched": (
        "events: {x: {week: 52, effect: {PAK: {action: withdraw}}}}\n"
    ),
    "week at the deadline, none watched": (
        "deployment: {watch: 0}\nworld: {hamas_disarmament_agreed: {from_week: 26}}\n"
    ),
    "clarity red line at 1": (
        "states: {IDN: {red_lines: {add: [{id: x, term: clarity, at_least: 1}]}}}\n"
    ),
    "full payoff just above the offered threshold": "decision: {pledge_full_payoff: 0.11}\n",
    "prose over several lines, with a tab": "description: |\n  one\n  two\tthree\n",
    "a title with non-ASCII letters": "title: Force de stabilisation — Gaza (Türkiye)\n",
    "world condition by a concession that changes the mandate": (
        "world: {hamas_disarmament_agreed: {by_concession: allow_caveats}}\n"
    ),
}
"""Case -> a valid neighbour of a refused case, which loads."""


def variant(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "variant.yaml"
    path.write_text(f"extends: {FLAGSHIP}\n{body}", encoding="utf-8")
    return path


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_in_one_line(tmp_path: Path, case: str) -> None:
    body, fragment = REFUSED[case]
    path = variant(tmp_path, body)
    with pytest.raises(ScenarioError) as exc:
        load(path)
    text = str(exc.value)
    assert "\n" not in text and text.startswith(f"{path}: "), text
    assert fragment in text, (fragment, text)


@pytest.mark.parametrize("case", sorted(ACCEPTED))
def test_the_valid_neighbour_loads(tmp_path: Path, case: str) -> None:
    load(variant(tmp_path, ACCEPTED[case]))


def test_caveat_ok_needs_the_caveats_term() -> None:
    data = mapping(load(FLAGSHIP))
    data["force"]["caveats_term"] = None
    rule = {"id": "x", "term": "tasks", "excludes": "police_training", "caveat_ok": True}
    validate(data, "x.yaml")  # no caveats term, no caveat_ok: loads
    data["states"]["PAK"]["red_lines"].append(rule)
    with pytest.raises(ScenarioError) as exc:
        validate(data, "x.yaml")
    assert str(exc.value).startswith(
        "x.yaml: states.PAK.red_lines[2].caveat_ok: caveat_ok is lifted by the mandate-wide "
        "caveats term, and the scenario has none (force.caveats_term: None"
    ), str(exc.value)


def test_without_a_deployment_stage_the_deadline_is_the_last_week() -> None:
    data = mapping(load(FLAGSHIP))
    data["deployment"], data["events"] = None, {}
    for state in data["states"].values():
        state["deployment"] = None
    data["world"]["hamas_disarmament_agreed"]["from_week"] = data["broker"]["deadline"]
    validate(data, "x.yaml")
    data["world"]["hamas_disarmament_agreed"]["from_week"] += 1
    with pytest.raises(
        ScenarioError, match=r"the last week a run reads \(broker\.deadline \d+\), "
    ):
        validate(data, "x.yaml")


def test_a_control_character_in_a_key_is_refused_and_shown_escaped(tmp_path: Path) -> None:
    path = variant(tmp_path, 'states: {"I\\eN": {name: x}}\n')
    with pytest.raises(ScenarioError) as exc:
        load(path)
    text = str(exc.value)
    assert "\x1b" not in text and "\\x1b" in text, text


def test_a_message_shows_control_characters_escaped() -> None:
    text = str(ScenarioError("bad \x1b[2J", "states.I\x1bN", "a\x9b.yaml"))
    assert text == "a\\x9b.yaml: states.I\\x1bN: bad \\x1b[2J", text


def test_an_integer_too_long_to_print_is_shown_by_its_size() -> None:
    """Python refuses to print an integer of more than 4,300 digits (ValueError): a
    message naming one stays one short line instead of failing."""
    from sim.scenario.errors import shown

    assert shown(10**5000) == "an integer of about 5,000 digits"
    assert shown(-(10**60)).startswith("-1000") and len(shown(-(10**60))) <= 63
    assert shown(True) == "True" and shown(2**63) == "9223372036854775808"
