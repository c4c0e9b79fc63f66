"""Node-disjoint rounds for concurrent writers."""

from __future__ import annotations

import random

import pytest

from etl.stores.rounds import disjoint_rounds, pairings


@pytest.mark.parametrize("groups", [2, 3, 4, 5, 8])
def test_pairings_cover_every_pair_once_and_no_group_twice_a_round(groups: int) -> None:
    rounds = pairings(groups)
    seen = [pair for pairs in rounds for pair in pairs]
    everything = {(a, b) for a in range(groups) for b in range(a, groups)}
    assert sorted(seen) == sorted(everything)
    for pairs in rounds:
        used = [g for a, b in pairs for g in {a, b}]
        assert len(used) == len(set(used))


@pytest.mark.parametrize("writers", [2, 3])
def test_buckets_of_a_round_share_no_node_and_cover_every_item(writers: int) -> None:
    rng = random.Random(writers)
    hubs = [f"hub{i}" for i in range(3)]
    items = [
        (rng.choice(hubs) if rng.random() < 0.3 else f"n{rng.randrange(200)}", f"n{i % 150}")
        for i in range(2000)
    ]
    rounds = disjoint_rounds(items, lambda item: item, writers)
    assert sorted(i for buckets in rounds for b in buckets for i in b) == sorted(items)
    for buckets in rounds:
        nodes = [{n for item in bucket for n in item} for bucket in buckets]
        for i, a in enumerate(nodes):
            for b in nodes[i + 1 :]:
                assert not a & b


def test_one_writer_gets_everything_in_one_round() -> None:
    items = [("a", "b"), ("b", "c")]
    assert disjoint_rounds(items, lambda item: item, 1) == [[items]]
    assert disjoint_rounds([], lambda item: item, 1) == []
