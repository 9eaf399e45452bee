"""The page `forcegen serve` serves, against what a browser can send: numbers out of
range typed into its fields, values outside the scenario's vocabulary, pasted pages
of text. Each is refused with one visible line naming the field, and nothing
changes; never a traceback. The views are rendered in-process (solara's test
renderer), the widgets driven as a browser drives them, without a browser."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("solara", reason="the web extra is not installed")

import ipyvuetify as v
import solara

import sim.web.app  # noqa: F401  (matplotlib's Agg backend, as the page sets it)
from sim.scenario.errors import ScenarioError
from sim.teach.seat import Choice
from sim.web import scenarios
from sim.web.classroom import REGISTRY, SEED_MAX, ClassError
from sim.web.classview import Lobby
from sim.web.explore import Mandate
from sim.web.watch import Watch, compiled

FLAGSHIP = "scenarios/isf/res2803.yaml"


@pytest.fixture
def page():
    """Render a view in-process; close it (and its threads' context) after the test."""
    opened = []

    def render(element):
        box, rc = solara.render(element, handle_error=False)
        opened.append(rc)
        return box, rc

    yield render
    for rc in opened:
        rc.close()


def type_into(rc, label: str, text: str) -> None:
    """Type `text` into the field labelled `label` and press Enter, as a browser does."""
    field = rc.find(v.TextField, label=label).widget
    field.v_model = text
    field.fire_event("keyup.enter", None)


def errors(rc, cls: str) -> list[str]:
    """The text of the error lines of class `cls` now on the page."""
    return [str(w.children[0]) for w in rc.find(v.Alert, class_=cls).widgets]


@pytest.mark.parametrize("raw", [str(10**30), str(2**63), "-1", "200"])
def test_watch_refuses_a_run_that_is_no_run_of_the_ensemble(page, raw) -> None:
    box, rc = page(Watch(solara.reactive(FLAGSHIP)))
    type_into(rc, "Run", "7")
    assert "run 7 of seed" in repr(box)
    type_into(rc, "Run", raw)
    (line,) = errors(rc, "run-error")
    assert line.startswith(
        f"Run: expected a run number from 0 to 199 (the scenario's 200 runs), got {raw}"
    )
    assert "run 7 of seed" in repr(box)  # still the run shown
    rc.find(v.Btn, children=["Step one week"]).widget.click()  # a traceback here before
    assert re.search(r"Week 1\b", repr(box))
    type_into(rc, "Run", "8")
    assert errors(rc, "run-error") == [] and "run 8 of seed" in repr(box)


@pytest.mark.parametrize("seed", [-1, SEED_MAX + 1, 10**30, 2.5, "7", True])
def test_a_class_with_a_seed_no_scenario_takes_is_not_made(registry, seed) -> None:
    with pytest.raises(ClassError, match=r"^Seed: expected a whole number from 0 to 9,223,"):
        registry.create(compiled(FLAGSHIP), seed)
    assert registry.sessions == {}


def test_the_largest_seed_plays(registry) -> None:
    s = registry.create(compiled(FLAGSHIP), SEED_MAX)
    s.take("IDN")
    s.start(s.teacher)
    assert s.seed == SEED_MAX and s.week.week == 1 and s.error == ""


@pytest.mark.parametrize("raw", ["-1", str(2**63)])
def test_the_teacher_typing_a_bad_seed_sees_one_line_and_no_class(page, raw) -> None:
    went = []
    _box, rc = page(Lobby(solara.reactive(FLAGSHIP), lambda **q: went.append(q), ""))
    type_into(rc, "Seed (empty: the scenario's)", raw)
    rc.find(v.Btn, children=["Create a class"]).widget.click()
    (line,) = errors(rc, "scenario-error")
    assert line.startswith("Seed: expected a whole number from 0 to") and raw in line
    assert went == []
    type_into(rc, "Seed (empty: the scenario's)", "11")
    rc.find(v.Btn, children=["Create a class"]).widget.click()
    assert errors(rc, "scenario-error") == [] and len(went) == 1
    assert REGISTRY.sessions.pop(went[0]["code"]).seed == 11


PAGE = "x" * 100_000
"""A pasted page of text."""


def short(message: str) -> bool:
    """One short line: the pasted text is cut, its length said."""
    return "\n" not in message and len(message) < 400 and "(100,000 characters)" in message


@pytest.fixture
def seat(registry):
    """A class in week 1 with Indonesia seated: (session, Indonesia's token)."""
    s = registry.create(compiled(FLAGSHIP), 11)
    token = s.take("IDN")
    s.start(s.teacher)
    return s, token


@pytest.mark.parametrize(
    "choice",
    [
        Choice(PAGE),
        Choice("committed", PAGE, 50),
        Choice("conditional", demand=PAGE),
    ],
)
def test_a_pasted_page_in_a_choice_is_refused_in_one_short_line(seat, choice) -> None:
    s, token = seat
    with pytest.raises(ClassError) as refused:
        s.submit(token, "IDN", choice)
    assert short(str(refused.value)), str(refused.value)[:300]
    assert s.choice_of("IDN") is None


@pytest.mark.parametrize(
    ("pledge", "said"),
    [("abc", "Pledge: expected a number, got 'abc'"), (None, "got None"), (1e308, "1e+308 is")],
)
def test_a_pledge_that_is_no_number_is_refused_in_one_line(seat, pledge, said) -> None:
    s, token = seat
    with pytest.raises(ClassError, match=re.escape(said)) as refused:
        s.submit(token, "IDN", Choice("committed", "troops", pledge))
    assert len(str(refused.value)) < 200
    assert s.choice_of("IDN") is None and s.week.week == 1


def test_a_pasted_page_as_a_join_code_timer_or_scenario_is_cut(registry) -> None:
    s = registry.create(compiled(FLAGSHIP))
    with pytest.raises(ClassError) as code:
        registry.find(PAGE)
    with pytest.raises(ClassError) as timer:
        s.set_timer(s.teacher, PAGE)
    with pytest.raises(ScenarioError) as path:
        scenarios.resolve(PAGE)
    for refused in (code, timer, path):
        assert short(str(refused.value)), str(refused.value)[:300]


@pytest.mark.parametrize(
    ("label", "sent"),
    [("Area of operations", "moon"), ("Clarity of the terms of reference", "nan")],
)
def test_a_mandate_value_outside_the_vocabulary_is_refused_before_a_run(page, label, sent) -> None:
    """A browser may send any value for a widget; the run is not started."""
    ran = []
    _box, rc = page(Mandate(FLAGSHIP, lambda values, runs: ran.append(values)))
    widget = rc.find(v.Select if label.startswith("Area") else v.Slider, label=label).widget
    widget.v_model = float(sent) if label.startswith("Clarity") else sent
    rc.find(v.Btn, children=["Run"]).widget.click()
    (line,) = errors(rc, "explore-error")
    assert line.startswith("The mandate cannot be run: mandate.") and "\n" not in line
    assert ran == []


@pytest.mark.parametrize(
    ("sent", "said"),
    [
        (["police_trainng"], "unknown task 'police_trainng' (did you mean 'police_training'?)"),
        (["bogus"], "unknown task 'bogus'; expected one of: border_security, "),
        (None, "expected a list of tasks, got None"),
        ("police_training", "expected a list of tasks, got 'police_training'"),
        ([3], "expected a list of tasks, got [3]"),
    ],
)
def test_a_task_set_with_a_task_the_vocabulary_lacks_is_refused(sent, said) -> None:
    """Dropping the unknown task would run another mandate than the one asked for (and
    the page's text of the change would still show it)."""
    sc = compiled(FLAGSHIP).scenario
    with pytest.raises(ScenarioError) as caught:
        scenarios.variant(sc, {"tasks": sent})
    assert str(caught.value).startswith(f"mandate.tasks: {said}"), str(caught.value)
    kept = scenarios.variant(sc, {"tasks": ["police_training", "border_security"]})
    assert kept.mandate["tasks"] == ["border_security", "police_training"]  # the vocabulary's order


def test_a_deep_path_that_is_not_listed_is_named_whole() -> None:
    """Cutting is for pasted pages: a real path of 150 characters is named as typed."""
    deep = "/".join(["folder"] * 20) + "/other.yaml"
    assert 140 < len(deep) < scenarios.PATH_SHOWN
    with pytest.raises(ScenarioError) as caught:
        scenarios.resolve(deep)
    assert str(caught.value).startswith(f"{deep!r} is not one of the shipped scenarios")
