"""Export the embedded store: RDF files, or CSV files for `neo4j-admin database import`.

The embedded store is the source: it holds every article's facts and evidence, so an
export needs no re-extraction, and the CSV files carry the same labels, types and
provenance properties as the transactional Neo4j loader writes.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from etl.errors import ConfigError
from etl.ontology import KG, ONTOLOGY_GRAPH, Ontology, load_ontology
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

EVIDENCE = """
SELECT ?s ?p ?o ?doc ?sentence ?confidence ?published WHERE { GRAPH ?g {
  ?ev kg:factSubject ?s ; kg:factPredicate ?p ; kg:factObject ?o ; kg:sentence ?sentence ;
      kg:confidence ?confidence ; kg:fromArticle ?a .
  ?a kg:articleId ?doc . OPTIONAL { ?a kg:published ?published } } }
ORDER BY ?s ?p ?o ?doc"""
ARTICLES = """
SELECT ?a ?id ?title ?url ?published ?hash WHERE { GRAPH ?g {
  ?a a kg:Article ; kg:articleId ?id ; kg:contentHash ?hash .
  OPTIONAL { ?a dcterms:title ?title } OPTIONAL { ?a kg:url ?url }
  OPTIONAL { ?a kg:published ?published } } }"""
MENTIONS = "SELECT DISTINCT ?a ?e WHERE { GRAPH ?g { ?a kg:mentions ?e } }"
NEW_ENTITIES = "SELECT ?e ?class ?name WHERE { ?e a ?class ; skos:prefLabel ?name }"


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
    """Write nodes, articles, facts and mentions as CSV files with neo4j-admin headers."""
    ontology = ontology or load_ontology()
    folder.mkdir(parents=True, exist_ok=True)
    store = OxigraphStore(store_path, ontology, read_only=True)
    try:
        report = ExportReport()
        articles = {r["a"]: r for r in store.rows(ARTICLES)}
        mentions = list(store.rows(MENTIONS))
        entities = sorted({r["e"] for r in mentions})
        new = {r["e"]: r for r in store.rows(NEW_ENTITIES) if r["class"].startswith(str(KG))}
        _write(
            folder / "nodes-entities.csv",
            ["uri:ID", "name", "aliases:string[]", "wikidata", ":LABEL"],
            (_entity_row(e, ontology, new) for e in entities),
            report,
        )
        _write(
            folder / "nodes-articles.csv",
            ["uri:ID", "id", "name", "title", "url", "published", "contentHash", ":LABEL"],
            (
                [
                    a,
                    r["id"],
                    r.get("title") or r["id"],
                    r.get("title"),
                    r.get("url"),
                    r.get("published"),
                    r["hash"],
                    "Resource;Article",
                ]
                for a, r in articles.items()
            ),
            report,
        )
        _write(
            folder / "relationships-mentions.csv",
            [":START_ID", ":END_ID", ":TYPE"],
            ([r["a"], r["e"], "MENTIONS"] for r in mentions),
            report,
        )
        _write(
            folder / "relationships-facts.csv",
            [
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
            ],
            _fact_rows(store, ontology),
            report,
        )
    finally:
        store.close()
    return report


def _entity_row(iri: str, ontology: Ontology, new: dict[str, dict[str, Any]]) -> list[Any]:
    entry = ontology.by_iri.get(iri)
    if entry:
        cls, name, aliases, qid = entry.type, entry.label, entry.aliases, entry.wikidata
    else:
        cls, name, aliases, qid = new[iri]["class"].rsplit("#", 1)[1], new[iri]["name"], (), None
    labels = ARRAY_DELIMITER.join(("Resource", *ontology.lineage(cls)))
    return [iri, name, ARRAY_DELIMITER.join(aliases), qid, labels]


def _fact_rows(store: OxigraphStore, ontology: Ontology) -> Iterator[list[Any]]:
    """One row per fact, its evidence gathered from every article graph."""
    types = {p.iri: p.relationship_type for p in ontology.properties.values()}
    rows = store.rows(EVIDENCE)
    for (s, p, o), group in groupby(rows, key=lambda r: (r["s"], r["p"], r["o"])):
        evidence = list(group)
        dates = sorted(e["published"] for e in evidence if e.get("published"))
        yield [
            s,
            o,
            types[p],
            p,
            ARRAY_DELIMITER.join(dict.fromkeys(e["doc"] for e in evidence)),
            ARRAY_DELIMITER.join(e["doc"] for e in evidence),
            ARRAY_DELIMITER.join(e["sentence"] for e in evidence),
            ARRAY_DELIMITER.join(str(e["confidence"]) for e in evidence),
            len(evidence),
            max(e["confidence"] for e in evidence),
            dates[0] if dates else None,
            dates[-1] if dates else None,
        ]


def _write(path: Path, header: list[str], rows: Any, report: ExportReport) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        n = 0
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
            n += 1
    report.files[str(path)] = n


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
