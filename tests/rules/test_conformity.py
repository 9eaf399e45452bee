"""Conformity: the pull of a state's blocs on its payoff.

A follower (FOL, conformity 0.3, payoff drawn per run in [-0.2, 0.6], so it
commits in about half the runs on its own) shares the `oic` bloc with two
peers that either stay committed or stay declined. Same seed, the switch
`mechanisms.conformity` on versus off.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pytest

from sim.engine.draws import parameters
from sim.rules import payoff
from sim.scenario.arrays import COMMITTED, CONSIDERING, DECLINED, OFFERED

from .contract import EngineContract

NO_DISARMAMENT = {"id": "no_disarmament", "term": "tasks", "excludes": "weapons_decommissioning"}
FOLLOWER = {"blocs": ["oic"], "conformity": 0.3, "incentives": {"ties": [-0.2, 0.6]}}
KEEN_PEER = {"blocs": ["oic"], "incentives": {"ties": 0.6}, "initial_stance": "committed"}
AVERSE_PEER = {"blocs": ["oic"], "initial_stance": "declined", "red_lines": [NO_DISARMAMENT]}
CODES = ["PAK", "IDN", "AZE", "EGY", "JOR", "ARE", "SAU", "QAT", "TUR", "BHR", "MYS", "CYP",
         "ITA", "FRA", "GBR", "DEU"]  # fmt: skip
COMMON = {"mandate": {"tasks": {"add": ["weapons_decommissioning"]}}, "broker": {"target": 10_000}}

PEERS_COMMIT = dict(states={"FOL": FOLLOWER, "AAA": KEEN_PEER, "BBB": KEEN_PEER}, **COMMON)
FREE_RIDING = {"oic": "free_riding"}
PEERS_DECLINE = dict(states={"FOL": FOLLOWER, "CCC": AVERSE_PEER, "DDD": AVERSE_PEER}, **COMMON)


class TestConformityScenarios(EngineContract):
    cases: ClassVar[dict[str, dict]] = {
        "peers commit": PEERS_COMMIT,
        "peers decline": PEERS_DECLINE,
        "peers commit, conformity off": dict(PEERS_COMMIT, conformity=False),
        "peers commit, free-riding bloc": dict(PEERS_COMMIT, peer_influence=FREE_RIDING),
    }


def p_commit(tables, code="FOL"):
    c = tables["commits"]
    return float(c.loc[c["state"] == code, "p_commit"].sum())


@pytest.mark.parametrize(
    ("setup", "pull", "direction"),
    [(PEERS_COMMIT, 0.3, +1), (PEERS_DECLINE, -0.3, -1)],
    ids=["peers commit", "peers decline"],
)
def test_conformity_moves_a_follower_toward_its_bloc(scenario, simulate, setup, pull, direction):
    on = simulate(scenario(**setup), runs=400, seed=17)
    off = simulate(scenario(**dict(setup, conformity=False)), runs=400, seed=17)
    fol_on = on["states"][on["states"]["state"] == "FOL"]
    fol_off = off["states"][off["states"]["state"] == "FOL"]
    # The component is the follower's conformity times (share committed - share declined).
    assert np.allclose(fol_on["conformity"], pull)
    assert (fol_off["conformity"] == 0).all()
    # And it moves P(commit) in its direction, by a wide margin.
    assert 0.3 < p_commit(off) < 0.7
    assert direction * (p_commit(on) - p_commit(off)) > 0.2


def test_conformity_does_not_pull_a_state_outside_the_bloc(scenario, simulate):
    loner = dict(FOLLOWER, blocs=["nato"])
    setup = dict(PEERS_COMMIT, states={**PEERS_COMMIT["states"], "FOL": loner})
    t = simulate(scenario(**setup), runs=50)
    assert (t["states"].loc[t["states"]["state"] == "FOL", "conformity"] == 0).all()


def test_conformity_component_on_hand_built_stances(scenario):
    """payoff.conformity = conformity * (peers committed - peers declined) / peers."""
    states = {
        "FOL": {"blocs": ["oic"], "conformity": 0.4},
        "AAA": {"blocs": ["oic"]},
        "BBB": {"blocs": ["oic"]},
        "CCC": {"blocs": ["oic", "nato"]},
        "DDD": {"blocs": ["oic"]},
        "ITA": {"blocs": ["nato"], "follows": ["nato"], "conformity": 0.5},
    }
    C = scenario(states)
    P = parameters(C, np.zeros((1, len(C.ranges))))
    stance = np.array(
        [
            [CONSIDERING, COMMITTED, COMMITTED, DECLINED, OFFERED, COMMITTED],
            [COMMITTED, DECLINED, DECLINED, DECLINED, DECLINED, DECLINED],
        ]
    )
    got = payoff.conformity(C, P, stance)
    fol, ita = C.states.index("FOL"), C.states.index("ITA")
    assert got[0, fol] == pytest.approx(0.4 * (2 - 1) / 4)
    assert got[1, fol] == pytest.approx(0.4 * (0 - 4) / 4)
    # ITA follows NATO only: its one peer is CCC (declined in both runs); FOL's stance is ignored.
    assert got[0, ita] == pytest.approx(-0.5)
    assert got[1, ita] == pytest.approx(-0.5)
    # States with zero conformity feel no pull.
    assert (got[:, C.states.index("AAA")] == 0).all()


@pytest.mark.parametrize("runs", [1, 7, 2000])
def test_one_product_of_signed_stances_is_two_products_bytes(scenario, runs) -> None:
    """The committed peers' sum less the declined peers', as one product of the signed
    stances, gives the bytes of two products (their difference), zeros' signs
    included: with one run (the Mesa engine's) and with many, every stance, blocs
    followed and free-riding (peers of -1), and states with no peer."""
    blocs = ["oic", "nato"]
    rng = np.random.default_rng(17)
    states = {
        code: {"blocs": list(rng.choice(blocs, rng.integers(0, 3), replace=False)),
                      "conformity": float(rng.uniform(0.0, 0.5))}
        for code in CODES
    }  # fmt: skip
    C = scenario(states, peer_influence={"nato": "free_riding"})
    assert (C.peers < 0).any() and (C.peers > 0).any() and (np.abs(C.peers).sum(axis=1) == 0).any()
    P = parameters(C, np.zeros((1, len(C.ranges))))
    for stance in (rng.integers(0, 5, (runs, 16)), np.full((runs, 16), DECLINED)):
        peers = C.peers.T.astype(float)
        up = (stance == COMMITTED).astype(float) @ peers
        down = (stance == DECLINED).astype(float) @ peers
        two = P.state.conformity * ((up - down) / np.maximum(np.abs(C.peers).sum(axis=1), 1))
        assert payoff.conformity(C, P, stance).tobytes() == two.tobytes()


@pytest.mark.parametrize(
    ("setup", "push", "direction"),
    [(PEERS_COMMIT, -0.3, -1), (PEERS_DECLINE, 0.3, +1)],
    ids=["peers commit", "peers decline"],
)
def test_a_free_riding_bloc_pushes_a_follower_away_from_its_peers(
    scenario, simulate, setup, push, direction
):
    """Free-riding (Gaibulloev et al. 2015): peers committing let the follower
    stay out; peers declining leave it to step in. Same seed as the pull test."""
    on = simulate(scenario(**setup, peer_influence=FREE_RIDING), runs=400, seed=17)
    off = simulate(scenario(**dict(setup, conformity=False)), runs=400, seed=17)
    fol = on["states"][on["states"]["state"] == "FOL"]
    assert np.allclose(fol["conformity"], push)
    assert direction * (p_commit(on) - p_commit(off)) > 0.2


def test_a_peer_in_a_complementarity_bloc_too_still_pulls(scenario, simulate) -> None:
    """A peer shares `oic` (free-riding) and `nato` (complementarity) with the
    follower: any shared complementarity bloc makes it a pull."""
    both = {**KEEN_PEER, "blocs": ["oic", "nato"]}
    follower = {**FOLLOWER, "blocs": ["oic", "nato"]}
    C = scenario(
        states={"FOL": follower, "AAA": both, "BBB": KEEN_PEER},
        peer_influence=FREE_RIDING,
        **COMMON,
    )
    i, a, b = (C.states.index(c) for c in ("FOL", "AAA", "BBB"))
    assert (C.peers[i, a], C.peers[i, b]) == (1, -1)
    fol = simulate(C, runs=20, seed=17)["states"].query("state == 'FOL'")
    assert np.allclose(fol["conformity"], 0.0)  # one pull and one push cancel


def test_peer_influence_of_an_unknown_bloc_is_refused(scenario) -> None:
    from sim.scenario.errors import ScenarioError

    with pytest.raises(ScenarioError, match=r"unknown bloc 'oci' \(did you mean 'oic'\?\)"):
        scenario(peer_influence={"oci": "free_riding"})


def test_explain_says_which_peers_push(scenario) -> None:
    """The words follow the sign: a free-riding peer is named as pushing."""
    from sim.analysis.explain import explain
    from sim.analysis.explain.text import peer_section

    C = scenario(**PEERS_COMMIT, peer_influence=FREE_RIDING)
    text = " ".join(peer_section(explain(C, "FOL", 0)))
    assert "only free-riding blocs" in text and "(AAA)" in text
    pulled = " ".join(peer_section(explain(scenario(**PEERS_COMMIT), "FOL", 0)))
    assert "free-riding" not in pulled
