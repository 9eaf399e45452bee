"""The refusals of tests/scenario/test_refusals.py through the command line: one
`error:` line naming the file and the field path, exit status 2, no traceback
(the command line run in this process, `cli`)."""

from __future__ import annotations

import pytest

from .helpers import assert_refused

CASES = {
    "side payment effect 0": (
        "decision: {side_payment_effect: 0}\n"
        "broker: {side_payments: {budget: 1, max_per_state: 1}}\n",
        "decision.side_payment_effect: expected a number > 0",
    ),
    "offer in too many units": (
        "kinds: {troops: {unit: 1.0e-300}}\nstates: {IDN: {offers: {troops: 1e9}}}\n",
        "states.PAK.offers.troops: expected at most 1,000,000,000 units",
    ),
    "initial offer above the offer": (
        "states: {IDN: {initial_stance: committed, initial_offer: {troops: 1e9}}}\n",
        "states.IDN.initial_offer.troops: expected at most the stated offer (20000)",
    ),
    "force counts nothing": ("force: {counts: []}\n", "force.counts: expected at least one"),
    "bloc twice": (
        "states: {PAK: {blocs: [oic, oic]}}\n",
        "states.PAK.blocs[1]: duplicate bloc 'oic' (also at [0])",
    ),
    "misspelt caveats term": (
        "force: {caveats_term: national_caveat}\n",
        "force.caveats_term: unknown term 'national_caveat' (did you mean 'national_caveats'?)",
    ),
    "event in week 520": (
        "events: {x: {week: 520, effect: {PAK: {action: withdraw}}}}\n",
        "events.x.week: expected a week <= 52, the last week a run reads",
    ),
    "clarity red line above 1": (
        "states: {IDN: {red_lines: {add: [{id: x, term: clarity, at_least: 5}]}}}\n",
        "states.IDN.red_lines[1].at_least: expected a number in [0, 1]",
    ),
    "full payoff below the offered threshold": (
        "decision: {pledge_full_payoff: -5}\n",
        "decision.pledge_full_payoff: expected a number > decision.thresholds.offered (0.1)",
    ),
    "screen clear in the title": (
        'title: "ISF\\e[2J\\e[H"\n',
        "title: expected one line of text without control characters, got 'ISF\\x1b[2J",
    ),
    "world condition by a concession that only grants a caveat": (
        "world: {hamas_disarmament_agreed: {by_concession: grant_idn_caveat}}\n",
        "world.hamas_disarmament_agreed.by_concession: expected a concession that changes",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_validate_refuses_in_one_line(cli, variant, case: str) -> None:
    body, fragment = CASES[case]
    file = variant(body)
    assert_refused(cli("validate", file), f"{file}: {fragment}")


def test_a_control_character_never_reaches_the_terminal(cli, variant) -> None:
    result = cli("validate", variant('states: {IDN: {name: "a\\e[2Jb"}}\n'))
    assert_refused(result, "states.IDN.name")
    assert "\x1b" not in result.err and "\x1b" not in result.out
