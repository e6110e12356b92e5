"""Per-family random streams: common random numbers across scenarios.

Each family episode draws from its own stream, derived with `numpy.random.SeedSequence` from
(seed, replication, family id, episode). A stream hands out uniforms at fixed positions, so the
same family meets the same luck in two scenarios: its need level, its triage draw and its first
stage's duration are identical whatever the caseload. Streams extend themselves when a long path
needs more draws; `SeedSequence.generate_state` is prefix-stable, so extending never changes the
draws already made.
"""

from __future__ import annotations

import numpy as np

# The first element of a spawn key after the replication says what the stream is for.
FAMILY = 0
ARRIVALS = 1

_SCALE = 2.0 ** -53
_BLOCK = 24


def _uniforms(words: np.ndarray) -> list[float]:
    # 53 random bits, shifted half a step so that no uniform is exactly 0 or 1.
    return (((words >> np.uint64(11)).astype(np.float64) + 0.5) * _SCALE).tolist()


class FamilyStream:
    """The uniforms of one family episode, by position."""

    __slots__ = ("_seq", "_u")

    def __init__(self, seed: int, replication: int, family: int, episode: int) -> None:
        self._seq = np.random.SeedSequence(seed, spawn_key=(replication, FAMILY, family, episode))
        self._u = _uniforms(self._seq.generate_state(_BLOCK, np.uint64))

    def u(self, position: int) -> float:
        """The uniform at `position` in (0, 1)."""
        if position >= len(self._u):
            n = max(2 * len(self._u), position + 1)
            self._u = _uniforms(self._seq.generate_state(n, np.uint64))
        return self._u[position]


def arrivals_rng(seed: int, replication: int, district: int) -> np.random.Generator:
    """The generator of one district's notification times (independent of the families' streams)."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(replication, ARRIVALS, district)))
