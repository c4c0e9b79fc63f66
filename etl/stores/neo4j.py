"""The Neo4j backend: UNWIND batches over Bolt, one transaction per batch, with retries.

Graph model: entities are (:Resource:<Class>:<Superclasses> {uri, name, aliases,
wikidata}); articles are (:Resource:Article {uri, id, title, url, published,
contentHash}) with MENTIONS to their entities; each fact is one relationship typed by the
ontology property (CAPTURED, ALLIED_WITH, ...) carrying its evidence.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache, partial
from itertools import count
from pathlib import Path
from typing import Any, TypeVar

from neo4j.exceptions import AuthError, CypherSyntaxError, Neo4jError, ServiceUnavailable

import neo4j
from etl.config import Neo4jSettings
from etl.errors import Neo4jUnavailableError, QueryError, StoreError
from etl.models import Article, GraphDoc, LoadReport
from etl.ontology import Ontology, article_iri, load_ontology
from etl.stores import QueryResult
from etl.stores.rounds import disjoint_rounds

CYPHER = Path(__file__).parent / "cypher"
T = TypeVar("T")


@dataclass(slots=True)
class Fact:
    """A distinct fact of a batch: the row its query gets (ends, evidence and summary)
    and what the loader keeps to itself."""

    row: dict[str, Any]  # its ends are IRIs until the batch is sent, then element ids
    type: str  # relationship type
    ends: tuple[str, str]  # subject and object IRIs
    key: int  # hash of (ends, type)
    published: list[str] = field(default_factory=list)  # its articles' dates
    new: bool = False  # cannot exist yet: created, not merged


@dataclass(slots=True)
class Batch:
    """The queued articles of one send, built without asking Neo4j (so while the send
    before it is still being written)."""

    ids: list[str]  # article ids
    nodes: dict[str, dict[str, Any]]  # entity IRI -> row
    articles: list[tuple[dict[str, Any], list[str]]]  # row, IRIs of what it mentions
    facts: list[Fact]
    seal: list[dict[str, Any]]  # id and content hash per article
    report: LoadReport  # counted into once the batch is written
    said: Counter[str]  # distinct facts per predicate and article


@cache
def cypher(name: str) -> str:
    """A named query of etl/stores/cypher/."""
    return (CYPHER / f"{name}.cypher").read_text(encoding="utf-8")


class Neo4jStore:
    """Writes graph documents to a Neo4j database and runs Cypher against it."""

    name = "neo4j"

    def __init__(self, settings: Neo4jSettings, ontology: Ontology | None = None):
        self.settings = settings
        self.ontology = ontology or load_ontology()
        auth = (settings.user, settings.password or "") if settings.user else None
        try:
            self.driver = neo4j.GraphDatabase.driver(
                settings.uri,
                auth=auth,
                notifications_min_severity="OFF",
                max_transaction_retry_time=settings.retry_seconds,
            )
            self.driver.verify_connectivity()
        except (ServiceUnavailable, OSError, ValueError) as exc:
            raise Neo4jUnavailableError(
                f"{settings.uri}: Neo4j is not reachable ({exc}); start it (`make neo4j-start`) "
                "or check --neo4j-uri / NEO4J_URI"
            ) from exc
        except AuthError as exc:
            raise Neo4jUnavailableError(
                f"{settings.uri}: Neo4j refused the credentials; set NEO4J_USER and NEO4J_PASSWORD"
            ) from exc
        self._schema_ready = False
        # Batches are sent by one thread, in order, while the caller builds the next one.
        self._sender = ThreadPoolExecutor(1, thread_name_prefix="neo4j-writer")
        self._pending: Future[None] | None = None
        self._queued: list[GraphDoc] = []  # written, not sent yet (up to send_articles)
        self._queued_report: LoadReport | None = None
        self._held: dict[str, dict[str, Any]] = {}  # entity IRI -> what Neo4j holds of it
        self._fresh: set[str] = set()  # IRIs of the nodes this store created
        # Facts written with a fresh end, by hash of (ends, type): those must be merged
        # from then on. A hash collision only makes a new fact merged, which is safe.
        self._created: set[int] = set()

    def _run(self, query: str, **params: Any) -> list[dict[str, Any]]:
        try:
            records, _, _ = self.driver.execute_query(
                query, params, database_=self.settings.database
            )
        except ServiceUnavailable as exc:
            raise Neo4jUnavailableError(f"{self.settings.uri}: lost Neo4j ({exc})") from exc
        except Neo4jError as exc:
            raise StoreError(f"{self.settings.uri}: {exc.message}") from exc
        return [r.data() for r in records]

    def _ensure_schema(self) -> None:
        if not self._schema_ready:
            text = "\n".join(x for x in cypher("schema").splitlines() if not x.startswith("//"))
            for statement in filter(str.strip, text.split(";")):
                self._run(statement)
            self._schema_ready = True

    def unchanged(self, articles: Sequence[Article]) -> set[str]:
        """Articles queued or still being sent count as changed: rewriting one is safe,
        and not waiting lets the caller extract the next batch meanwhile."""
        self._ensure_schema()
        known = {
            r["id"]: r["hash"]
            for r in self._run(cypher("article_hashes"), ids=[a.id for a in articles])
        }
        return {a.id for a in articles if known.get(a.id) == a.content_hash}

    def write(self, docs: Sequence[GraphDoc], report: LoadReport) -> None:
        """Replace what each article said before with what it says now.

        Articles are sent `send_articles` at a time (fewer, larger transactions), by a
        writer thread while the caller goes on (extracting the next batch); the `write`,
        `flush` or `close` after a send waits for it and raises what went wrong. See
        `_send` for the transactions.
        """
        if self._queued and report is not self._queued_report:
            self._send_queued()
        self._queued.extend(docs)
        self._queued_report = report
        if len(self._queued) >= self.settings.send_articles:
            self._send_queued()

    def flush(self) -> None:
        """Send what is queued and wait for it; raise the error of a send that failed."""
        if self._queued:
            self._send_queued()
        self._wait()

    def _send_queued(self) -> None:
        """Build the queued articles' rows here, then hand them to the writer thread once
        the send before has finished."""
        docs = list({d.article.id: d for d in self._queued}.values())  # the last one wins
        report, self._queued = self._queued_report, []
        assert report is not None
        self._ensure_schema()
        batch = Batch(
            ids=[d.article.id for d in docs],
            nodes=_node_rows(docs),
            articles=[_article_row(d) for d in docs],
            facts=self._fact_rows(docs),
            seal=[{"id": d.article.id, "hash": d.article.content_hash} for d in docs],
            report=report,
            said=Counter(
                p for d in docs for _, p, _ in {(e.subject, e.predicate, e.object) for e in d.edges}
            ),
        )
        self._wait()
        self._pending = self._sender.submit(self._send, batch)

    def _wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def _send(self, batch: Batch) -> None:
        """Write one batch in three steps, each in transactions the driver retries on
        transient errors: the entities, articles and mentions; the facts (in
        node-disjoint rounds when there are several writers); then each article's
        content hash. An article without its hash (a run stopped in between) is not
        `unchanged`, so the next run rewrites it.

        Facts and mentions find their ends by element id, learnt when the entities were
        looked up or written: 1.4 times as fast as the `uri` index (200,000 facts, no
        properties: 31,917 vs 22,490 relationships/s), and this loader never deletes
        entities.
        """
        nodes = batch.nodes
        held = self._node_state(list(nodes))
        present = self._present(batch.ids)
        changed = [row for uri, row in nodes.items() if _differs(row, held.get(uri))]

        def entities(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
            if present:
                tx.run(cypher("retract_facts"), ids=present).consume()
                tx.run(cypher("retract_mentions"), ids=present).consume()
            written = tx.run(cypher("merge_nodes"), rows=changed).data() if changed else []
            refs = {r["uri"]: r["ref"] for r in written}
            rows = [
                {**row, "mentions": [refs.get(uri) or held[uri]["ref"] for uri in mentioned]}
                for row, mentioned in batch.articles
            ]
            tx.run(cypher("write_articles"), rows=rows).consume()
            return written

        for w in self._write(entities):
            self._held[w["uri"]] = {**nodes[w["uri"]], "ref": w["ref"]}
            if w["fresh"]:
                self._fresh.add(w["uri"])
        self._resolve(batch.facts)
        for buckets in disjoint_rounds(batch.facts, _ends, self.settings.writers):
            self._in_parallel(buckets)
        self._write(lambda tx: tx.run(cypher("seal_articles"), rows=batch.seal).consume())
        batch.report.documents += len(batch.ids)
        batch.report.entities.update(nodes)
        batch.report.facts.update(batch.said)

    def _write(self, work: Callable[[neo4j.ManagedTransaction], T]) -> T:
        """One write transaction, retried by the driver on transient errors (deadlocks)."""
        try:
            with self.driver.session(database=self.settings.database) as session:
                return session.execute_write(work)
        except ServiceUnavailable as exc:
            raise Neo4jUnavailableError(f"{self.settings.uri}: lost Neo4j ({exc})") from exc
        except Neo4jError as exc:
            raise StoreError(f"{self.settings.uri}: write failed: {exc.message}") from exc

    def _in_parallel(self, buckets: list[list[Fact]]) -> None:
        """Write buckets that share no node, up to `writers` at once."""
        if len(buckets) == 1 or self.settings.writers <= 1:
            for bucket in buckets:
                self._write_facts(bucket)
            return
        with ThreadPoolExecutor(self.settings.writers) as pool:
            for done in [pool.submit(self._write_facts, b) for b in buckets]:
                done.result()

    def _write_facts(self, facts: list[Fact]) -> None:
        """Facts in transactions of at most `fact_batch` rows; those that cannot exist
        yet are created, the others merged."""
        for start in range(0, len(facts), self.settings.fact_batch):
            chunk = facts[start : start + self.settings.fact_batch]
            self._write(partial(self._facts_tx, _by_type(chunk), count()))
            self._created.update(fact.key for fact in chunk if fact.new)

    def _facts_tx(
        self,
        by_type: dict[str, list[Fact]],
        attempts: Iterator[int],
        tx: neo4j.ManagedTransaction,
    ) -> None:
        # A retried transaction may follow one that committed unseen: merge all then.
        first = next(attempts) == 0
        for rel_type, facts in by_type.items():
            new = [fact.row for fact in facts if fact.new and first]
            if new:
                tx.run(self._typed("create_facts", rel_type), rows=new).consume()
            if len(new) < len(facts):
                known = [fact.row for fact in facts if not (fact.new and first)]
                tx.run(self._typed("merge_facts", rel_type), rows=known).consume()

    def _node_state(self, uris: list[str]) -> dict[str, dict[str, Any]]:
        """The entities of `uris` that Neo4j holds, with their properties and labels;
        asked once a run (then remembered as written), as most recur batch after batch."""
        unknown = [u for u in uris if u not in self._held]
        if unknown:
            self._held.update((r["uri"], r) for r in self._run(cypher("node_state"), uris=unknown))
        return self._held

    def _present(self, ids: list[str]) -> list[str]:
        """Which of these articles Neo4j holds already (only those need retracting)."""
        return [r["id"] for r in self._run(cypher("article_hashes"), ids=ids)]

    def _fact_rows(self, docs: Sequence[GraphDoc]) -> list[Fact]:
        """One row per distinct fact of the batch with all of its evidence, so each
        relationship is written once per batch."""
        facts: dict[tuple[str, str, str], Fact] = {}
        for d in docs:
            for e in d.edges:
                prop = self.ontology.property(e.predicate)
                key = (e.subject, prop.relationship_type, e.object)
                if (fact := facts.get(key)) is None:
                    row = _fact_row(e.subject, e.object, prop.iri)
                    fact = Fact(row, prop.relationship_type, (e.subject, e.object), hash(key))
                    facts[key] = fact
                props = fact.row["props"]
                props["evidenceArticles"].append(d.article.id)
                props["evidenceSentences"].append(e.sentence)
                props["evidenceConfidences"].append(e.confidence)
                if d.article.published:
                    fact.published.append(d.article.published)
        for fact in facts.values():
            _summarise(fact)
        return list(facts.values())

    def _resolve(self, facts: list[Fact]) -> None:
        """Give each fact its ends' element ids, and say whether it is `new`: one of its
        ends is a node this run created and no earlier batch of the run wrote it, so it
        cannot exist yet and is created rather than merged. A hash collision in
        `_created` only makes a new fact merged, which is safe."""
        for fact in facts:
            s, o = fact.ends
            fact.row["s"], fact.row["o"] = self._ref(s), self._ref(o)
            fact.new = (s in self._fresh or o in self._fresh) and fact.key not in self._created

    def _ref(self, uri: str) -> str:
        """The element id of an entity this run looked up or wrote."""
        if (held := self._held.get(uri)) is None:
            raise StoreError(f"fact names {uri}, which is not among its document's entities")
        return str(held["ref"])

    def _typed(self, name: str, rel_type: str) -> str:
        """A fact query for one relationship type of the ontology."""
        known = {p.relationship_type for p in self.ontology.properties.values()}
        if rel_type not in known or not re.fullmatch(r"[A-Z][A-Z0-9_]*", rel_type):
            raise StoreError(f"{rel_type!r} is not a relationship type of the ontology")
        return cypher(name).replace("REL_TYPE", rel_type)

    def delete(self, doc_id: str) -> bool:
        self.flush()
        self._run(cypher("retract_facts"), ids=[doc_id])
        self._run(cypher("retract_mentions"), ids=[doc_id])
        return bool(self._run(cypher("delete_article"), id=doc_id)[0]["deleted"])

    def query(self, text: str, params: Mapping[str, Any] | None = None) -> QueryResult:
        self.flush()
        try:
            result = self.driver.execute_query(
                text, dict(params or {}), database_=self.settings.database
            )
        except CypherSyntaxError as exc:
            raise QueryError(f"Cypher syntax error: {exc.message}") from exc
        except ServiceUnavailable as exc:
            raise Neo4jUnavailableError(f"{self.settings.uri}: lost Neo4j ({exc})") from exc
        except Neo4jError as exc:
            raise QueryError(f"Cypher query failed: {exc.message}") from exc
        columns = list(result.keys)
        return QueryResult(columns, [{c: _plain(r[c]) for c in columns} for r in result.records])

    def counts(self) -> dict[str, int]:
        self.flush()
        row = self._run(
            "MATCH (n) WITH count(n) AS nodes "
            "OPTIONAL MATCH ()-[r]->() RETURN nodes, count(r) AS relationships"
        )[0]
        return {"nodes": row["nodes"], "relationships": row["relationships"]}

    def close(self) -> None:
        """Wait for the batch being written (raising its error), then disconnect."""
        try:
            self.flush()
        finally:
            self._sender.shutdown()
            self.driver.close()


def _node_rows(docs: Sequence[GraphDoc]) -> dict[str, dict[str, Any]]:
    """One row per entity of the batch (the last document's version wins)."""
    nodes = {n.iri: n for d in docs for n in d.nodes}
    return {
        iri: {
            "uri": iri,
            "name": n.name,
            "labels": ["Resource", *n.classes],
            "aliases": list(n.aliases),
            "wikidata": n.wikidata,
        }
        for iri, n in nodes.items()
    }


def _differs(row: dict[str, Any], held: dict[str, Any] | None) -> bool:
    """Whether Neo4j lacks this entity or holds other properties or fewer labels."""
    if held is None:
        return True
    same = all(
        held[k] == row[k] or (k == "aliases" and not held[k] and not row[k])
        for k in ("name", "aliases", "wikidata")
    )
    return not same or not set(row["labels"]) <= set(held["labels"])


def _article_row(d: GraphDoc) -> tuple[dict[str, Any], list[str]]:
    """An article's properties, and the IRIs of the entities it mentions."""
    props = {
        "uri": article_iri(d.article.id),
        "id": d.article.id,
        "title": d.article.title,
        "url": d.article.url,
        "published": d.article.published,
    }
    return props, [n.iri for n in d.nodes]


def _fact_row(subject: str, obj: str, predicate: str) -> dict[str, Any]:
    return {
        "s": subject,
        "o": obj,
        "props": {
            "uri": predicate,
            "evidenceArticles": [],
            "evidenceSentences": [],
            "evidenceConfidences": [],
        },
    }


def _summarise(fact: Fact) -> None:
    """The summary merge_facts stores with a fact: as it would compute it from the lists."""
    props, dates = fact.row["props"], fact.published
    props["articles"] = list(dict.fromkeys(props["evidenceArticles"]))
    props["evidenceCount"] = len(props["evidenceSentences"])
    props["confidence"] = max([0.0, *props["evidenceConfidences"]])
    props["firstSeen"] = min(dates, default=None)
    props["lastSeen"] = max(dates, default=None)


def _ends(fact: Fact) -> tuple[str, str]:
    return fact.ends


def _by_type(facts: list[Fact]) -> dict[str, list[Fact]]:
    groups: dict[str, list[Fact]] = {}
    for fact in facts:
        groups.setdefault(fact.type, []).append(fact)
    return groups


def _plain(value: Any) -> Any:
    """Nodes and relationships as dicts of their properties; temporal values as ISO text."""
    if isinstance(value, neo4j.graph.Node):
        return {"labels": sorted(value.labels), **dict(value)}
    if isinstance(value, neo4j.graph.Relationship):
        return {"type": value.type, **dict(value)}
    if isinstance(value, neo4j.graph.Path):
        return [_plain(n) for n in value.nodes]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return value


if __name__ == "__main__":  # `python -m etl.stores.neo4j schema URI`, used after a bulk import
    import sys

    if sys.argv[1:2] != ["schema"] or len(sys.argv) != 3:
        sys.exit("usage: python -m etl.stores.neo4j schema BOLT_URI")
    store = Neo4jStore(Neo4jSettings.from_env(sys.argv[2]) or Neo4jSettings(sys.argv[2]))
    store._ensure_schema()
    store.close()
    print(f"{sys.argv[2]}: constraints and indexes in place")
