"""The Neo4j backend: UNWIND batches over Bolt, one transaction per batch, with retries.

Graph model: entities are (:Resource:<Class>:<Superclasses> {uri, name, aliases,
wikidata}); articles are (:Resource:Article {uri, id, title, url, published,
contentHash}) with MENTIONS to their entities; each fact is one relationship typed by the
ontology property (CAPTURED, ALLIED_WITH, ...) carrying its evidence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from neo4j.exceptions import AuthError, CypherSyntaxError, Neo4jError, ServiceUnavailable

import neo4j
from etl.config import Neo4jSettings
from etl.errors import Neo4jUnavailableError, QueryError, StoreError
from etl.models import Article, GraphDoc, LoadReport
from etl.ontology import Ontology, article_iri, load_ontology
from etl.stores import QueryResult

CYPHER = Path(__file__).parent / "cypher"


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
        self._ensure_schema()
        known = {
            r["id"]: r["hash"]
            for r in self._run(cypher("article_hashes"), ids=[a.id for a in articles])
        }
        return {a.id for a in articles if known.get(a.id) == a.content_hash}

    def write(self, docs: Sequence[GraphDoc], report: LoadReport) -> None:
        """Retract what the articles said before, then write what they say now, in one
        transaction (the driver retries it on transient errors such as deadlocks)."""
        if not docs:
            return
        self._ensure_schema()
        docs = list({d.article.id: d for d in docs}.values())  # an id twice: the last wins
        nodes = {
            n.iri: {
                "uri": n.iri,
                "name": n.name,
                "labels": ["Resource", *n.classes],
                "aliases": list(n.aliases),
                "wikidata": n.wikidata,
            }
            for d in docs
            for n in d.nodes
        }
        articles = [
            {
                "uri": article_iri(d.article.id),
                "id": d.article.id,
                "title": d.article.title,
                "url": d.article.url,
                "published": d.article.published,
                "hash": d.article.content_hash,
                "mentions": [n.iri for n in d.nodes],
            }
            for d in docs
        ]
        facts = self._fact_rows(docs)
        ids = [d.article.id for d in docs]
        present = self._present(ids)

        def work(tx: neo4j.ManagedTransaction) -> None:
            if present:
                tx.run(cypher("retract_facts"), ids=present).consume()
                tx.run(cypher("retract_mentions"), ids=present).consume()
            tx.run(cypher("merge_nodes"), rows=list(nodes.values())).consume()
            tx.run(cypher("merge_articles"), rows=articles).consume()
            for rel_type, rows in facts.items():
                tx.run(self._merge_facts(rel_type), rows=rows).consume()

        try:
            with self.driver.session(database=self.settings.database) as session:
                session.execute_write(work)
        except ServiceUnavailable as exc:
            raise Neo4jUnavailableError(f"{self.settings.uri}: lost Neo4j ({exc})") from exc
        except Neo4jError as exc:
            raise StoreError(f"{self.settings.uri}: write failed: {exc.message}") from exc
        report.documents += len(docs)
        report.entities.update(nodes)
        for d in docs:
            report.facts.update(
                p for (_, p, _) in {(e.subject, e.predicate, e.object) for e in d.edges}
            )

    def _present(self, ids: list[str]) -> list[str]:
        """Which of these articles Neo4j holds already (only those need retracting)."""
        return [r["id"] for r in self._run(cypher("article_hashes"), ids=ids)]

    def _fact_rows(self, docs: Sequence[GraphDoc]) -> dict[str, list[dict[str, Any]]]:
        """One row per distinct fact of the batch, per relationship type, with all of its
        evidence, so each relationship is merged once per transaction."""
        rows: dict[tuple[str, str, str], dict[str, Any]] = {}
        for d in docs:
            for e in d.edges:
                prop = self.ontology.property(e.predicate)
                row = rows.setdefault(
                    (e.subject, prop.relationship_type, e.object),
                    {
                        "subject": e.subject,
                        "object": e.object,
                        "predicate": prop.iri,
                        "type": prop.relationship_type,
                        "articles": [],
                        "sentences": [],
                        "confidences": [],
                        "published": [],
                    },
                )
                row["articles"].append(d.article.id)
                row["sentences"].append(e.sentence)
                row["confidences"].append(e.confidence)
                row["published"].append(d.article.published or "")
        for row in rows.values():
            row["distinct"] = list(dict.fromkeys(row["articles"]))
        return _by_type(list(rows.values()))

    def _merge_facts(self, rel_type: str) -> str:
        """The fact-merging query for one relationship type of the ontology."""
        known = {p.relationship_type for p in self.ontology.properties.values()}
        if rel_type not in known or not re.fullmatch(r"[A-Z][A-Z0-9_]*", rel_type):
            raise StoreError(f"{rel_type!r} is not a relationship type of the ontology")
        return cypher("merge_facts").replace("REL_TYPE", rel_type)

    def delete(self, doc_id: str) -> bool:
        self._run(cypher("retract_facts"), ids=[doc_id])
        self._run(cypher("retract_mentions"), ids=[doc_id])
        return bool(self._run(cypher("delete_article"), id=doc_id)[0]["deleted"])

    def query(self, text: str, params: Mapping[str, Any] | None = None) -> QueryResult:
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
        row = self._run(
            "MATCH (n) WITH count(n) AS nodes "
            "OPTIONAL MATCH ()-[r]->() RETURN nodes, count(r) AS relationships"
        )[0]
        return {"nodes": row["nodes"], "relationships": row["relationships"]}

    def close(self) -> None:
        self.driver.close()


def _by_type(facts: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in facts:
        groups.setdefault(row["type"], []).append(row)
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
