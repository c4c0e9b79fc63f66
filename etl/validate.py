"""Check a loaded graph against the SHACL shapes in ontology/shapes.ttl.

The extractor and the loaders are meant to write only what the ontology allows; these
checks catch what slips through (a fact whose object has the wrong class, an evidence
node without its sentence) in the embedded store or in any RDF file in the same model.

Subclass typing counts without any inference: SHACL's sh:class and sh:targetClass follow
rdfs:subClassOf in the data, and the ontology is part of the data (the store holds it
in its ontology graph; a file gets it added). No RDFS inference is run on purpose:
it would read the rdfs:domain and rdfs:range of the ontology as facts about the data,
give a person the class kg:Place because something "captured" it, and so hide exactly
the errors the shapes look for.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, Dataset, Graph, Namespace
from rdflib.term import Node

from etl.errors import DataFileError
from etl.ontology import load_ontology
from etl.resources import resource_dir
from etl.stores.oxigraph import OxigraphStore

SH = Namespace("http://www.w3.org/ns/shacl#")

# rdflib parser names by file suffix; the quad formats keep their graphs apart until
# _parse_file merges them.
FORMATS = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
}
QUAD_FORMATS = {"nquads", "trig"}


@dataclass(frozen=True)
class Violation:
    """One SHACL result: which node, which property, what is wrong, and which shape said so."""

    focus_node: str
    path: str | None
    message: str
    severity: str  # "Violation", "Warning" or "Info"
    value: str | None
    shape: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ValidationReport:
    """The outcome of one validation. Warnings are listed but do not break conformance."""

    conforms: bool
    violations: list[Violation] = field(default_factory=list)
    triples: int = 0  # size of the data graph that was checked

    def as_dict(self) -> dict[str, Any]:
        return {
            "conforms": self.conforms,
            "triples": self.triples,
            "violations": [v.as_dict() for v in self.violations],
        }


def shapes_path() -> Path:
    return resource_dir("ontology") / "shapes.ttl"


@cache
def load_shapes() -> Graph:
    """The shipped shapes, parsed once per process (they never change while it runs)."""
    path = shapes_path()
    try:
        return Graph().parse(path, format="turtle")
    except Exception as exc:  # rdflib raises many parser exception types
        raise DataFileError(f"{path}: not valid Turtle: {exc}") from exc


def validate_store(path: Path) -> ValidationReport:
    """Validate everything the embedded store holds: ontology, facts and article graphs.

    The store is opened read-only, so a validation never changes the data it checks.
    Its own ontology graph is part of the data, so no ontology is mixed in.
    """
    return validate_graph(_store_graph(path), with_ontology=False)


def validate_file(path: Path) -> ValidationReport:
    """Validate an RDF file (e.g. an export), with the shipped ontology and KB mixed in.

    Mixing them in means a file may refer to knowledge-base individuals (kgr:aleppo)
    without repeating their classes and names.
    """
    return validate_graph(_parse_file(path), with_ontology=True)


def validate_graph(data: Graph, with_ontology: bool = True) -> ValidationReport:
    """Run the shapes over `data`; `with_ontology` adds the shipped ontology and KB to it.

    They are added as data rather than as pyshacl's ont_graph, which copies only class
    and property axioms: the knowledge-base individuals a file refers to need their
    classes too.
    """
    from pyshacl import validate
    from pyshacl.errors import ReportableRuntimeError

    if with_ontology:
        data = data + load_ontology().graph
    try:
        conforms, results, _ = validate(
            data, shacl_graph=load_shapes(), inference="none", allow_warnings=True
        )
    except ReportableRuntimeError as exc:
        raise DataFileError(f"{shapes_path()}: the shapes cannot be used: {exc}") from exc
    return ValidationReport(bool(conforms), _violations(results), len(data))


def _store_graph(path: Path) -> Graph:
    """The union of all named graphs of the store as one rdflib graph (via N-Triples)."""
    store = OxigraphStore(path, read_only=True)
    try:
        data = b"".join(
            store.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b""
            for graph in store.store.named_graphs()
        )
    finally:
        store.close()
    return Graph().parse(data=data, format="nt")


def _parse_file(path: Path) -> Graph:
    """Read any RDF file as one graph; named graphs (TriG, N-Quads) are merged."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = " ".join(sorted(FORMATS))
        raise DataFileError(
            f"{path}: cannot tell the RDF format from the suffix; use one of {known}"
        )
    if not path.is_file():
        raise DataFileError(f"{path}: no such file")
    try:
        if fmt not in QUAD_FORMATS:
            return Graph().parse(path, format=fmt)
        dataset = Dataset()
        with warnings.catch_warnings():  # rdflib 7 warns about its own Dataset internals
            warnings.simplefilter("ignore", DeprecationWarning)
            dataset.parse(path, format=fmt)
    except Exception as exc:  # rdflib raises many parser exception types
        raise DataFileError(f"{path}: not valid {fmt} RDF: {exc}") from exc
    graph = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def _violations(results: Graph) -> list[Violation]:
    """The results of a pyshacl report graph, sorted by focus node, path and message."""
    found = [
        Violation(
            focus_node=_text(results.value(r, SH.focusNode)) or "",
            path=_text(results.value(r, SH.resultPath)),
            message=_text(results.value(r, SH.resultMessage)) or "",
            severity=_local(results.value(r, SH.resultSeverity)),
            value=_text(results.value(r, SH.value)),
            shape=_text(results.value(r, SH.sourceShape)),
        )
        for r in results.subjects(RDF.type, SH.ValidationResult)
    ]
    return sorted(found, key=lambda v: (v.focus_node, v.path or "", v.message, v.value or ""))


def _text(term: Node | None) -> str | None:
    return None if term is None else str(term)


def _local(term: Node | None) -> str:
    text = str(term or SH.Violation)
    return text.rsplit("#", 1)[-1]
