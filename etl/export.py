"""Export the embedded store: RDF files, or CSV files for `neo4j-admin database import`.

The embedded store is the source: it holds every article's facts and evidence, so an
export needs no re-extraction, and the CSV files carry the same labels, types and
provenance properties as the transactional Neo4j loader writes.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from sys import intern
from typing import Any

import pyoxigraph as ox

from etl.errors import ConfigError, StoreError
from etl.models import GraphDoc, Node
from etl.ontology import KG, ONTOLOGY_GRAPH, Ontology, article_iri, load_ontology
from etl.rdf import FACTS_GRAPH
from etl.stores.oxigraph import PREFIXES, OxigraphStore

RDF_FORMATS = {
    "nt": ox.RdfFormat.N_TRIPLES,
    "ttl": ox.RdfFormat.TURTLE,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
}
# Triple formats hold the default graph (ontology, knowledge base, facts); quad formats
# hold every graph, the articles' provenance graphs included.
TRIPLE_FORMATS = {"nt", "ttl"}
ARRAY_DELIMITER = "\x1f"  # passed to neo4j-admin as --array-delimiter=U+001F
GRAPHS_PER_QUERY = 100  # article graphs per query of the neo4j-import export

KG_NS = str(KG)
Fact = tuple[str, str, str]  # subject, predicate, object IRIs
Evidence = tuple[str, int, str, float, str | None]  # article id, start, sentence, conf., published
Dated = tuple[str, str | None]  # an article's id and publication date
ARTICLE_LABELS = ARRAY_DELIMITER.join(("Resource", "Article"))

ENTITY_HEADER = ["uri:ID", "name", "aliases:string[]", "wikidata", ":LABEL"]
ARTICLE_HEADER = ["uri:ID", "id", "name", "title", "url", "published", "contentHash", ":LABEL"]
MENTION_HEADER = [":START_ID", ":END_ID", ":TYPE"]
FACT_HEADER = [
    ":START_ID",
    ":END_ID",
    ":TYPE",
    "uri",
    "articles:string[]",
    "evidenceArticles:string[]",
    "evidenceSentences:string[]",
    "evidenceConfidences:double[]",
    "evidenceCount:int",
    "confidence:double",
    "firstSeen",
    "lastSeen",
]


@dataclass
class ExportReport:
    """What an export wrote, per file."""

    files: dict[str, int] = field(default_factory=dict)  # path → rows or triples


def export_rdf(store_path: Path, output: Path, fmt: str) -> ExportReport:
    """Write the store as RDF; nt/ttl hold the default graph, nq/trig/jsonld every graph."""
    if fmt not in RDF_FORMATS:
        raise ConfigError(f"unknown RDF format {fmt!r}; choose one of {', '.join(RDF_FORMATS)}")
    store = OxigraphStore(store_path, read_only=True)
    try:
        if fmt in TRIPLE_FORMATS:
            graphs = [ox.NamedNode(str(ONTOLOGY_GRAPH)), FACTS_GRAPH]
            data: Any = (
                q.triple for g in graphs for q in store.store.quads_for_pattern(None, None, None, g)
            )
        else:
            data = store.store.quads_for_pattern(None, None, None, None)
        counted = _Counted(data)
        with output.open("wb") as fh:
            ox.serialize(counted, fh, RDF_FORMATS[fmt], prefixes=PREFIXES)
    finally:
        store.close()
    return ExportReport({str(output): counted.n})


def export_neo4j_import(
    store_path: Path, folder: Path, ontology: Ontology | None = None
) -> ExportReport:
    """Write nodes, articles, facts and mentions as CSV files with neo4j-admin headers.

    Reads the store with a few SPARQL SELECTs (articles, mentions, evidence, new
    entities) rather than pattern by pattern: the engine scans and joins in Rust, and
    Python sees only the values it writes. What a read costs is mostly turning stored
    terms back into strings, a RocksDB lookup each, so the queries project no more than
    the files need (never the evidence nodes' IRIs). Articles are written in IRI order,
    mentions in the order the store gives them; the evidence waits in memory, gathered
    per fact, for the facts file.
    """
    ontology = ontology or load_ontology()
    folder.mkdir(parents=True, exist_ok=True)
    store = OxigraphStore(store_path, ontology, read_only=True)
    try:
        report = ExportReport()
        articles = _write_articles(store.store, folder, report)
        entities = _write_mentions(store.store, articles, folder, report)
        facts = _facts(store.store, articles)
        new = _new_entities(store.store) if entities - ontology.by_iri.keys() else {}
        _write(
            folder / "nodes-entities.csv",
            ENTITY_HEADER,
            (_entity_row(_store_node(e, ontology, new)) for e in sorted(entities)),
            report,
        )
        _write(folder / "relationships-facts.csv", FACT_HEADER, _fact_rows(facts, ontology), report)
    finally:
        store.close()
    return report


def write_neo4j_import(
    docs: Iterable[GraphDoc], folder: Path, ontology: Ontology | None = None
) -> ExportReport:
    """Write the same CSV files as `export_neo4j_import`, from graph documents."""
    files = Neo4jImportFiles(folder, ontology)
    files.add(docs)
    return files.close()


class Neo4jImportFiles:
    """neo4j-admin CSV files gathered from graph documents as `etl load` maps them, with
    no read of the embedded store afterwards.

    Keeps of each article what the files need (its row, the entities it mentions, its
    evidence; not its text) until `close` writes them: a fact's row carries the evidence
    of every article that states it. An article given again replaces its earlier version,
    as in the stores; an entity takes its last document's name, classes and aliases.
    """

    def __init__(self, folder: Path, ontology: Ontology | None = None):
        self.folder, self.ontology = folder, ontology or load_ontology()
        self._articles: dict[str, tuple[list[Any], list[str], dict[Any, Evidence]]] = {}
        self._nodes: dict[str, Node] = {}

    def add(self, docs: Iterable[GraphDoc]) -> None:
        for d in docs:
            a = d.article
            row = _article_row(article_iri(a.id), a.id, a.title, a.url, a.published, a.content_hash)
            evidence: dict[Any, Evidence] = {}  # one per fact and sentence start, as in RDF
            for e in d.edges:
                predicate = self.ontology.property(e.predicate).iri
                fact = (intern(e.subject), predicate, intern(e.object))
                evidence.setdefault(
                    (fact, e.start), (a.id, e.start, e.sentence, e.confidence, row[5])
                )
            self._articles[row[0]] = (row, [intern(n.iri) for n in d.nodes], evidence)
            self._nodes.update((n.iri, n) for n in d.nodes)

    def close(self) -> ExportReport:
        """Write the four files (articles and entities in IRI order) and report them."""
        self.folder.mkdir(parents=True, exist_ok=True)
        report = ExportReport()
        order = sorted(self._articles)
        _write(
            self.folder / "nodes-articles.csv",
            ARTICLE_HEADER,
            (self._articles[i][0] for i in order),
            report,
        )
        mentions = ([i, e, "MENTIONS"] for i in order for e in self._articles[i][1])
        _write(self.folder / "relationships-mentions.csv", MENTION_HEADER, mentions, report)
        entities = {e for i in order for e in self._articles[i][1]}
        nodes = (_entity_row(self._nodes[e]) for e in sorted(entities))
        _write(self.folder / "nodes-entities.csv", ENTITY_HEADER, nodes, report)
        facts: dict[Fact, list[Evidence]] = {}
        for i in order:
            for (fact, _), evidence in self._articles[i][2].items():
                facts.setdefault(fact, []).append(evidence)
        rows = _fact_rows(facts, self.ontology)
        _write(self.folder / "relationships-facts.csv", FACT_HEADER, rows, report)
        return report


def _article_row(
    iri: str, doc: str, title: str | None, url: str | None, published: str | None, sha: str
) -> list[Any]:
    """An article's row, empty values as the store holds them: absent."""
    title, url, published = title or None, url or None, published or None
    return [iri, doc, title or doc, title, url, published, sha, ARTICLE_LABELS]


def _property(var: str, predicate: str, subject: str = "?e") -> str:
    """A subquery binding `?var` to the `predicate` of each `subject` in each graph ?g.

    Joined with its siblings on the variables they share, subqueries are joined by hashing
    two scans, where the same patterns in one group make the engine look each node up
    again: two evidence properties at 200,000 evidence nodes took 0.8 s joined from
    subqueries, 5.3 s as one group.
    """
    keys = "?g" if subject == "?g" else f"?g {subject}"
    return f"{{ SELECT {keys} ?{var} WHERE {{ GRAPH ?g {{ {subject} {predicate} ?{var} }} }} }}"


# An article is the subject of its own graph (etl.rdf.article_graph), typed kg:Article,
# with an id and a content hash: a graph cut off before its content marker has none.
_ARTICLE_QUERY = f"""
SELECT ?g ?id ?hash ?title ?url ?published WHERE {{
  {{ SELECT ?g WHERE {{ GRAPH ?g {{ ?g a kg:Article }} FILTER(isIRI(?g)) }} }}
  {_property("id", "kg:articleId", "?g")}
  {_property("hash", "kg:contentHash", "?g")}
  OPTIONAL {_property("title", "dcterms:title", "?g")}
  OPTIONAL {_property("url", "kg:url", "?g")}
  OPTIONAL {_property("published", "kg:published", "?g")}
}}"""
_MENTION_QUERY = "SELECT ?g ?entity WHERE { GRAPH ?g { ?g kg:mentions ?entity } }"
# The complete kg:Evidence nodes (etl.rdf._evidence) of every graph, the start optional.
_EVIDENCE_QUERY = f"""
SELECT ?g ?s ?p ?o ?sentence ?confidence ?start WHERE {{
  {_property("s", "kg:factSubject")}
  {_property("p", "kg:factPredicate")}
  {_property("o", "kg:factObject")}
  {_property("sentence", "kg:sentence")}
  {_property("confidence", "kg:confidence")}
  OPTIONAL {_property("start", "kg:startChar")}
}}"""


def _query(
    store: ox.Store, query: str, graphs: list[ox.NamedNode | ox.BlankNode] | None = None
) -> Iterator[ox.QuerySolution]:
    """The solutions of a SELECT, its GRAPH ?g limited to `graphs` if given."""
    solutions = store.query(query, prefixes=PREFIXES, named_graphs=graphs)
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions


def _per_graphs(
    store: ox.Store, query: str, articles: dict[str, Dated]
) -> Iterator[ox.QuerySolution]:
    """The solutions of a SELECT over the articles' graphs, GRAPHS_PER_QUERY at a time.

    The engine holds what it joins until the query ends: at 200,000 facts in 10,000
    articles the export peaked at 528 MB with one query over every graph, at 286 MB with
    1,000 graphs a query and 247 MB with 100, in about the same time.
    """
    graphs: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(iri) for iri in articles]
    for i in range(0, len(graphs), GRAPHS_PER_QUERY):
        yield from _query(store, query, graphs[i : i + GRAPHS_PER_QUERY])


def _write_articles(store: ox.Store, folder: Path, report: ExportReport) -> dict[str, Dated]:
    """Write the complete articles in IRI order; return their ids and publication dates
    by IRI, all the evidence needs of them. A graph stating a property twice gives the
    last value, as a dict would."""
    rows: dict[str, list[Any]] = {}
    for g, id_, hash_, title, url, published in _query(store, _ARTICLE_QUERY):
        values = (None if v is None else v.value for v in (title, url, published))
        rows[g.value] = _article_row(g.value, id_.value, *values, hash_.value)
    _write(folder / "nodes-articles.csv", ARTICLE_HEADER, (rows[i] for i in sorted(rows)), report)
    return {iri: (row[1], row[5]) for iri, row in rows.items()}


def _write_mentions(
    store: ox.Store, articles: dict[str, Dated], folder: Path, report: ExportReport
) -> set[str]:
    """Write the complete articles' mentions; return the entities they mention."""
    entities: set[str] = set()
    with _CsvFile(folder / "relationships-mentions.csv", MENTION_HEADER, report) as out:
        for g, entity in _per_graphs(store, _MENTION_QUERY, articles):
            iri = intern(entity.value)
            out.write([g.value, iri, "MENTIONS"])
            entities.add(iri)
    return entities


def _facts(store: ox.Store, articles: dict[str, Dated]) -> dict[Fact, list[Evidence]]:
    """The evidence of the complete articles, gathered per fact."""
    facts: dict[Fact, list[Evidence]] = {}
    for g, s, p, o, sentence, confidence, start in _per_graphs(store, _EVIDENCE_QUERY, articles):
        doc, published = articles[g.value]
        fact = (intern(s.value), intern(p.value), intern(o.value))
        begin = 0 if start is None else int(start.value)
        evidence = (doc, begin, sentence.value, float(confidence.value), published)
        facts.setdefault(fact, []).append(evidence)
    return facts


def _new_entities(store: ox.Store) -> dict[str, tuple[str | None, str | None]]:
    """The class and name the facts graph gives each entity the knowledge base lacks.

    Each entity's first kg: class and first name in the store's order, as a lookup per
    entity finds them: both come from an index sorted by the term, then the entity.
    """
    graph = f"<{FACTS_GRAPH.value}>"
    classes: dict[str, str] = {}
    for e, cls in _query(store, f"SELECT ?e ?c WHERE {{ GRAPH {graph} {{ ?e a ?c }} }}"):
        if cls.value.startswith(KG_NS):
            classes.setdefault(e.value, cls.value)
    names: dict[str, str] = {}
    query = f"SELECT ?e ?n WHERE {{ GRAPH {graph} {{ ?e skos:prefLabel ?n }} }}"
    for e, name in _query(store, query):
        names.setdefault(e.value, name.value)
    return {e: (classes.get(e), names.get(e)) for e in classes.keys() | names.keys()}


def _store_node(
    iri: str, ontology: Ontology, new: dict[str, tuple[str | None, str | None]]
) -> Node:
    """An entity as the store holds it: a KB entry, or the class and name of a new one."""
    entry = ontology.by_iri.get(iri)
    if entry:
        return Node(iri, entry.label, ontology.lineage(entry.type), entry.aliases, entry.wikidata)
    kg_class, label = new.get(iri, (None, None))
    if kg_class is None or label is None:
        raise StoreError(f"{iri}: mentioned, but the facts graph gives no class or name")
    return Node(iri, label, ontology.lineage(kg_class.rsplit("#", 1)[1]))


def _entity_row(node: Node) -> list[Any]:
    labels = ARRAY_DELIMITER.join(("Resource", *node.classes))
    return [node.iri, node.name, ARRAY_DELIMITER.join(node.aliases), node.wikidata, labels]


def _fact_rows(facts: dict[Fact, list[Evidence]], ontology: Ontology) -> Iterator[list[Any]]:
    """One row per fact, in (subject, predicate, object) order, its evidence in article
    then text order."""
    types = {p.iri: p.relationship_type for p in ontology.properties.values()}
    for s, p, o in sorted(facts):
        evidence = facts[s, p, o]
        if len(evidence) > 1:  # most facts have one: no sorting then
            evidence = sorted(evidence, key=itemgetter(0, 1))
        docs = [e[0] for e in evidence]
        confidences = [e[3] for e in evidence]
        dates = sorted(e[4] for e in evidence if e[4])
        yield [
            s,
            o,
            types[p],
            p,
            ARRAY_DELIMITER.join(dict.fromkeys(docs)),
            ARRAY_DELIMITER.join(docs),
            ARRAY_DELIMITER.join(e[2] for e in evidence),
            ARRAY_DELIMITER.join(map(str, confidences)),
            len(evidence),
            max(confidences),
            dates[0] if dates else None,
            dates[-1] if dates else None,
        ]


def _write(path: Path, header: list[str], rows: Iterable[list[Any]], report: ExportReport) -> None:
    with _CsvFile(path, header, report) as out:
        write = out.writer.writerow  # millions of rows: no method of ours per row
        n = 0
        for n, row in enumerate(rows, 1):  # noqa: B007 (n: rows written)
            write(row)
        out.n = n


class _CsvFile:
    """A CSV file written row by row (csv writes None as an empty field), its row count
    reported."""

    def __init__(self, path: Path, header: list[str], report: ExportReport):
        self.path, self.header, self.report, self.n = path, header, report, 0

    def __enter__(self) -> _CsvFile:
        self.fh = self.path.open("w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.fh)
        self.writer.writerow(self.header)
        self.report.files[str(self.path)] = 0  # the report lists files in opening order
        return self

    def write(self, row: list[Any]) -> None:
        self.writer.writerow(row)
        self.n += 1

    def __exit__(self, *exc: object) -> None:
        self.fh.close()
        self.report.files[str(self.path)] = self.n


class _Counted:
    """Counts what passes through an iterator (the serialiser gives no count)."""

    def __init__(self, items: Any):
        self.items, self.n = iter(items), 0

    def __iter__(self) -> _Counted:
        return self

    def __next__(self) -> Any:
        item = next(self.items)
        self.n += 1
        return item
