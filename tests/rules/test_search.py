"""The demand search in one compiled pass (`sim.rules.search.note_all`) notes what the
numpy search notes (`demands.each_concession`, then `search.note` per concession),
byte for byte: veto players' acceptance under each concession, the states it frees,
the first demand it meets, the pledge it credits and its rank key; and it gives the
whole open menu's prospect `demands.whole_menu` gives. On every shipped
scenario, under random mandates, observations, vetoes, concessions made and needs,
with the veto and world-condition mechanisms on and off."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from shipped import runnable

from sim.engine.draws import draw_many, parameters
from sim.rules import demands, jit, payoff, search
from sim.scenario.arrays import STANCES, compile_scenario
from sim.scenario.loader import load, validate

from .test_jit import R, random_mandates, same

pytest.importorskip("numba")

SHIPPED = runnable()


def random_week(C, rng: np.random.Generator, cond: bool = True):
    """Everything the search reads, at random where the engine would vary it."""
    S = len(C.states)
    W, V, n = len(C.world_names), len(C.veto_ids), len(C.concessions)
    P = parameters(C, draw_many(C, 5, np.arange(R)).ranges)
    P = replace(P, bar=replace(P.bar, now=rng.random((R, S, len(C.kinds))) < 0.2))
    obs = payoff.Observed(
        stance=rng.integers(0, len(STANCES), (R, S)),
        force=rng.choice([0.0, 1500.0, 9000.0], R),
        consent=rng.random(R),
        level=rng.choice([0.0, 0.5, 2.0], R),
        side=rng.choice([0.0, 0.2], (R, S)),
        own=rng.choice([0.0, 500.0], (R, S)),
        cond=rng.random((R, W)) < 0.5 if cond else None,
    )
    m = random_mandates(C, rng)
    mech = C.scenario.run.mechanisms
    accepts, consent_ok = rng.random((R, V)) < 0.7, rng.random(R) < 0.8
    now = demands.present(C, P, m, obs, rng.normal(0, 0.3, (R, S)), mech, accepts, consent_ok)
    made = rng.random((R, n)) < 0.3
    open_ = demands.open_menu(C, m, made)
    needs = rng.random((R, S)) < 0.7
    waits = ~needs & (rng.random((R, S)) < 0.5)
    return P, m, obs, now, open_, made, needs, waits


def books(C):
    """Empty bookkeeping, as `decide` starts it."""
    S, n, V = len(C.states), len(C.concessions), len(C.veto_ids)
    return (np.zeros((R, n, V), bool), np.zeros((R, S), bool), np.full((R, S), -1),
            np.zeros((R, S, n)), np.full((R, S, n), -np.inf))  # fmt: skip


def both_searches(C, monkeypatch, P, m, obs, now, open_, made, needs, waits):
    """The bookkeeping and the whole menu's prospect of the numpy search (numpy rules),
    then of the compiled pass."""
    offered = C.scenario.decision.thresholds.offered
    plain, fused = books(C), books(C)
    monkeypatch.setenv(jit.DISABLE, "1")
    for j, p in demands.each_concession(C, P, m, obs, now, open_):
        search.note(j, p, needs, waits, offered, *plain)
    menu = demands.whole_menu(C, P, m, obs, now, made)
    monkeypatch.delenv(jit.DISABLE)
    monkeypatch.setattr(jit, "MIN_RUNS", 0)
    menu_fused = search.note_all(C, P, m, obs, now, open_, made, needs, waits, offered, *fused)
    fields = ("rows", "top", "free", "counted", "accepts", "lifts", "opened")
    plain += tuple(getattr(menu, f) for f in fields)
    fused += tuple(getattr(menu_fused, f) for f in fields)
    return plain, fused


def switched(path, **mechanisms):
    """A shipped scenario with some mechanisms switched."""
    data = load(path).model_dump()
    data["run"]["mechanisms"].update(mechanisms)
    return compile_scenario(validate(data))


def conceded(path):
    """A shipped scenario whose declared world conditions a concession sets (none of
    the shipped ones does): the i-th condition by the i-th concession of the menu."""
    data = load(path).model_dump()
    menu = [c["id"] for c in data["broker"]["concessions"]]
    for i, spec in enumerate((data.get("world") or {}).values()):
        spec["by_concession"] = menu[i % len(menu)] if menu else None
    return compile_scenario(validate(data))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_the_compiled_search_notes_what_the_numpy_search_notes(path, monkeypatch):
    rng = np.random.default_rng(2803)
    cases = [(compile_scenario(load(path)), True), (compile_scenario(load(path)), False)]
    cases.append((switched(path, vetoes=False, world_conditions=False), True))
    cases.append((conceded(path), True))
    demanded = 0
    for C, cond in cases:
        week = random_week(C, rng, cond)
        plain, fused = both_searches(C, monkeypatch, *week)
        for a, b in zip(plain, fused, strict=True):
            same(a, b)
        demanded += (plain[2] >= 0).sum()
    # The random weeks reach demands wherever the scenario has a menu.
    assert demanded > 0 or not len(compile_scenario(load(path)).concessions)


def caveat_entries(path):
    """A shipped scenario whose caveats take preference entries out of the distance
    (none of the shipped ones has such entries): every state with a caveat of its own
    weighs the term of the task it excludes, and every other state's red lines on a task
    may be met by opting out of it (`caveat_ok`)."""
    data = load(path).model_dump()
    for state in data["states"].values():
        for caveat in state["caveats"] or []:
            ideal = {"ideal": [caveat["excludes"]], "salience": 0.3}
            state["preferences"].setdefault(caveat["term"] or "tasks", ideal)
        for line in [] if state["caveats"] else state["red_lines"]:
            line["caveat_ok"] = line["caveat_ok"] or line["excludes"] is not None
    return compile_scenario(validate(data))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_the_search_sees_the_caveats_each_concession_grants_in_the_distance(path, monkeypatch):
    # An entry a caveat opts a state out of, or excuses it from, counts as not carried:
    # the search must see the caveats each concession grants (the mandate-wide term, a
    # state's own) in the distance.
    C = caveat_entries(path)
    if not (C.prefs["opt"].any() or C.caveat_pref.any()):
        pytest.skip("no red line on a task and no caveat of a state's own")
    assert any(C.caveat_col in [c for c, _, _ in changes] for changes in C.concession_changes)
    rng = np.random.default_rng(2803)
    for cond in (True, False):
        plain, fused = both_searches(C, monkeypatch, *random_week(C, rng, cond))
        for a, b in zip(plain, fused, strict=True):
            same(a, b)
