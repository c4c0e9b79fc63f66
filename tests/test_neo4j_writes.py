"""The Neo4j writer on hand-made documents: evidence summaries, several writers, and an
article a stopped run left half written. No spaCy model needed."""

from __future__ import annotations

import random
from dataclasses import replace
from functools import partial
from itertools import count

import pytest

from etl.config import Neo4jSettings
from etl.errors import StoreError
from etl.models import Article, Edge, GraphDoc, LoadReport, Node
from etl.ontology import entity_iri
from etl.stores.neo4j import Neo4jStore, _by_type

pytestmark = pytest.mark.neo4j

FACT_PROPS = """
MATCH (s)-[r]->(o) WHERE type(r) <> 'MENTIONS'
RETURN s.uri AS s, type(r) AS t, o.uri AS o, r.uri AS p, r.articles AS articles,
       r.evidenceArticles AS ea, r.evidenceSentences AS es, r.evidenceConfidences AS ec,
       r.evidenceCount AS n, r.confidence AS confidence, r.firstSeen AS first,
       r.lastSeen AS last
ORDER BY s, t, o"""


def _group(i: int) -> Node:
    name = f"Test Brigade {i}"
    return Node(entity_iri(name), name, ("ArmedGroup", "Organization", "Actor"))


def _town(i: int) -> Node:
    name = f"Testtown {i}"
    return Node(entity_iri(name), name, ("Town", "Place"), (f"Testtown-{i}",))


def _doc(n: int, facts: list[tuple[Node, str, Node]], published: str | None) -> GraphDoc:
    sentences = [f"{s.name} {p} {o.name} (report {n})." for s, p, o in facts]
    article = Article(f"t-{n:04d}", " ".join(sentences), f"Report {n}", None, published)
    edges, start = [], 0
    for (s, p, o), sentence in zip(facts, sentences, strict=True):
        confidence = round(0.5 + (n % 5) / 10, 2)
        edges.append(Edge(s.iri, p, o.iri, sentence, start, start + len(sentence), confidence))
        start += len(sentence) + 1
    nodes = list({x.iri: x for f in facts for x in (f[0], f[2])}.values())
    return GraphDoc(article, nodes, edges)


def _corpus(articles: int, seed: int = 7) -> list[GraphDoc]:
    """Articles over a few groups and towns, so facts recur across articles and batches."""
    rng = random.Random(seed)
    docs = []
    for n in range(articles):
        facts = []
        for _ in range(rng.randint(1, 6)):
            if rng.random() < 0.6:
                facts.append((_group(rng.randrange(12)), "captured", _town(rng.randrange(20))))
            else:
                a, b = rng.sample(range(12), 2)
                facts.append((_group(a), "foughtWith", _group(b)))
        published = None if n % 7 == 0 else f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}"
        docs.append(_doc(n, facts, published))
    return docs


def _load(settings: Neo4jSettings, docs: list[GraphDoc], batch: int = 25) -> list[dict]:
    store = Neo4jStore(replace(settings, send_articles=batch))  # each batch sent alone
    try:
        for i in range(0, len(docs), batch):
            store.write(docs[i : i + batch], LoadReport("neo4j"))
        return store.query(FACT_PROPS).rows
    finally:
        store.close()


def _clear(settings: Neo4jSettings) -> None:
    store = Neo4jStore(settings)
    store.query("MATCH (n) DETACH DELETE n")
    store.close()


def test_summaries_follow_the_evidence_across_batches(neo4j_clean: Neo4jSettings) -> None:
    docs = _corpus(120)
    rows = _load(neo4j_clean, docs)
    expected: dict[tuple[str, str], list[tuple[str, float, str | None]]] = {}
    for d in docs:
        for e in d.edges:
            expected.setdefault((e.subject, e.object), []).append(
                (d.article.id, e.confidence, d.article.published)
            )
    assert len(rows) == len(expected)
    for row in rows:
        evidence = expected[(row["s"], row["o"])]
        dates = [p for _, _, p in evidence if p]
        assert row["ea"] == [a for a, _, _ in evidence]  # in load order, across batches
        assert row["articles"] == list(dict.fromkeys(row["ea"]))
        assert row["n"] == len(evidence) == len(row["es"]) == len(row["ec"])
        assert row["confidence"] == max(c for _, c, _ in evidence)
        assert (row["first"], row["last"]) == (min(dates, default=None), max(dates, default=None))


def test_deleting_an_article_recomputes_first_and_last_seen(neo4j_clean: Neo4jSettings) -> None:
    a, b = _group(1), _town(1)
    docs = [
        _doc(1, [(a, "captured", b)], "2025-01-05"),
        _doc(2, [(a, "captured", b)], "2025-03-09"),
    ]
    _load(neo4j_clean, docs)
    store = Neo4jStore(neo4j_clean)
    try:
        assert store.delete("t-0002")
        [row] = store.query(FACT_PROPS).rows
    finally:
        store.close()
    assert (row["first"], row["last"], row["n"], row["articles"]) == (
        "2025-01-05",
        "2025-01-05",
        1,
        ["t-0001"],
    )


def test_two_writers_write_the_same_graph_as_one(neo4j_clean: Neo4jSettings) -> None:
    docs = _corpus(300, seed=11)
    one = _load(neo4j_clean, docs, batch=100)
    _clear(neo4j_clean)
    two = _load(replace(neo4j_clean, writers=2, fact_batch=40), docs, batch=100)
    assert one and two == one


def test_an_article_left_without_its_hash_is_rewritten_without_duplicates(
    neo4j_clean: Neo4jSettings,
) -> None:
    docs = _corpus(30, seed=3)
    before = _load(neo4j_clean, docs)
    store = Neo4jStore(neo4j_clean)
    try:
        # what a run stopped between the facts and the seal leaves behind
        store.query("MATCH (a:Article {id: 't-0004'}) REMOVE a.contentHash")
        assert store.unchanged([d.article for d in docs]) == {
            d.article.id for d in docs if d.article.id != "t-0004"
        }
        store.write([docs[4]], LoadReport("neo4j"))
        store.flush()  # until then, the batch being written counts as changed
        assert len(store.unchanged([d.article for d in docs])) == len(docs)
        after = store.query(FACT_PROPS).rows
    finally:
        store.close()
    # the rewritten article's evidence moved to the end of each list; nothing doubled
    assert len(after) == len(before)
    for old, new in zip(before, after, strict=True):
        assert sorted(old["ea"]) == sorted(new["ea"]) and old["n"] == new["n"]


def test_a_later_run_adds_to_known_facts_instead_of_creating_them_again(
    neo4j_clean: Neo4jSettings,
) -> None:
    docs = _corpus(160, seed=5)
    at_once = _load(neo4j_clean, docs)
    _clear(neo4j_clean)
    _load(neo4j_clean, docs[:80])  # a first run creates the nodes and most facts
    in_two_runs = _load(neo4j_clean, docs[80:])  # the second finds them held
    assert at_once and in_two_runs == at_once


def test_a_retried_create_transaction_does_not_duplicate_facts(
    neo4j_clean: Neo4jSettings,
) -> None:
    a, b, c = _group(1), _town(1), _town(2)
    store = Neo4jStore(neo4j_clean)
    try:
        store.write([_doc(1, [(a, "captured", b)], "2025-01-05")], LoadReport("neo4j"))
        store.write([_doc(3, [(c, "captured", b)], None)], LoadReport("neo4j"))
        store.flush()
        rows = store._fact_rows([_doc(2, [(a, "captured", c)], "2025-02-01")])
        store._resolve(rows)
        assert [f.new for f in rows] == [True]  # c is a node this store created
        by_type = _by_type(rows)
        store._write(partial(store._facts_tx, by_type, count()))  # commits...
        store._write(partial(store._facts_tx, by_type, count(1)))  # ...and is run again
        facts = [r for r in store.query(FACT_PROPS).rows if r["o"] == c.iri]
    finally:
        store.close()
    assert [(f["s"], f["ea"], f["n"]) for f in facts] == [(a.iri, ["t-0002"], 1)]


def test_a_retried_merge_transaction_does_not_add_its_evidence_twice(
    neo4j_clean: Neo4jSettings,
) -> None:
    a, b = _group(1), _town(1)
    _load(neo4j_clean, [_doc(1, [(a, "captured", b)], "2025-01-05")])
    store = Neo4jStore(neo4j_clean)  # a later run: the fact is known, so merged
    try:
        store._node_state([a.iri, b.iri])
        rows = store._fact_rows([_doc(2, [(a, "captured", b)], "2025-02-01")])
        store._resolve(rows)
        assert [f.new for f in rows] == [False]
        by_type = _by_type(rows)
        store._write(partial(store._facts_tx, by_type, count()))  # commits...
        store._write(partial(store._facts_tx, by_type, count(1)))  # ...and is run again
        [fact] = store.query(FACT_PROPS).rows
    finally:
        store.close()
    assert (fact["ea"], fact["n"], fact["last"]) == (["t-0001", "t-0002"], 2, "2025-02-01")


def test_a_batch_that_fails_while_sent_is_reported_by_the_next_call(
    neo4j_clean: Neo4jSettings,
) -> None:
    a, b = _group(1), _town(1)
    good = _doc(1, [(a, "captured", b)], "2025-01-05")
    broken = replace(good, article=replace(good.article, id="t-0002"), nodes=[a])  # b missing
    store = Neo4jStore(replace(neo4j_clean, send_articles=1))
    try:
        store.write([broken], LoadReport("neo4j"))  # returns: the batch is sent meanwhile
        with pytest.raises(StoreError, match=f"fact names {b.iri}"):
            store.write([good], LoadReport("neo4j"))
        store.flush()  # the error was raised once; nothing else is pending
        assert store.unchanged([good.article, broken.article]) == set()  # neither sealed
    finally:
        store.close()


def test_articles_are_sent_in_groups_of_send_articles(neo4j_clean: Neo4jSettings) -> None:
    docs = _corpus(7, seed=13)
    store = Neo4jStore(replace(neo4j_clean, send_articles=5))
    sealed = "MATCH (a:Article) WHERE a.contentHash IS NOT NULL RETURN count(a) AS n"
    report = LoadReport("neo4j")
    try:
        store.write(docs[:3], report)
        store.write(docs[3:4], report)
        assert _count(neo4j_clean, sealed) == 0  # 4 queued
        store.write(docs[4:6], report)  # 6: sent
        store.write(docs[6:], report)
        store._wait()  # what was sent, not what is queued
        assert _count(neo4j_clean, sealed) == 6
        store.flush()
        assert _count(neo4j_clean, sealed) == 7 == report.documents
    finally:
        store.close()


def _count(settings: Neo4jSettings, query: str) -> int:
    """Ask through a store of its own (a store's own queries send its queue first)."""
    other = Neo4jStore(settings)
    try:
        return int(other.query(query).rows[0]["n"])
    finally:
        other.close()
