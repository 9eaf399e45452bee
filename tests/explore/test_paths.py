"""Field paths: get and set on the resolved scenario, refused with the likely name."""

from __future__ import annotations

import pytest

from sim.explore import paths
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load

from .conftest import FLAGSHIP


@pytest.fixture(scope="module")
def base():
    return load(FLAGSHIP)


def test_get_reads_terms_tasks_parameters_and_ids(base) -> None:
    assert paths.get(base, "mandate.use_of_force") == "enforcement"
    assert paths.get(base, "mandate.tasks.weapons_decommissioning") is True
    assert paths.get(base, "mandate.tasks.ceasefire_monitoring") is False
    assert paths.get(base, "states.PAK.domestic_opposition") == (0.6, 0.9)
    assert paths.get(base, "broker.concessions.trust_fund.cost") == 0.1
    assert paths.get(base, "broker.side_payments.budget") == 0.3
    assert paths.get(base, "run.mechanisms.noise") is True


def test_apply_returns_a_new_validated_scenario(base) -> None:
    before = paths.mapping(base)
    sc = paths.apply(
        base,
        {
            "mandate.tasks.weapons_decommissioning": False,
            "mandate.tasks.ceasefire_monitoring": True,
            "states.PAK.domestic_opposition": 0.4,
            "broker.deadline": 20,
        },
    )
    assert "weapons_decommissioning" not in sc.mandate["tasks"]
    assert "ceasefire_monitoring" in sc.mandate["tasks"]
    # a range becomes the fixed range [x, x]: the run's draws stay the same
    assert sc.states["PAK"].domestic_opposition == (0.4, 0.4)
    assert sc.broker.deadline == 20
    assert paths.get(base, "mandate.tasks.weapons_decommissioning") is True  # base untouched
    assert paths.mapping(base) == before  # nothing of it, anywhere in the tree


@pytest.mark.parametrize(
    "values, expected",
    [
        ({"mandate.use_of_forse": "enforcement"}, "did you mean 'use_of_force'?"),
        ({"states.PAK.domestic_oposition": 0.5}, "did you mean 'domestic_opposition'?"),
        ({"states.PAX.conformity": 0.5}, "did you mean 'PAK'?"),
        ({"mandate.tasks.weapons_decomissioning": True}, "did you mean 'weapons_decommissioning'?"),
        ({"broker.concessions.trust_fnd.cost": 0.2}, "did you mean 'trust_fund'?"),
        ({"mandate.use_of_force": "enforcment"}, "did you mean 'enforcement'?"),
        ({"mandate.tasks.weapons_decommissioning": "no"}, "true (carried) or false"),
        ({"mandate.clarity": 1.5}, "[0, 1]"),
        ({"broker.deadline": 40}, "run.rounds"),
        ({"mandate.use_of_force.level": 1}, "nothing lies below it"),
    ],
)
def test_bad_paths_and_values_are_refused_with_a_hint(base, values, expected) -> None:
    with pytest.raises(ScenarioError) as exc:
        paths.apply(base, values, "sweep.yaml")
    text = str(exc.value)
    assert expected in text
    assert text.startswith("sweep.yaml: ")
    assert "\n" not in text


def test_labels_read_like_words(base) -> None:
    assert paths.label(base, "mandate.use_of_force") == "Use of force"
    assert paths.label(base, "mandate.tasks.weapons_decommissioning") == (
        "Tasks: weapons decommissioning"
    )
    assert paths.label(base, "states.PAK.domestic_opposition") == "Pakistan: domestic opposition"
    assert paths.label(base, "broker.target") == "Target force (personnel)"
