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
from etl.ontology import KG, ONTOLOGY_GRAPH, Ontology, load_ontology
from etl.rdf import FACTS_GRAPH, kg
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

RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
PREF_LABEL = ox.NamedNode(PREFIXES["skos"] + "prefLabel")
MENTIONS = kg("mentions")
# What the export reads of an article graph: the article's properties, and those of its
# kg:Evidence nodes (each in the graph of the article it comes from).
ARTICLE_PROPERTIES = {
    kg("articleId"): "id",
    kg("contentHash"): "hash",
    ox.NamedNode(PREFIXES["dcterms"] + "title"): "title",
    kg("url"): "url",
    kg("published"): "published",
}
EVIDENCE_PROPERTIES = {
    "s": kg("factSubject"),
    "p": kg("factPredicate"),
    "o": kg("factObject"),
    "sentence": kg("sentence"),
    "confidence": kg("confidence"),
    "start": kg("startChar"),
}
REQUIRED_EVIDENCE = {"s", "p", "o", "sentence", "confidence"}

Subject = ox.NamedNode | ox.BlankNode | ox.Triple
Fact = tuple[str, str, str]  # subject, predicate, object IRIs
Evidence = tuple[str, int, str, float, str | None]  # article id, start, sentence, conf., published

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

    Reads article graph by article graph with `quads_for_pattern`: SPARQL's joins and its
    ORDER BY over all the evidence cost several times more. Articles and mentions stream
    to their files; the evidence waits in memory, gathered per fact, for the facts file:
    about 0.45 KB per evidence sentence (measured at 200,000: 88 MB of Python objects).
    """
    ontology = ontology or load_ontology()
    folder.mkdir(parents=True, exist_ok=True)
    store = OxigraphStore(store_path, ontology, read_only=True)
    try:
        report = ExportReport()
        facts, entities = _write_articles(store.store, folder, report)
        _write(
            folder / "nodes-entities.csv",
            ENTITY_HEADER,
            (_entity_row(store.store, e, ontology) for e in sorted(entities)),
            report,
        )
        _write(folder / "relationships-facts.csv", FACT_HEADER, _fact_rows(facts, ontology), report)
    finally:
        store.close()
    return report


def _write_articles(
    store: ox.Store, folder: Path, report: ExportReport
) -> tuple[dict[Fact, list[Evidence]], set[str]]:
    """Write the articles and their mentions; return the evidence per fact and the
    entities mentioned."""
    facts: dict[Fact, list[Evidence]] = {}
    entities: set[str] = set()
    with (
        _CsvFile(folder / "nodes-articles.csv", ARTICLE_HEADER, report) as articles,
        _CsvFile(folder / "relationships-mentions.csv", MENTION_HEADER, report) as mentions,
    ):
        for q in store.quads_for_pattern(None, RDF_TYPE, kg("Article"), None):
            if not isinstance(q.subject, ox.NamedNode) or isinstance(q.graph_name, ox.DefaultGraph):
                continue
            article = _read_article(store, q.subject, q.graph_name)
            if article is None:
                continue
            articles.write(article.row())
            for entity in article.mentions:
                mentions.write([article.iri, entity, "MENTIONS"])
            entities.update(article.mentions)
            for fact, evidence in article.evidence:
                facts.setdefault(fact, []).append(evidence)
    return facts, entities


@dataclass
class _Article:
    """What an article graph holds: the article's properties, mentions and evidence."""

    iri: str
    props: dict[str, str]
    mentions: list[str]
    evidence: list[tuple[Fact, Evidence]]

    def row(self) -> list[Any]:
        p = self.props
        title = p.get("title")
        return [
            self.iri,
            p["id"],
            title or p["id"],
            title,
            p.get("url"),
            p.get("published"),
            p["hash"],
            ARRAY_DELIMITER.join(("Resource", "Article")),
        ]


def _read_article(
    store: ox.Store, article: ox.NamedNode, graph: ox.NamedNode | ox.BlankNode
) -> _Article | None:
    """The article of a graph; None if it lacks its id or content hash."""
    props, mentions = {}, []
    for q in store.quads_for_pattern(article, None, None, graph):
        if q.predicate == MENTIONS:
            mentions.append(_text(q.object))
        elif name := ARTICLE_PROPERTIES.get(q.predicate):
            props[name] = _text(q.object)
    if "id" not in props or "hash" not in props:
        return None
    return _Article(article.value, props, mentions, _evidence(store, graph, props))


def _evidence(
    store: ox.Store, graph: ox.NamedNode | ox.BlankNode, article: dict[str, str]
) -> list[tuple[Fact, Evidence]]:
    """The graph's complete kg:Evidence nodes, each with the fact it supports. One pattern
    per property, joined here on the node: a SPARQL join costs several times more."""
    nodes: dict[Subject, dict[str, str]] = {}
    for name, predicate in EVIDENCE_PROPERTIES.items():
        for q in store.quads_for_pattern(None, predicate, None, graph):
            nodes.setdefault(q.subject, {})[name] = _text(q.object)
    doc, published = article["id"], article.get("published")
    return [
        (
            (intern(e["s"]), intern(e["p"]), intern(e["o"])),
            (doc, int(e.get("start", 0)), e["sentence"], float(e["confidence"]), published),
        )
        for e in nodes.values()
        if e.keys() >= REQUIRED_EVIDENCE
    ]


def _entity_row(store: ox.Store, iri: str, ontology: Ontology) -> list[Any]:
    entry = ontology.by_iri.get(iri)
    if entry:
        cls, name, aliases, qid = entry.type, entry.label, entry.aliases, entry.wikidata
    else:
        cls, name, aliases, qid = *_new_entity(store, ox.NamedNode(iri)), (), None
    labels = ARRAY_DELIMITER.join(("Resource", *ontology.lineage(cls)))
    return [iri, name, ARRAY_DELIMITER.join(aliases), qid, labels]


def _new_entity(store: ox.Store, entity: ox.NamedNode) -> tuple[str, str]:
    """The class and name the facts graph gives an entity the knowledge base lacks."""
    classes = (
        _text(q.object) for q in store.quads_for_pattern(entity, RDF_TYPE, None, FACTS_GRAPH)
    )
    names = (
        _text(q.object) for q in store.quads_for_pattern(entity, PREF_LABEL, None, FACTS_GRAPH)
    )
    cls, name = next((c for c in classes if c.startswith(str(KG))), None), next(names, None)
    if cls is None or name is None:
        raise StoreError(f"{entity.value}: mentioned, but the facts graph gives no class or name")
    return cls.rsplit("#", 1)[1], name


def _text(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """An IRI, blank node id or literal's lexical form (the model quotes no triples)."""
    return str(term) if isinstance(term, ox.Triple) else term.value


def _fact_rows(facts: dict[Fact, list[Evidence]], ontology: Ontology) -> Iterator[list[Any]]:
    """One row per fact, in (subject, predicate, object) order, its evidence in article
    then text order."""
    types = {p.iri: p.relationship_type for p in ontology.properties.values()}
    for s, p, o in sorted(facts):
        evidence = sorted(facts[s, p, o], key=itemgetter(0, 1))
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
        for row in rows:
            out.write(row)


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
