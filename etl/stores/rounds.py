"""Node-disjoint rounds of work for concurrent Neo4j writers.

Two transactions that create relationships on the same node wait on each other's lock
and can deadlock. Entities are dealt into groups of about equal degree; a fact belongs
to the bucket of its two ends' groups. In a round, buckets pair up groups so that no
group appears twice (the circle method of round-robin tournaments), so writers running
the buckets of one round never touch the same node.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

T = TypeVar("T")


def degree_groups(ends: Sequence[tuple[Hashable, Hashable]], groups: int) -> dict[Hashable, int]:
    """Each node to one of `groups` groups, heaviest first to the lightest group."""
    degree: Counter[Hashable] = Counter()
    for a, b in ends:
        degree[a] += 1
        degree[b] += 1
    load = [0] * groups
    group = {}
    for node, d in sorted(degree.items(), key=lambda kv: (-kv[1], str(kv[0]))):
        g = min(range(groups), key=load.__getitem__)
        group[node] = g
        load[g] += d
    return group


def pairings(groups: int) -> list[list[tuple[int, int]]]:
    """Rounds of group pairs in which no group appears twice: every unordered pair of
    distinct groups once, then one round of each group with itself."""
    players = list(range(groups + groups % 2))  # an odd count gets a bye, dropped below
    n = len(players)
    rounds = []
    for _ in range(n - 1):
        pairs = [(players[i], players[n - 1 - i]) for i in range(n // 2)]
        rounds.append([(min(p), max(p)) for p in pairs if max(p) < groups])
        players = [players[0], players[-1], *players[1:-1]]
    rounds.append([(g, g) for g in range(groups)])
    return rounds


def disjoint_rounds(
    items: Sequence[T], ends: Callable[[T], tuple[Hashable, Hashable]], writers: int
) -> list[list[list[T]]]:
    """Rounds of buckets: the buckets of one round share no node. One writer gets all
    items in one bucket (one round) when `writers` is 1."""
    if writers <= 1:
        return [[list(items)]] if items else []
    group = degree_groups([ends(i) for i in items], 2 * writers)
    buckets: dict[tuple[int, int], list[T]] = defaultdict(list)
    for item in items:
        a, b = (group[n] for n in ends(item))
        buckets[(min(a, b), max(a, b))].append(item)
    rounds = [[buckets[p] for p in pairs if buckets.get(p)] for pairs in pairings(2 * writers)]
    return [r for r in rounds if r]
