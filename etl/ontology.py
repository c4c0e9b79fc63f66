"""The OWL ontology (classes, properties) and the knowledge base of known individuals.

Both are Turtle files under ontology/; this module reads them once, checks that they hang
together, and answers the questions the other stages ask: which classes an individual
has, which property a predicate name stands for, which names a KB entry goes by.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef

from etl.errors import DataFileError
from etl.resources import resource_dir

KG = Namespace("https://w3id.org/kg-etl/ontology#")
ID = Namespace("https://w3id.org/kg-etl/id/")
ARTICLE = Namespace("https://w3id.org/kg-etl/article/")
ONTOLOGY_GRAPH = URIRef("https://w3id.org/kg-etl/graph/ontology")


def slugify(name: str) -> str:
    """The IRI local name of a name: 'Hayat Tahrir al-Sham' → 'hayat-tahrir-al-sham'."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"['\u2019\u2018`]", "", text)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def entity_iri(name: str) -> str:
    """The stable IRI of an individual with this preferred name."""
    return str(ID[slugify(name) or "unnamed"])


def article_iri(doc_id: str) -> str:
    return str(ARTICLE[slugify(doc_id) or "unnamed"])


@dataclass(frozen=True)
class OntologyProperty:
    """An object property that facts use."""

    name: str
    iri: str
    relationship_type: str
    domain: str | None
    range: str | None
    symmetric: bool
    core: bool


@dataclass(frozen=True)
class KbEntry:
    """A known individual and every name it goes by."""

    iri: str
    label: str
    type: str
    aliases: tuple[str, ...]
    demonyms: tuple[str, ...]
    wikidata: str | None


class Ontology:
    """The TBox and the knowledge base, read from a folder of Turtle files."""

    def __init__(self, graph: Graph, sources: dict[URIRef, str]):
        self.graph = graph
        self._parents = self._read_parents()
        self.classes = sorted(self._parents)
        self.properties = self._read_properties()
        self.entries = self._read_entries(sources)
        self.by_iri = {e.iri: e for e in self.entries}

    def lineage(self, cls: str) -> tuple[str, ...]:
        """`cls` and all its superclasses, nearest first (breadth-first)."""
        order, queue = [cls], [cls]
        while queue:
            for parent in self._parents.get(queue.pop(0), ()):
                if parent not in order:
                    order.append(parent)
                    queue.append(parent)
        return tuple(order)

    def is_a(self, cls: str, ancestor: str | None) -> bool:
        return ancestor is None or ancestor in self.lineage(cls)

    def property(self, name: str) -> OntologyProperty:
        try:
            return self.properties[name]
        except KeyError:
            known = ", ".join(sorted(self.properties))
            raise DataFileError(f"unknown predicate {name!r}; the ontology has: {known}") from None

    def check_class(self, cls: str, where: str) -> str:
        if cls not in self._parents:
            raise DataFileError(f"{where}: unknown ontology class {cls!r}")
        return cls

    # -- reading -----------------------------------------------------------------
    def _local(self, term: object) -> str | None:
        text = str(term)
        return text[len(str(KG)) :] if text.startswith(str(KG)) else None

    def _read_parents(self) -> dict[str, tuple[str, ...]]:
        parents: dict[str, tuple[str, ...]] = {}
        for cls in self.graph.subjects(RDF.type, OWL.Class):
            name = self._local(cls)
            if name:
                supers = (self._local(o) for o in self.graph.objects(cls, RDFS.subClassOf))
                parents[name] = tuple(sorted(s for s in supers if s))
        return parents

    def _read_properties(self) -> dict[str, OntologyProperty]:
        props = {}
        for prop in self.graph.subjects(RDF.type, OWL.ObjectProperty):
            name, rel = self._local(prop), self.graph.value(prop, KG.relationshipType)
            if name and rel is not None:
                props[name] = OntologyProperty(
                    name=name,
                    iri=str(prop),
                    relationship_type=str(rel),
                    domain=self._local(self.graph.value(prop, RDFS.domain)),
                    range=self._local(self.graph.value(prop, RDFS.range)),
                    symmetric=(prop, RDF.type, OWL.SymmetricProperty) in self.graph,
                    core=(prop, KG.coreRelation, Literal(True)) in self.graph,
                )
        return props

    def _read_entries(self, sources: dict[URIRef, str]) -> list[KbEntry]:
        entries = []
        for subject in sorted(set(sources)):
            where = f"{sources[subject]}: {subject}"
            types = [
                t
                for t in (self._local(o) for o in self.graph.objects(subject, RDF.type))
                if t in self._parents
            ]
            labels = list(self.graph.objects(subject, SKOS.prefLabel))
            if len(types) != 1 or len(labels) != 1:
                raise DataFileError(
                    f"{where}: a KB individual needs exactly one ontology class and one "
                    f"skos:prefLabel (found {len(types)} and {len(labels)})"
                )
            qid = self.graph.value(subject, KG.wikidata)
            entries.append(
                KbEntry(
                    iri=str(subject),
                    label=str(labels[0]),
                    type=types[0],
                    aliases=tuple(
                        sorted(str(a) for a in self.graph.objects(subject, SKOS.altLabel))
                    ),
                    demonyms=tuple(sorted(str(d) for d in self.graph.objects(subject, KG.demonym))),
                    wikidata=str(qid) if qid else None,
                )
            )
        return entries


def _parse(path: Path) -> Graph:
    try:
        return Graph().parse(path, format="turtle")
    except Exception as exc:  # rdflib raises many parser exception types
        raise DataFileError(f"{path}: not valid Turtle: {exc}") from exc


@cache
def load_ontology(directory: Path | None = None) -> Ontology:
    """Read ontology/*.ttl (the TBox) and ontology/kb/*.ttl (the individuals)."""
    folder = directory or resource_dir("ontology")
    tbox_files = sorted(folder.glob("*.ttl"))
    if not tbox_files:
        raise DataFileError(f"{folder}: no ontology (*.ttl) found")
    graph = Graph()
    for path in tbox_files:
        if path.name != "shapes.ttl":
            graph += _parse(path)
    sources: dict[URIRef, str] = {}
    for path in sorted((folder / "kb").glob("*.ttl")):
        part = _parse(path)
        for subject in part.subjects(SKOS.prefLabel, None):
            if isinstance(subject, URIRef):
                sources[subject] = str(path)
        graph += part
    graph.bind("kg", KG)
    graph.bind("kgr", ID)
    return Ontology(graph, sources)
