"""Per-family random streams: common random numbers across scenarios.

Each family episode draws from its own stream, derived with `numpy.random.SeedSequence` from
(seed, replication, family id, episode). A stream hands out uniforms at fixed positions, so the
same family meets the same luck in two scenarios: its need level, its triage draw and its first
stage's duration are identical whatever the caseload. Streams extend themselves when a long path
needs more draws; `SeedSequence.generate_state` is prefix-stable, so extending never changes the
draws already made.

Deriving one SeedSequence costs about 10 microseconds, which for 50,000 families was a third of a
replication. `first_uniforms` therefore derives the first uniforms of many families at once (the
arriving families in blocks, the relapses as they come due: `LaterEpisodes`): it is
numpy's SeedSequence algorithm (its hash mixing of 32-bit words and `generate_state`) written over
arrays of families, and gives bit for bit the same numbers (tests/test_stream_batch.py checks it
against numpy's own SeedSequence).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

# The first element of a spawn key after the replication says what the stream is for.
FAMILY = 0
ARRIVALS = 1

_SCALE = 2.0 ** -53
# The uniforms a stream starts with: its first nine positions and three stays at a level (one stay for
# 86 % of the plan's episodes, two for 12 %, three for 2 %); a longer path (0.3 %) derives more. 24 took a
# third more time to derive and to make Python floats of.
_BLOCK = 18
_CHUNK = 4096  # families whose first uniforms are derived at once (`first_uniforms`)

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

    __slots__ = ("_key", "uniforms")

    def __init__(self, seed: int, replication: int, family: int, episode: int,
                 first: list[float] | None = None) -> None:
        self._key = (seed, replication, family, episode)
        # the uniforms derived so far, by position (a hot loop reads them directly, after `extend`)
        self.uniforms = first if first is not None else self._generate(_BLOCK)

    def _generate(self, n: int) -> list[float]:
        seed, replication, family, episode = self._key
        seq = np.random.SeedSequence(seed, spawn_key=(replication, FAMILY, family, episode))
        return _uniforms(seq.generate_state(n, np.uint64)).tolist()

    def extend(self, n: int) -> list[float]:
        """The uniforms, at least n of them (derived further if needed)."""
        if n > len(self.uniforms):
            self.uniforms = self._generate(max(2 * len(self.uniforms), n))
        return self.uniforms

    def u(self, position: int) -> float:
        """The uniform at `position` in (0, 1)."""
        return self.extend(position + 1)[position]


def _words(x: int) -> list[int]:
    """A non-negative integer as little-endian 32-bit words, as SeedSequence reads it (0 -> [0])."""
    out = [x & _MASK]
    x >>= 32
    while x:
        out.append(x & _MASK)
        x >>= 32
    return out


def _hashmix(value, const: int, next_const: int):
    """SeedSequence's hashmix of one word (an int) or of a word per family (a uint32 array), with
    the multipliers of its place in the sequence."""
    if isinstance(value, np.ndarray):
        value = (value ^ np.uint32(const)) * np.uint32(next_const)
    else:
        value = ((value ^ const) * next_const) & _MASK
    return value ^ (value >> 16)


def _mix(x, y):
    """SeedSequence's mix of two words, each an int or a uint32 array (arrays wrap at 2**32)."""
    left = x * np.uint32(_MIX_L) if isinstance(x, np.ndarray) else (x * _MIX_L) & _MASK
    right = y * np.uint32(_MIX_R) if isinstance(y, np.ndarray) else (y * _MIX_R) & _MASK
    r = left - right
    if not isinstance(r, np.ndarray):
        r &= _MASK
    return r ^ (r >> 16)


def _multipliers(init: int, mult: int, count: int) -> list[int]:
    """The constants a sequence of `count` hashes uses: init, init * mult, ... (mod 2**32)."""
    out = [init]
    for _ in range(count):
        out.append((out[-1] * mult) & _MASK)
    return out


def first_uniforms(seed: int, replication: int, families: np.ndarray, episode: int | np.ndarray = 0,
                   n: int = _BLOCK) -> np.ndarray:
    """The first n uniforms of each family's stream, shape (len(families), n): row i equals
    FamilyStream(seed, replication, families[i], episode) at positions 0..n-1 (with an array of
    episodes, one per family: episode[i]).

    The words every family shares (seed, replication, purpose) are mixed once per run, as integers
    (`_shared_pool`); only the family and episode words are mixed per family, so that a batch of a
    few dozen families costs little more than one SeedSequence. Many families are derived _CHUNK at
    a time: the derivation's intermediate arrays take some ten times its result (the open cases of
    a city ten times as large at once: 44 MB)."""
    families = np.asarray(families, dtype=np.int64)
    episodes = np.broadcast_to(np.asarray(episode, dtype=np.int64), families.shape)
    if seed < 0 or replication < 0 or (families.size and (families.min() < 0 or families.max() > _MASK
                                                          or episodes.min() < 0)):
        raise ValueError("seed, replication, episode and family ids must be non-negative (ids below 2**32)")
    if replication > _MASK or (episodes.size and episodes.max() > _MASK):
        raise ValueError("replication and episode must be below 2**32")
    if len(families) <= _CHUNK:
        return _derive(seed, replication, families, episodes, n)
    out = np.empty((len(families), n))
    for lo in range(0, len(families), _CHUNK):
        out[lo:lo + _CHUNK] = _derive(seed, replication, families[lo:lo + _CHUNK], episodes[lo:lo + _CHUNK], n)
    return out


def _derive(seed: int, replication: int, families: np.ndarray, episodes: np.ndarray, n: int) -> np.ndarray:
    """`first_uniforms` of valid families and episodes, all at once."""
    shared, a = _shared_pool(seed, replication)
    pool: list = list(shared)
    k = len(a) - 1 - 2 * _POOL  # the hashes the shared words took
    for word in (families.astype(np.uint32), episodes.astype(np.uint32)):
        for dst in range(_POOL):
            pool[dst] = _mix(pool[dst], _hashmix(word, a[k], a[k + 1]))
            k += 1

    # generate_state: word i hashes pool[i % 4] with the i-th of another sequence of constants.
    b = _state_multipliers(n)
    rows = np.stack(pool)[np.arange(2 * n) % _POOL]
    value = (rows ^ b[:-1, None]) * b[1:, None]
    state = value ^ (value >> 16)
    # Pairs of 32-bit words read as one little-endian 64-bit word, as generate_state(n, uint64) does.
    words = np.ascontiguousarray(state.T).astype("<u4", copy=False).view("<u8").astype(np.uint64, copy=False)
    return _uniforms(words)


@lru_cache(maxsize=256)
def _shared_pool(seed: int, replication: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """SeedSequence's pool after the words every family stream of a run shares (the seed, the
    replication, the purpose FAMILY), and the multipliers of the whole sequence of hashes, the
    family's and episode's words included (their last 2 x _POOL + 1)."""
    run = _words(seed)
    run += [0] * (_POOL - len(run))
    entropy = [*run, replication, FAMILY]
    n_hashes = _POOL + _POOL * (_POOL - 1) + _POOL * (len(entropy) + 2 - _POOL)
    a = _multipliers(_INIT_A, _MULT_A, n_hashes)
    k = 0

    def hashmix(value: int) -> int:
        nonlocal k
        k += 1
        return _hashmix(value, a[k - 1], a[k])

    pool = [hashmix(entropy[i]) for i in range(_POOL)]
    for src in range(_POOL):
        for dst in range(_POOL):
            if src != dst:
                pool[dst] = _mix(pool[dst], hashmix(pool[src]))
    for src in range(_POOL, len(entropy)):
        for dst in range(_POOL):
            pool[dst] = _mix(pool[dst], hashmix(entropy[src]))
    return tuple(pool), tuple(a)


@lru_cache(maxsize=8)
def _state_multipliers(n: int) -> np.ndarray:
    """The constants of generate_state for 2n 32-bit words (read-only)."""
    b = np.array(_multipliers(_INIT_B, _MULT_B, 2 * n), dtype=np.uint32)
    b.flags.writeable = False
    return b


class LaterEpisodes:
    """The first uniforms of family episodes that start later in the run (a relapse's
    re-notification), derived in batches: an episode is announced as soon as its day is drawn
    (`expect`), and the first time one is needed (`first`) every episode announced so far is derived
    with one `first_uniforms` call. A run schedules thousands of relapses; one SeedSequence each cost 10
    microseconds, a batch of a hundred little more than one."""

    __slots__ = ("seed", "replication", "announced", "derived")

    def __init__(self, seed: int, replication: int) -> None:
        self.seed, self.replication = seed, replication
        self.announced: list[tuple[int, int]] = []
        self.derived: dict[tuple[int, int], np.ndarray] = {}  # rows of the batches' arrays

    def expect(self, family: int, episode: int) -> None:
        self.announced.append((family, episode))

    def first(self, family: int, episode: int) -> list[float]:
        """The first uniforms of an announced episode's stream (each is asked for once; a
        FamilyStream takes them as its `first`). Kept as rows of their batch's array until then, not
        as Python floats: a large city has tens of thousands of returns pending, and as lists of
        floats they took four times the memory, spread among the objects a run works with."""
        key = (family, episode)
        if key not in self.derived:
            families, episodes = np.array(self.announced, dtype=np.int64).reshape(-1, 2).T
            rows = first_uniforms(self.seed, self.replication, families, episodes)
            self.derived.update(zip(self.announced, rows))
            self.announced.clear()
        return self.derived.pop(key).tolist()


def arrivals_rng(seed: int, replication: int, district: int) -> np.random.Generator:
    """The generator of one district's notification times (independent of the families' streams)."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(replication, ARRIVALS, district)))
