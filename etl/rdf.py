"""The graph model in RDF: one named graph per article holding its facts and evidence.

- `<article>` a kg:Article, with its id, title, url, published date and content hash, and
  kg:mentions to every entity it names.
- Each entity with its class and labels; each fact as a plain triple `s p o`, so SPARQL
  over the union of graphs sees every fact once.
- Each supporting sentence as a kg:Evidence node naming the fact's subject, predicate and
  object, the article, the sentence, its offsets and the extraction confidence.
The ontology and knowledge base live in their own graph (ONTOLOGY_GRAPH).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from pyoxigraph import Literal, NamedNode, Quad

from etl.models import GraphDoc
from etl.ontology import ARTICLE, KG, article_iri

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


def quads(doc: GraphDoc) -> Iterator[Quad]:
    """Every quad an article contributes, all in the article's own named graph."""
    art = doc.article
    g = article = article_graph(art.id)
    yield Quad(article, RDF_TYPE, kg("Article"), g)
    yield Quad(article, kg("articleId"), Literal(art.id), g)
    yield Quad(article, kg("contentHash"), Literal(art.content_hash), g)
    for prop, value in (("title", art.title), ("url", art.url), ("published", art.published)):
        if value:
            yield Quad(article, DC_TITLE if prop == "title" else kg(prop), Literal(value), g)
    for node in doc.nodes:
        entity = NamedNode(node.iri)
        yield Quad(article, kg("mentions"), entity, g)
        yield Quad(entity, RDF_TYPE, kg(node.classes[0]), g)
        yield Quad(entity, PREF_LABEL, Literal(node.name, language="en"), g)
        yield Quad(entity, RDFS_LABEL, Literal(node.name, language="en"), g)
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
        yield Quad(ev, kg("confidence"),
                   Literal(str(edge.confidence), datatype=NamedNode(XSD + "decimal")), g)


__all__ = ["ARTICLE", "article_graph", "quads"]
