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
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from pyoxigraph import Literal, NamedNode, Quad

from etl.models import GraphDoc
from etl.ontology import ARTICLE, KG, Ontology, article_iri

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
PREF_LABEL = NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
DC_TITLE = NamedNode("http://purl.org/dc/terms/title")


def kg(name: str) -> NamedNode:
    return NamedNode(str(KG[name]))


def _int(value: int) -> Literal:
    return Literal(str(value), datatype=NamedNode(XSD + "integer"))


def article_graph(doc_id: str) -> NamedNode:
    return NamedNode(article_iri(doc_id))


FACTS_GRAPH = NamedNode("https://w3id.org/kg-etl/graph/facts")


def fact_quads(doc: GraphDoc, ontology: Ontology) -> Iterator[Quad]:
    """What the article adds to the facts graph: its facts and entities new to the KB.

    A symmetric fact (alliedWith, foughtWith) is written in both directions, as OWL
    entails, so `?a kg:alliedWith ?b` finds it from either end.
    """
    for node in doc.nodes:
        if node.iri not in ontology.by_iri:
            yield from _describe(node.iri, node.classes[0], node.name, FACTS_GRAPH)
    for edge in doc.edges:
        s, p, o = NamedNode(edge.subject), kg(edge.predicate), NamedNode(edge.object)
        yield Quad(s, p, o, FACTS_GRAPH)
        if ontology.property(edge.predicate).symmetric:
            yield Quad(o, p, s, FACTS_GRAPH)


def _describe(iri: str, cls: str, name: str, g: NamedNode) -> Iterator[Quad]:
    entity = NamedNode(iri)
    yield Quad(entity, RDF_TYPE, kg(cls), g)
    yield Quad(entity, PREF_LABEL, Literal(name, language="en"), g)
    yield Quad(entity, RDFS_LABEL, Literal(name, language="en"), g)


def quads(doc: GraphDoc, ontology: Ontology) -> Iterator[Quad]:
    """Every quad of the article's own named graph."""
    art = doc.article
    g = article = article_graph(art.id)
    yield Quad(article, RDF_TYPE, kg("Article"), g)
    yield Quad(article, kg("articleId"), Literal(art.id), g)
    yield Quad(article, kg("contentHash"), Literal(art.content_hash), g)
    for prop, value in (("title", art.title), ("url", art.url), ("published", art.published)):
        if value:
            yield Quad(article, DC_TITLE if prop == "title" else kg(prop), Literal(value), g)
    for node in doc.nodes:
        yield Quad(article, kg("mentions"), NamedNode(node.iri), g)
        if node.iri not in ontology.by_iri:
            yield from _describe(node.iri, node.classes[0], node.name, g)
    for edge in doc.edges:
        s, p, o = NamedNode(edge.subject), kg(edge.predicate), NamedNode(edge.object)
        yield Quad(s, p, o, g)
        key = f"{edge.subject} {edge.predicate} {edge.object} {edge.start}"
        ev = NamedNode(f"{article.value}#evidence-{hashlib.sha1(key.encode()).hexdigest()[:16]}")
        yield Quad(ev, RDF_TYPE, kg("Evidence"), g)
        yield Quad(ev, kg("factSubject"), s, g)
        yield Quad(ev, kg("factPredicate"), p, g)
        yield Quad(ev, kg("factObject"), o, g)
        yield Quad(ev, kg("fromArticle"), article, g)
        yield Quad(ev, kg("sentence"), Literal(edge.sentence), g)
        yield Quad(ev, kg("startChar"), _int(edge.start), g)
        yield Quad(ev, kg("endChar"), _int(edge.end), g)
        yield Quad(
            ev,
            kg("confidence"),
            Literal(str(edge.confidence), datatype=NamedNode(XSD + "decimal")),
            g,
        )


__all__ = ["ARTICLE", "FACTS_GRAPH", "article_graph", "fact_quads", "quads"]
