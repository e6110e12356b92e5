"""Family streams derived in a batch are numpy's SeedSequence streams, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from sim.streams import FamilyStream, LaterEpisodes, first_uniforms


@pytest.mark.parametrize("seed", [0, 1, 7, 2**32 - 1, 2**32 + 5, 2**70 + 3])
@pytest.mark.parametrize("replication, episode", [(0, 0), (3, 0), (999, 2)])
def test_batch_rows_equal_single_family_streams(seed, replication, episode):
    families = np.concatenate([np.arange(5), [1_000_000, 1_044_321, 2**32 - 1],
                               np.random.default_rng(seed % 2**32).integers(0, 2**32, 20)])
    batch = first_uniforms(seed, replication, families, episode)
    for row, family in zip(batch.tolist(), families.tolist()):
        stream = FamilyStream(seed, replication, family, episode)
        assert row == [stream.u(k) for k in range(batch.shape[1])]


def test_a_batch_may_hold_each_family_at_its_own_episode():
    families = np.array([0, 5, 1_000_000, 1_000_000, 2**32 - 1])
    episodes = np.array([1, 0, 2, 3, 7])
    batch = first_uniforms(11, 4, families, episodes)
    for row, family, episode in zip(batch.tolist(), families.tolist(), episodes.tolist()):
        stream = FamilyStream(11, 4, family, episode)
        assert row == [stream.u(k) for k in range(batch.shape[1])]


def test_many_families_are_derived_a_chunk_at_a_time_with_the_same_numbers():
    """More families than one chunk (`streams._CHUNK`), each at its own episode: every row is its
    family's stream, across the chunks' seams too."""
    from sim.streams import _CHUNK

    rng = np.random.default_rng(5)
    families = rng.integers(0, 2**32, 2 * _CHUNK + 17)
    episodes = rng.integers(0, 4, len(families))
    batch = first_uniforms(2, 1, families, episodes)
    assert batch.shape == (len(families), 18)
    for i in [0, _CHUNK - 1, _CHUNK, _CHUNK + 1, 2 * _CHUNK, len(families) - 1, *rng.integers(0, len(families), 40)]:
        stream = FamilyStream(2, 1, int(families[i]), int(episodes[i]))
        assert batch[i].tolist() == [stream.u(k) for k in range(batch.shape[1])]


def test_later_episodes_are_derived_together_and_equal_single_streams():
    later = LaterEpisodes(3, 2)
    for family, episode in ((7, 1), (1_000_002, 1), (1_000_002, 2)):
        later.expect(family, episode)
    first = later.first(1_000_002, 2)
    assert later.announced == [] and len(later.derived) == 2  # one batch for all three
    later.expect(9, 4)
    for row, (family, episode) in ((first, (1_000_002, 2)), (later.first(7, 1), (7, 1)),
                                   (later.first(9, 4), (9, 4)), (later.first(1_000_002, 1), (1_000_002, 1))):
        stream = FamilyStream(3, 2, family, episode, row)
        single = FamilyStream(3, 2, family, episode)
        assert [stream.u(k) for k in range(40)] == [single.u(k) for k in range(40)]


def test_a_batch_stream_extends_like_a_single_one():
    first = first_uniforms(7, 1, np.array([1_000_017]), n=3).tolist()[0]
    short = FamilyStream(7, 1, 1_000_017, 0, first)
    full = FamilyStream(7, 1, 1_000_017, 0)
    assert [short.u(k) for k in range(60)] == [full.u(k) for k in range(60)]


def test_ids_beyond_32_bits_are_refused():
    with pytest.raises(ValueError, match="2\\*\\*32"):
        first_uniforms(1, 0, np.array([2**32]))
