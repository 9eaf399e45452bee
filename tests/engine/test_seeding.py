"""Each run's generator seeded for a batch at once (`sim.engine.seeding`) gives numpy's
own streams: Generator(PCG64(SeedSequence(seed, spawn_key=(run,))))."""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine import seeding

SEEDS = [0, 1, 7, 20251117, 2**32 - 1, 2**32, 2**64 + 5, 2**127 + 3, 2**160 + 11]
"""One to six 32-bit words: padded to SeedSequence's pool of four, or longer than it."""


def _runs() -> np.ndarray:
    picked = np.random.default_rng(5).integers(0, 2**32, 40)
    return np.concatenate([np.arange(30), picked, [2**32 - 1]])


def _draws(rng: np.random.Generator) -> np.ndarray:
    return np.concatenate([rng.random(3), rng.standard_normal(3), rng.integers(0, 2**62, 2)])


def _assert_numpys(seed, runs: np.ndarray) -> None:
    """Every run of the batch draws what numpy's own generator for it draws."""
    batch = [_draws(rng) for rng in seeding.generators(seed, runs)]
    assert len(batch) == len(runs)
    for run, drawn in zip(runs.tolist(), batch, strict=True):
        assert np.array_equal(drawn, _draws(seeding.numpy_generator(int(seed), run))), run


@pytest.mark.parametrize("seed", SEEDS)
def test_every_run_draws_numpys_numbers(seed: int) -> None:
    _assert_numpys(seed, _runs())


@pytest.mark.parametrize("seed", SEEDS)
def test_the_batchs_states_are_pcg64s_own_not_numpys_fallback(seed: int) -> None:
    runs = np.array([0, 1, 2000, 2**31, 2**32 - 1])
    for run, state in zip(runs.tolist(), seeding._states(seed, runs), strict=True):
        assert state == seeding._numpy_state(seed, run), run
    # ... and the batch is seeded so: one generator, set to each run's state in turn
    assert len({id(rng) for rng in seeding.generators(seed, runs)}) == 1


def test_runs_beyond_one_word_are_seeded_by_numpy() -> None:
    _assert_numpys(3, np.array([2**32 - 1, 2**32, 2**40]))


def test_a_numpy_that_seeds_otherwise_is_followed(monkeypatch) -> None:
    """Were numpy's seeding ever to differ from the one written here, the check on the
    batch's first run sends every run to numpy's own: the same numbers still."""
    monkeypatch.setattr(seeding, "PCG_MULT", seeding.PCG_MULT + 2)
    runs = np.arange(5)
    assert seeding._states(9, runs)[0] != seeding._numpy_state(9, 0)
    _assert_numpys(9, runs)


def test_an_empty_batch_has_no_generator() -> None:
    assert list(seeding.generators(1, np.array([], np.int64))) == []


def test_a_numpy_integer_seed_draws_as_the_same_python_integer() -> None:
    for seed in (np.int64(2**62 + 7), np.uint64(2**64 - 1)):
        _assert_numpys(seed, np.arange(3))
