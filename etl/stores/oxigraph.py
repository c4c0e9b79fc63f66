"""The embedded RDF store: pyoxigraph on disk, queried with SPARQL over all graphs."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from itertools import chain
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from etl.errors import QueryError, StoreError, StoreLockedError
from etl.models import Article, GraphDoc, LoadReport, Node
from etl.ontology import ONTOLOGY_GRAPH, Ontology, load_ontology
from etl.rdf import (
    FACTS_GRAPH,
    article_graph,
    article_nquads,
    content_marker,
    entity_nquads,
    fact_nquads,
    kg,
)
from etl.stores import QueryResult

# Prefixes every SPARQL query may use without declaring them.
PREFIXES = {
    "kg": "https://w3id.org/kg-etl/ontology#",
    "kgr": "https://w3id.org/kg-etl/id/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
}


class OxigraphStore:
    """A persistent pyoxigraph store in a folder."""

    name = "rdf"

    def __init__(self, path: Path | str, ontology: Ontology | None = None, read_only: bool = False):
        self.path = Path(path)
        self.read_only = read_only
        self.ontology = ontology or load_ontology()
        self._described: set[tuple[str, str, str]] = set()  # see _undescribed()
        try:
            if read_only:
                if not self.path.exists():
                    raise StoreError(
                        f"{self.path}: no embedded store here; run `etl load` "
                        "first or pass --store DIR"
                    )
                self.store = ox.Store.read_only(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self.store = ox.Store(str(self.path))
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise StoreLockedError(
                    f"{self.path}: the embedded store is in use by another process "
                    "(another `etl load` or `etl serve`?); wait for it to finish"
                ) from exc
            raise StoreError(f"{self.path}: cannot open the embedded store: {exc}") from exc
        if not read_only:
            self._install_ontology(self.ontology)

    def _install_ontology(self, ontology: Ontology) -> None:
        """Keep the ontology graph equal to the shipped ontology and knowledge base."""
        data = ontology.graph.serialize(format="nt", encoding="utf-8")
        digest = ox.Literal(hashlib.sha256(data).hexdigest())
        graph = ox.NamedNode(str(ONTOLOGY_GRAPH))
        marker = ox.Quad(graph, kg("contentHash"), digest, graph)
        if marker in self.store:
            return
        if self.store.contains_named_graph(graph):
            self.store.remove_graph(graph)
        self.store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
        self.store.add(marker)

    def unchanged(self, articles: Sequence[Article]) -> set[str]:
        return {a.id for a in articles if content_marker(a) in self.store}

    def write(self, docs: Sequence[GraphDoc], report: LoadReport) -> None:
        """Replace what each article said before with what it says now, a batch at once.

        The batch goes in with bulk loads, several times faster than transactions but
        not promised to be atomic, so the content markers that unchanged() trusts go in
        last, in a transaction of their own: after a crash, an article without its
        marker is loaded again, and delete() clears whatever part of it got in. Article
        graphs go in before the facts graph, so a fact that got in has the statements
        delete() retracts it by. The article graphs go in as two halves loaded at once.
        Nothing is flushed per batch, close() does: a flush a batch cost 151 s of a
        376 s load of 1,000,000 facts (RocksDB writes, then compacts, small files), and
        whatever a crash loses of the markers and retractions only makes the next run
        load those articles again.
        """
        latest = list({doc.article.id: doc for doc in docs}.values())  # the last one wins
        for doc in latest:
            self.delete(doc.article.id)
        half = len(latest) // 2
        with ThreadPoolExecutor(max_workers=2) as pool:
            graphs = pool.map(self._load_graphs, (latest[:half], latest[half:]))
            entities = self._undescribed(latest)  # meanwhile
            facts = self._facts_graph_nquads(latest, entities.values())
            list(graphs)  # waits for both, and raises what they raised
        self._bulk_load(facts)
        self._described.update(entities)
        self.store.extend([content_marker(doc.article) for doc in latest])
        for doc in docs:
            report.count(doc)

    def _load_graphs(self, docs: Sequence[GraphDoc]) -> None:
        """Bulk-load the docs' own graphs.

        write() loads the two halves of a batch at once: pyoxigraph loads without the
        GIL, so the loads overlap each other and the Python work. On two cores, 200,000
        facts in batches of 1,000 articles took 38-39 s this way, 48-64 s as one load a
        batch (two runs each, back to back).
        """
        self._bulk_load(chain.from_iterable(article_nquads(d, self.ontology) for d in docs))

    def _facts_graph_nquads(self, docs: Sequence[GraphDoc], entities: Iterable[Node]) -> list[str]:
        """The docs' facts, and the description of the given entities."""
        facts = (fact_nquads(doc, self.ontology, entities=False) for doc in docs)
        return list(chain(chain.from_iterable(facts), map(entity_nquads, entities)))

    def _undescribed(self, docs: Iterable[GraphDoc]) -> dict[tuple[str, str, str], Node]:
        """The docs' entities new to the KB that this store has not yet described in the
        facts graph, by the (IRI, class, name) their description says.

        Each article's graph describes its entities again, but the facts graph needs each
        description once (nothing removes one), and most entities recur across articles.
        """
        return {
            key: node
            for doc in docs
            for node in doc.nodes
            if node.iri not in self.ontology.by_iri
            and (key := (node.iri, node.classes[0], node.name)) not in self._described
        }

    def _bulk_load(self, nquads: Iterable[str]) -> None:
        text = "".join(nquads)
        if text:
            self.store.bulk_load(text, ox.RdfFormat.N_QUADS)

    def delete(self, doc_id: str) -> bool:
        """Drop an article's graph, and each of its facts that no other article states.

        Needs no content marker: it also clears what a crashed write left of an article.
        """
        graph = article_graph(doc_id)
        if not self.store.contains_named_graph(graph):
            return False
        stated = [
            q
            for p in self._fact_properties
            for q in self.store.quads_for_pattern(None, p, None, graph)
        ]
        self.store.remove_graph(graph)
        for q in stated:
            others = (
                o.graph_name
                for o in self.store.quads_for_pattern(q.subject, q.predicate, q.object, None)
            )
            if all(g == FACTS_GRAPH for g in others):
                self.store.remove(ox.Quad(q.subject, q.predicate, q.object, FACTS_GRAPH))
                if q.predicate in self._symmetric and isinstance(q.object, ox.NamedNode):
                    self.store.remove(ox.Quad(q.object, q.predicate, q.subject, FACTS_GRAPH))
        return True

    @cached_property
    def _fact_properties(self) -> list[ox.NamedNode]:
        return [ox.NamedNode(p.iri) for p in self.ontology.properties.values()]

    @cached_property
    def _symmetric(self) -> set[ox.NamedNode]:
        return {ox.NamedNode(p.iri) for p in self.ontology.properties.values() if p.symmetric}

    def query(self, text: str, params: Mapping[str, Any] | None = None) -> QueryResult:
        result = self._run(text, params)
        if isinstance(result, ox.QueryBoolean):
            return QueryResult(["result"], [{"result": bool(result)}])
        if isinstance(result, ox.QuerySolutions):
            columns = [v.value for v in result.variables]
            return QueryResult(columns, [{c: _value(sol[c]) for c in columns} for sol in result])
        columns = ["subject", "predicate", "object"]
        return QueryResult(
            columns, [dict(zip(columns, map(_value, t), strict=True)) for t in result]
        )

    def rows(self, text: str) -> Iterator[dict[str, Any]]:
        """The solutions of a SELECT query, streamed as plain dicts."""
        result = self._run(text, None)
        assert isinstance(result, ox.QuerySolutions), "rows() takes a SELECT query"
        columns = [v.value for v in result.variables]
        for sol in result:
            yield {c: _value(sol[c]) for c in columns}

    def _run(self, text: str, params: Mapping[str, Any] | None) -> Any:
        subs = {ox.Variable(k): _term(v) for k, v in (params or {}).items()}
        try:
            return self.store.query(
                text,
                prefixes=PREFIXES,
                substitutions=subs,
                default_graph=[FACTS_GRAPH, ox.NamedNode(str(ONTOLOGY_GRAPH))],
            )
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from exc
        except (OSError, RuntimeError) as exc:
            hint = (
                " (select every --param variable, e.g. SELECT ?name ...)"
                if "projection" in str(exc)
                else ""
            )
            raise QueryError(f"SPARQL query failed: {exc}{hint}") from exc

    def close(self) -> None:
        if not self.read_only:
            self.store.flush()
        del self.store


def _term(value: Any) -> ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple:
    if isinstance(value, str) and value.startswith(("http://", "https://", "urn:")):
        return ox.NamedNode(value)
    return ox.Literal(str(value))


def _value(term: Any) -> Any:
    """A SPARQL term as a plain value: IRIs and strings as str, numbers as numbers."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        if dt.endswith(("#integer", "#int", "#long")):
            return int(term.value)
        if dt.endswith(("#decimal", "#double", "#float")):
            return float(term.value)
        if dt.endswith("#boolean"):
            return term.value == "true"
    return term.value
