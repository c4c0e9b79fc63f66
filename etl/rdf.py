"""The graph model in RDF.

Three kinds of named graph:
- ONTOLOGY_GRAPH: the ontology and the knowledge base of known individuals.
- FACTS_GRAPH: every fact some article supports, once (`s p o`), and the class and labels
  of entities the knowledge base does not know. With the ontology graph it is the default
  graph of queries, so each fact answers once however many articles state it.
- One graph per article (its IRI): the article (id, title, url, published, content
  hash), kg:mentions of its entities, the facts it states, and one kg:Evidence node per
  supporting sentence (subject, predicate, object, sentence, offsets, confidence).
  `GRAPH ?article { ... }` asks where a fact comes from; deleting the graph retracts it.

The model is written out as N-Quads text, which pyoxigraph parses (and bulk-loads) in
Rust, checking IRIs as NamedNode does: building the same quads as Python objects costs
several times more (a Quad whose object is a Literal takes microseconds to make alone).
`quads()` and `fact_quads()` parse that text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from functools import cache

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse

from etl.models import Article, Edge, GraphDoc, Node
from etl.ontology import ARTICLE, KG, Ontology, article_iri

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
PREF_LABEL = "<http://www.w3.org/2004/02/skos/core#prefLabel>"
DC_TITLE = "<http://purl.org/dc/terms/title>"
FACTS_GRAPH = NamedNode("https://w3id.org/kg-etl/graph/facts")
_FACTS = f"<{FACTS_GRAPH.value}>"


@cache
def kg(name: str) -> NamedNode:
    """The ontology term `kg:name`."""
    return NamedNode(f"{KG}{name}")


@cache
def _kg(name: str) -> str:
    """`kg:name` as an N-Quads term."""
    return f"<{KG}{name}>"


def _string(value: str) -> str:
    """A string literal in N-Quads: only quote, backslash and line breaks need escaping."""
    if '"' in value or "\\" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace('"', '\\"')
        value = value.replace("\n", "\\n").replace("\r", "\\r")
    return f'"{value}"'


def _typed(value: object, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


_ARTICLE, _ARTICLE_ID, _URL, _PUBLISHED, _MENTIONS = map(
    _kg, ("Article", "articleId", "url", "published", "mentions")
)
_EVIDENCE, _FACT_SUBJECT, _FACT_PREDICATE, _FACT_OBJECT, _FROM_ARTICLE = map(
    _kg, ("Evidence", "factSubject", "factPredicate", "factObject", "fromArticle")
)
_SENTENCE, _START_CHAR, _END_CHAR, _CONFIDENCE = map(
    _kg, ("sentence", "startChar", "endChar", "confidence")
)


def article_graph(doc_id: str) -> NamedNode:
    return NamedNode(article_iri(doc_id))


def content_marker(article: Article) -> Quad:
    """The quad saying the store holds this version of the article, all of it."""
    g = article_graph(article.id)
    return Quad(g, kg("contentHash"), Literal(article.content_hash), g)


def quads(doc: GraphDoc, ontology: Ontology) -> Iterator[Quad]:
    """Every quad of the article's own named graph."""
    yield content_marker(doc.article)
    yield from _parse(article_nquads(doc, ontology))


def fact_quads(doc: GraphDoc, ontology: Ontology) -> Iterator[Quad]:
    """What the article adds to the facts graph (see fact_nquads)."""
    return _parse(fact_nquads(doc, ontology))


def _parse(lines: list[str]) -> Iterator[Quad]:
    return parse("".join(lines), RdfFormat.N_QUADS)


def fact_nquads(doc: GraphDoc, ontology: Ontology, entities: bool = True) -> list[str]:
    """What the article adds to the facts graph: its facts and (see entity_nquads) the
    entities new to the KB, unless `entities` is False.

    A symmetric fact (alliedWith, foughtWith) is written in both directions, as OWL
    entails, so `?a kg:alliedWith ?b` finds it from either end.
    """
    lines = [
        entity_nquads(node)
        for node in (doc.nodes if entities else ())
        if node.iri not in ontology.by_iri
    ]
    for edge in doc.edges:
        s, p, o = f"<{edge.subject}>", _kg(edge.predicate), f"<{edge.object}>"
        lines.append(f"{s} {p} {o} {_FACTS} .\n")
        if ontology.property(edge.predicate).symmetric:
            lines.append(f"{o} {p} {s} {_FACTS} .\n")
    return lines


def entity_nquads(node: Node, g: str = _FACTS) -> str:
    """The class and labels of an entity the KB does not know, in graph `g`."""
    entity, label = f"<{node.iri}>", f"{_string(node.name)}@en"
    return (
        f"{entity} {RDF_TYPE} {_kg(node.classes[0])} {g} .\n"
        f"{entity} {PREF_LABEL} {label} {g} .\n"
        f"{entity} {RDFS_LABEL} {label} {g} .\n"
    )


def article_nquads(doc: GraphDoc, ontology: Ontology) -> list[str]:
    """The article's graph but its content_marker, which a writer adds once these are in."""
    art = doc.article
    iri = article_iri(art.id)
    g = article = f"<{iri}>"
    lines = [
        f"{article} {RDF_TYPE} {_ARTICLE} {g} .\n",
        f"{article} {_ARTICLE_ID} {_string(art.id)} {g} .\n",
    ]
    for prop, value in ((DC_TITLE, art.title), (_URL, art.url), (_PUBLISHED, art.published)):
        if value:
            lines.append(f"{article} {prop} {_string(value)} {g} .\n")
    for node in doc.nodes:
        lines.append(f"{article} {_MENTIONS} <{node.iri}> {g} .\n")
        if node.iri not in ontology.by_iri:
            lines.append(entity_nquads(node, g))
    lines.extend(_evidence(edge, iri) for edge in doc.edges)
    return lines


def _evidence(edge: Edge, iri: str) -> str:
    """The fact as the article states it, and its kg:Evidence node."""
    g = article = f"<{iri}>"
    s, p, o = f"<{edge.subject}>", _kg(edge.predicate), f"<{edge.object}>"
    key = f"{edge.subject} {edge.predicate} {edge.object} {edge.start}"
    ev = f"<{iri}#evidence-{hashlib.sha1(key.encode()).hexdigest()[:16]}>"
    return (
        f"{s} {p} {o} {g} .\n"
        f"{ev} {RDF_TYPE} {_EVIDENCE} {g} .\n"
        f"{ev} {_FACT_SUBJECT} {s} {g} .\n"
        f"{ev} {_FACT_PREDICATE} {p} {g} .\n"
        f"{ev} {_FACT_OBJECT} {o} {g} .\n"
        f"{ev} {_FROM_ARTICLE} {article} {g} .\n"
        f"{ev} {_SENTENCE} {_string(edge.sentence)} {g} .\n"
        f"{ev} {_START_CHAR} {_typed(edge.start, 'integer')} {g} .\n"
        f"{ev} {_END_CHAR} {_typed(edge.end, 'integer')} {g} .\n"
        f"{ev} {_CONFIDENCE} {_typed(edge.confidence, 'decimal')} {g} .\n"
    )


__all__ = [
    "ARTICLE",
    "FACTS_GRAPH",
    "article_graph",
    "article_nquads",
    "content_marker",
    "entity_nquads",
    "fact_nquads",
    "fact_quads",
    "quads",
]
