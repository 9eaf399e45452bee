"""Class sessions without a browser: join codes, seats and tokens, choices refused
with a message and nothing changed, the model playing a seat that did not answer,
and 30 seats in one session."""

from __future__ import annotations

import time

import pytest

from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load
from sim.teach.seat import Choice
from sim.web.classroom import ALPHABET, CODE_LENGTH, ClassError, Registry, normal_code

from .browser import ROOT

FLAGSHIP = ROOT / "scenarios" / "isf" / "res2803.yaml"


@pytest.fixture(scope="module")
def C():
    return compile_scenario(load(FLAGSHIP))


@pytest.fixture
def registry():
    reg = Registry()
    yield reg
    for session in reg.sessions.values():
        session.stop()


def test_codes_are_six_unambiguous_characters(registry, C) -> None:
    codes = {registry.create(C).code for _ in range(50)}
    assert len(codes) == 50
    for code in codes:
        assert len(code) == CODE_LENGTH and set(code) <= set(ALPHABET)
        assert not set(code) & set("01IO")
    code = next(iter(codes))
    assert normal_code(code.lower()[:3] + " " + code.lower()[3:]) == code
    assert registry.find(code.lower()).code == code


@pytest.mark.parametrize("raw", ["", "12", "ABCDEFG", "AB-CD!", "O0O0O0", "../etc"])
def test_a_malformed_code_is_refused(registry, raw) -> None:
    with pytest.raises(ClassError, match="is not a join code"):
        registry.find(raw)


def test_an_unknown_code_is_refused(registry, C) -> None:
    registry.create(C)
    with pytest.raises(ClassError, match="No class has the code"):
        registry.find("ZZZZZZ")


def test_a_seat_is_taken_once_and_acts_only_with_its_token(registry, C) -> None:
    s = registry.create(C, seed=11)
    idn = s.take("IDN")
    with pytest.raises(ClassError, match="is taken"):
        s.take("IDN")
    pak = s.take("PAK")
    assert s.seat_of(idn) == "IDN" and s.seat_of(pak) == "PAK" and s.seat_of("x") is None
    with pytest.raises(ClassError, match="Only the teacher"):
        s.start(idn)
    s.start(s.teacher)
    with pytest.raises(ClassError, match="can no longer be taken"):
        s.take("EGY")
    with pytest.raises(ClassError, match="a seat can act only for itself"):
        s.submit(pak, "IDN", Choice("considering"))
    with pytest.raises(ClassError, match="a seat can act only for itself"):
        s.submit("made-up", "IDN", Choice("considering"))
    assert s.choice_of("IDN") is None


@pytest.mark.parametrize(
    ("choice", "message"),
    [
        (Choice("committed", "troops", 10_000_000), "is not a valid pledge"),
        (Choice("committed", "troops", 1234), "is not a valid pledge"),
        (Choice("committed", "submarines", 100), "is not a kind you can offer"),
        (Choice("committed", "", 0), "needs a contribution kind"),
        (Choice("sulking"), "is not a stance"),
        (Choice("conditional", demand="free_lunch"), "is not a demand you can make"),
    ],
)
def test_a_bad_choice_is_refused_and_changes_nothing(registry, C, choice, message) -> None:
    s = registry.create(C, seed=11)
    token = s.take("IDN")
    s.start(s.teacher)
    version = s.version
    with pytest.raises(ClassError, match=message):
        s.submit(token, "IDN", choice)
    assert s.choice_of("IDN") is None and s.version == version and s.week.week == 1


def test_the_teacher_advances_and_the_model_plays_the_silent_seat(registry, C) -> None:
    s = registry.create(C, seed=11)
    idn, _pak = s.take("IDN"), s.take("PAK")
    s.start(s.teacher)
    s.submit(idn, "IDN", Choice("considering"))
    assert s.week.week == 1  # Pakistan has not chosen: the week waits
    s.advance(s.teacher)
    assert s.week.week == 2
    assert s.passed == {1: ["PAK"]}
    turns = {t.code: t for t in s.game.turns if t.week == 1}
    assert turns["PAK"].you == turns["PAK"].model  # the model's choice stood for the seat
    assert turns["IDN"].you == Choice("considering")


def test_thirty_seats_advance_as_the_last_one_chooses(registry, scenario) -> None:
    """The goal (docs/performance.md): a week advances within 1 s of the last choice.
    Here the behaviour: after the 30th choice the next week is on the table."""
    codes = [a + b + c for a in "ABC" for b in "DEF" for c in "GHJK"][:30]  # ISO-like ids
    C = scenario(states={code: {} for code in codes})
    s = registry.create(C)
    tokens = {code: s.take(code) for code in C.states}
    s.start(s.teacher)
    for week in (1, 2):
        assert s.week.week == week
        for code, token in tokens.items():
            assert s.week is not None and s.week.week == week  # waits for every seat
            s.submit(token, code, Choice("considering"))
        assert s.wait_for(s.moved_on(week), timeout=10)
        assert s.state == "over" or s.week.week == week + 1
    assert s.published_at >= s.chosen_at
    assert len([t for t in s.game.turns if t.week == 1]) == 30


def test_a_finished_game_has_the_debrief_of_play(registry, C) -> None:
    s = registry.create(C, seed=11)
    tokens = {c: s.take(c) for c in ("PAK", "IDN")}
    s.start(s.teacher)
    for code, token in tokens.items():
        top = s.week.seats[code].ranges["troops"][1]
        s.submit(token, code, Choice("committed", "troops", top))
    assert s.wait_for(lambda: s.state == "over", timeout=20)
    assert s.error == ""
    assert s.debrief.startswith("## Debrief")
    assert "### Outcome: your game against the all-model run" in s.debrief
    assert s.outcome[0][0] == "outcome"
    assert "## Debrief" in s.transcript


def test_a_stopped_session_ends_its_thread(registry, C) -> None:
    s = registry.create(C)
    s.take("IDN")
    s.start(s.teacher)
    s.stop()
    assert not s.thread.is_alive()
    assert s.state == "over"
    time.sleep(0)
