"""Map extractions onto the ontology: entities become nodes, facts become edges."""

from __future__ import annotations

from etl.models import Edge, Extraction, GraphDoc, Node
from etl.ontology import Ontology


def to_graph(extraction: Extraction, ontology: Ontology) -> GraphDoc:
    """The nodes and edges one article contributes, with symmetric facts in one direction."""
    nodes = []
    for entity in extraction.entities:
        entry = ontology.by_iri.get(entity.iri)
        nodes.append(
            Node(
                iri=entity.iri,
                name=entity.label,
                classes=ontology.lineage(entity.type),
                aliases=entry.aliases if entry else (),
                wikidata=entry.wikidata if entry else None,
            )
        )
    edges = []
    for fact in extraction.facts:
        subject, obj = fact.subject.entity.iri, fact.object.entity.iri
        if ontology.property(fact.predicate).symmetric and obj < subject:
            subject, obj = obj, subject
        edges.append(
            Edge(subject, fact.predicate, obj, fact.sentence, fact.start, fact.end, fact.confidence)
        )
    return GraphDoc(extraction.article, nodes, edges)
