"""Each run's generator for a whole batch: numpy's streams, seeded at a fraction of the cost.

Run i of seed s draws from Generator(PCG64(SeedSequence(s, spawn_key=(i,))))
(`sim.engine.draws`). Making those three objects cost about 26 µs a run on the
project's machine, more than drawing the run's numbers: the sequence hashes its
words in loops of Python objects, and PCG64 asks it for its seed through the same.
Here the sequence's hash is computed for a batch at once with numpy's 32-bit
arithmetic (the seed's words, shared by every run, once; the run's own word for
every run together), PCG64's state follows from it with Python integers, and one
generator is set to each run's state in turn: the same numbers, a few µs a run.

It is numpy's algorithm, written again (numpy/random/bit_generator.pyx, SeedSequence;
numpy/random/src/pcg64, `pcg64_set_seed`), so it is checked against numpy itself: the
batch's first run is also seeded by numpy, and where the states differ (a numpy that
seeds otherwise) every run of the batch is seeded by numpy, as before.
`tests/engine/test_seeding.py` compares every run of many batches.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator

import numpy as np

INIT_A, MULT_A = 0x43B0D7E5, 0x931E8875
INIT_B, MULT_B = 0x8B51F9DD, 0x58F38DED
MIX_MULT_L, MIX_MULT_R = 0xCA01F9DD, 0x4973F715
XSHIFT, POOL = 16, 4
M32 = 0xFFFFFFFF
M128 = (1 << 128) - 1
PCG_MULT = 0x2360ED051FC65DA44385DF649FCCF645
"""SeedSequence's hashing constants, its pool size, and PCG64's 128-bit multiplier."""


def numpy_generator(seed: int, run: int) -> np.random.Generator:
    """The generator of one run as numpy makes it: the run-th child of the seed."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(run,))))


def generators(seed: int, runs: np.ndarray) -> Iterator[np.random.Generator]:
    """Each run's generator, in order: `numpy_generator(seed, run)` for every run.

    The generator yielded is one object set to each run's state in turn, so a run's
    numbers must be drawn before the next is asked for (as `sim.engine.draws` does)."""
    seed = operator.index(seed)  # a numpy integer as a Python one: its words never wrap
    runs = np.asarray(runs, dtype=np.int64)
    states = _states(seed, runs) if len(runs) and _fits(seed, runs) else None
    if states is None or states[0] != _numpy_state(seed, int(runs[0])):
        for run in runs.tolist():
            yield numpy_generator(seed, run)
        return
    bits = np.random.PCG64(0)
    rng = np.random.Generator(bits)
    for state, inc in states:
        bits.state = {
            "bit_generator": "PCG64",
            "state": {"state": state, "inc": inc},
            "has_uint32": 0,
            "uinteger": 0,
        }
        yield rng


def _fits(seed: int, runs: np.ndarray) -> bool:
    """A seed numpy takes (a non-negative integer) and runs of one 32-bit word each."""
    return seed >= 0 and int(runs.min()) >= 0 and int(runs.max()) <= M32


def _numpy_state(seed: int, run: int) -> tuple[int, int]:
    """PCG64's (state, inc) for the run as numpy seeds it."""
    state = numpy_generator(seed, run).bit_generator.state["state"]
    return state["state"], state["inc"]


def _words(n: int) -> list[int]:
    """An integer's 32-bit words, lowest first; [0] for 0 (numpy's `_int_to_uint32_array`)."""
    out = [n & M32]
    n >>= 32
    while n:
        out.append(n & M32)
        n >>= 32
    return out


def _hashmix(value, const: int):
    """SeedSequence's `hashmix`: (the hashed value, the next hash constant)."""
    value = value ^ const
    const = (const * MULT_A) & M32
    value = (value * const) & M32
    return value ^ (value >> XSHIFT), const


def _mix(x, y):
    """SeedSequence's `mix` of a pool word `x` with a hashed word `y`."""
    result = (MIX_MULT_L * x - MIX_MULT_R * y) & M32
    return result ^ (result >> XSHIFT)


def _states(seed: int, runs: np.ndarray) -> list[tuple[int, int]]:
    """PCG64's (state, inc) of each run, from the pool SeedSequence(seed,
    spawn_key=(run,)) mixes: the seed's words padded to the pool's size, then the run's."""
    words = _words(seed)
    words += [0] * (POOL - len(words))
    const, pool = INIT_A, [0] * POOL
    for i in range(POOL):
        pool[i], const = _hashmix(words[i], const)
    for src in range(POOL):
        for dst in range(POOL):
            if src != dst:
                h, const = _hashmix(pool[src], const)
                pool[dst] = _mix(pool[dst], h)
    for word in words[POOL:]:
        for dst in range(POOL):
            h, const = _hashmix(word, const)
            pool[dst] = _mix(pool[dst], h)
    mixed = np.empty((POOL, len(runs)), np.uint64)  # the run's word, for every run at once
    run = runs.astype(np.uint64)
    for dst in range(POOL):
        h, const = _hashmix(run, const)
        mixed[dst] = _mix(np.uint64(pool[dst]), h)
    return _pcg64(_generate_state(mixed))


def _generate_state(pool: np.ndarray) -> np.ndarray:
    """SeedSequence's `generate_state(4, np.uint64)` of each run's pool (POOL, R): (4, R)."""
    const = INIT_B
    out = np.empty((2 * POOL, pool.shape[1]), np.uint64)
    for i in range(2 * POOL):
        value = pool[i % POOL] ^ np.uint64(const)
        const = (const * MULT_B) & M32
        value = (value * np.uint64(const)) & np.uint64(M32)
        out[i] = value ^ (value >> np.uint64(XSHIFT))
    return out[0::2] | (out[1::2] << np.uint64(32))  # little-endian pairs of 32-bit words


def _pcg64(words: np.ndarray) -> list[tuple[int, int]]:
    """PCG64's internal (state, inc) from its four seed words (`pcg64_set_seed`): the
    increment is 2·inc + 1; the state steps once from 0, takes the seed, steps again."""
    out = []
    for w0, w1, w2, w3 in zip(*words.tolist(), strict=True):
        inc = ((((w2 << 64) | w3) << 1) | 1) & M128
        out.append(((((inc + ((w0 << 64) | w1)) & M128) * PCG_MULT + inc) & M128, inc))
    return out
