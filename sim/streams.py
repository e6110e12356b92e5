"""Per-family random streams: common random numbers across scenarios.

Each family episode draws from its own stream, derived with `numpy.random.SeedSequence` from
(seed, replication, family id, episode). A stream hands out uniforms at fixed positions, so the
same family meets the same luck in two scenarios: its need level, its triage draw and its first
stage's duration are identical whatever the caseload. Streams extend themselves when a long path
needs more draws; `SeedSequence.generate_state` is prefix-stable, so extending never changes the
draws already made.

Deriving one SeedSequence costs about 10 microseconds, which for 50,000 families was a third of a
replication. `first_uniforms` therefore derives the first uniforms of many families at once: it is
numpy's SeedSequence algorithm (its hash mixing of 32-bit words and `generate_state`) written over
arrays of families, and gives bit for bit the same numbers (tests/test_stream_batch.py checks it
against numpy's own SeedSequence).
"""

from __future__ import annotations

import numpy as np

# The first element of a spawn key after the replication says what the stream is for.
FAMILY = 0
ARRIVALS = 1

_SCALE = 2.0 ** -53
_BLOCK = 24

# numpy.random.SeedSequence's constants (numpy/random/bit_generator.pyx), pool of 4 words.
_POOL = 4
_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715
_MASK = 0xFFFFFFFF


def _uniforms(words: np.ndarray) -> np.ndarray:
    # 53 random bits, shifted half a step so that no uniform is exactly 0 or 1.
    return ((words >> np.uint64(11)).astype(np.float64) + 0.5) * _SCALE


class FamilyStream:
    """The uniforms of one family episode, by position. `first` may hand over uniforms already
    derived in a batch (`first_uniforms`); the SeedSequence is then only made if a long path needs
    more."""

    __slots__ = ("_key", "_u")

    def __init__(self, seed: int, replication: int, family: int, episode: int,
                 first: list[float] | None = None) -> None:
        self._key = (seed, replication, family, episode)
        self._u = first if first is not None else self._generate(_BLOCK)

    def _generate(self, n: int) -> list[float]:
        seed, replication, family, episode = self._key
        seq = np.random.SeedSequence(seed, spawn_key=(replication, FAMILY, family, episode))
        return _uniforms(seq.generate_state(n, np.uint64)).tolist()

    def u(self, position: int) -> float:
        """The uniform at `position` in (0, 1)."""
        if position >= len(self._u):
            self._u = self._generate(max(2 * len(self._u), position + 1))
        return self._u[position]


def _words(x: int) -> list[int]:
    """A non-negative integer as little-endian 32-bit words, as SeedSequence reads it (0 -> [0])."""
    out = [x & _MASK]
    x >>= 32
    while x:
        out.append(x & _MASK)
        x >>= 32
    return out


def first_uniforms(seed: int, replication: int, families: np.ndarray, episode: int = 0,
                   n: int = _BLOCK) -> np.ndarray:
    """The first n uniforms of each family's stream, shape (len(families), n): row i equals
    FamilyStream(seed, replication, families[i], episode) at positions 0..n-1."""
    families = np.asarray(families, dtype=np.int64)
    if seed < 0 or replication < 0 or episode < 0 or (families.size and (families.min() < 0 or families.max() > _MASK)):
        raise ValueError("seed, replication, episode and family ids must be non-negative (ids below 2**32)")
    if replication > _MASK or episode > _MASK:
        raise ValueError("replication and episode must be below 2**32")
    run = _words(seed)
    run += [0] * (_POOL - len(run))
    size = len(families)
    entropy = [np.full(size, w, dtype=np.uint32) for w in run]
    entropy += [np.full(size, replication, dtype=np.uint32), np.full(size, FAMILY, dtype=np.uint32),
                families.astype(np.uint32), np.full(size, episode, dtype=np.uint32)]

    const = _INIT_A

    def hashmix(value: np.ndarray) -> np.ndarray:
        nonlocal const
        value = value ^ np.uint32(const)
        const = (const * _MULT_A) & _MASK
        value = value * np.uint32(const)
        return value ^ (value >> np.uint32(16))

    def mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        r = np.uint32(_MIX_L) * x - np.uint32(_MIX_R) * y
        return r ^ (r >> np.uint32(16))

    pool = [hashmix(entropy[i]) for i in range(_POOL)]
    for src in range(_POOL):
        for dst in range(_POOL):
            if src != dst:
                pool[dst] = mix(pool[dst], hashmix(pool[src]))
    for src in range(_POOL, len(entropy)):
        for dst in range(_POOL):
            pool[dst] = mix(pool[dst], hashmix(entropy[src]))

    state = np.empty((2 * n, size), dtype=np.uint32)
    const = _INIT_B
    for i in range(2 * n):
        value = pool[i % _POOL] ^ np.uint32(const)
        const = (const * _MULT_B) & _MASK
        value = value * np.uint32(const)
        state[i] = value ^ (value >> np.uint32(16))
    # Pairs of 32-bit words read as one little-endian 64-bit word, as generate_state(n, uint64) does.
    words = np.ascontiguousarray(state.T).astype("<u4", copy=False).view("<u8").astype(np.uint64, copy=False)
    return _uniforms(words)


def arrivals_rng(seed: int, replication: int, district: int) -> np.random.Generator:
    """The generator of one district's notification times (independent of the families' streams)."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(replication, ARRIVALS, district)))
