"""`etl viz`: the graph as one self-contained HTML page, for readers without Neo4j.

The page embeds its data as JSON and draws it with a small force-directed layout in plain
JavaScript and SVG (etl/assets/viz.html): no CDN, no network; a Content-Security-Policy
forbids the page from fetching anything at all. Nodes are coloured by class and captioned
with their name; hovering shows the IRI and class; nodes can be dragged, the view zoomed
and panned.

What is drawn:
- Without a query: the facts graph. Every fact between two entities is an edge labelled
  with its property (a symmetric fact once); the entities are nodes named by their
  skos:prefLabel and coloured by their class. Past `limit` nodes, the best connected are
  kept.
- A CONSTRUCT or DESCRIBE query: its triples. A triple whose object is an IRI is an edge
  labelled with the predicate's local name; `rdf:type` gives a node its class and
  skos:prefLabel / rdfs:label its name; other literals are left out.
- A SELECT query: each row is read left to right over the projected variables.
  * An IRI that is a property is not a node: it labels the edge from the node before it
    to the node after it, so `SELECT ?s ?p ?o` draws s -p-> o. Properties are the
    ontology's, those the store declares rdf:Property or owl:Object-, Datatype- or
    AnnotationProperty, and the lower-case terms of the rdf, rdfs, owl, skos, dcterms,
    prov and schema.org vocabularies.
  * An IRI after rdf:type is the class of the node before it, not a node.
  * Every other IRI is a node, joined to the next node in the same row by an edge
    labelled with the property between them, or else with the next node's variable
    name: `SELECT ?actor ?place` draws actor -place-> place.
  * Literals, blank nodes and unbound cells are skipped.
  Nodes keep the order the rows give them; past `limit`, later nodes are left out.
In every case names and classes the result does not give are looked up in the store
(skos:prefLabel, then rdfs:label, then the IRI's last segment; the most specific kg: class).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from etl.errors import QueryError
from etl.ontology import ONTOLOGY_GRAPH
from etl.rdf import FACTS_GRAPH
from etl.stores.oxigraph import PREFIXES, OxigraphStore

TEMPLATE = Path(__file__).parent / "assets" / "viz.html"
DEFAULT_LIMIT = 500

RDF = PREFIXES["rdf"]
RDFS = PREFIXES["rdfs"]
OWL = PREFIXES["owl"]
KG = PREFIXES["kg"]
RDF_TYPE = ox.NamedNode(RDF + "type")
NAME_PROPERTIES = (ox.NamedNode(PREFIXES["skos"] + "prefLabel"), ox.NamedNode(RDFS + "label"))
PROPERTY_CLASSES = tuple(
    ox.NamedNode(iri)
    for iri in (
        RDF + "Property",
        OWL + "ObjectProperty",
        OWL + "DatatypeProperty",
        OWL + "AnnotationProperty",
        OWL + "SymmetricProperty",
        OWL + "TransitiveProperty",
    )
)
# Vocabularies whose lower-case terms are properties (rdf:type, skos:prefLabel, ...).
PROPERTY_VOCABULARIES = tuple(
    PREFIXES[p] for p in ("rdf", "rdfs", "owl", "skos", "dcterms", "prov", "schema")
)
# Class colours, in order of how many nodes a class has; grey for nodes without one.
PALETTE = (  # with today's ontology: the leaf classes in alphabetical order
    "#4e79a7",  # ArmedGroup: blue
    "#bab0ac",  # Article: stone
    "#e15759",  # City: red
    "#59a14f",  # Country: green
    "#f28e2b",  # EthnoReligiousGroup: orange
    "#d37295",  # Evidence: magenta
    "#76b7b2",  # Facility: teal
    "#b07aa1",  # Government: purple
    "#edc948",  # NewsOrganization: yellow
    "#ff9da7",  # Person: pink
    "#9c755f",  # Region: brown
    "#a0cbe8",  # Town: light blue
)
NO_CLASS = "#9d9d9d"


@dataclass
class GraphData:
    """What the page draws: nodes by IRI (in drawing priority) and labelled edges."""

    title: str
    query: str | None = None
    names: dict[str, str] = field(default_factory=dict)  # IRI -> name, in order
    classes: dict[str, str] = field(default_factory=dict)  # IRI -> class IRI
    edges: dict[tuple[str, str, str], str | None] = field(default_factory=dict)
    # (source, label, target) -> property IRI

    def node(self, iri: str) -> None:
        self.names.setdefault(iri, "")

    def edge(self, source: str, label: str, target: str, prop: str | None) -> None:
        self.node(source)
        self.node(target)
        self.edges.setdefault((source, label, target), prop)


def render_graph(
    store_path: Path, output: Path, query: str | None = None, limit: int = DEFAULT_LIMIT
) -> int:
    """Write the page for the store at `store_path` to `output`; the number of nodes drawn.

    `query` is SPARQL text (SELECT, CONSTRUCT or DESCRIBE) over the same dataset as `etl
    query`; without one the facts graph is drawn. Raises QueryError for a bad query and
    StoreError when the store cannot be opened.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    store = OxigraphStore(store_path, read_only=True)
    try:
        data = _collect(store, query)
        payload = _payload(data, store, limit)
    finally:
        store.close()
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render_html(payload), encoding="utf-8")
    return len(payload["nodes"])


# --- reading the store ---------------------------------------------------------------


def _collect(store: OxigraphStore, query: str | None) -> GraphData:
    if query is None:
        return _facts(store)
    result = store._run(query, None)
    data = GraphData(title="kg-etl graph: query result", query=query)
    if isinstance(result, ox.QueryBoolean):
        raise QueryError("etl viz draws SELECT, CONSTRUCT or DESCRIBE results, not ASK")
    try:
        if isinstance(result, ox.QuerySolutions):
            _from_rows(store, result, data)
        else:
            _from_triples(result, data)
    except (OSError, RuntimeError) as exc:
        raise QueryError(f"SPARQL query failed: {exc}") from exc
    return data


def _facts(store: OxigraphStore) -> GraphData:
    data = GraphData(title="kg-etl graph: facts")
    symmetric = {p.iri for p in store.ontology.properties.values() if p.symmetric}
    quads = store.store.quads_for_pattern(None, None, None, FACTS_GRAPH)
    for quad in quads:
        s, p, o = quad.subject, quad.predicate, quad.object
        if not isinstance(s, ox.NamedNode) or not isinstance(o, ox.NamedNode) or p == RDF_TYPE:
            continue
        if p.value in symmetric and o.value < s.value:
            s, o = o, s  # a symmetric fact is stored both ways; draw it once
        data.edge(s.value, _local(p.value), o.value, p.value)
    return data


def _from_triples(triples: Iterable[ox.Triple], data: GraphData) -> None:
    for triple in triples:
        s, p, o = triple.subject, triple.predicate, triple.object
        if not isinstance(s, ox.NamedNode):
            continue
        data.node(s.value)
        if p == RDF_TYPE and isinstance(o, ox.NamedNode):
            data.classes.setdefault(s.value, o.value)
        elif p in NAME_PROPERTIES and isinstance(o, ox.Literal):
            if not data.names[s.value]:
                data.names[s.value] = o.value
        elif isinstance(o, ox.NamedNode):
            data.edge(s.value, _local(p.value), o.value, p.value)


def _from_rows(store: OxigraphStore, solutions: ox.QuerySolutions, data: GraphData) -> None:
    columns = [v.value for v in solutions.variables]
    is_property: dict[str, bool] = {}
    for solution in solutions:
        previous: str | None = None
        prop: str | None = None
        for column in columns:
            term = solution[column]
            if not isinstance(term, ox.NamedNode):
                continue
            iri = term.value
            if iri not in is_property:
                is_property[iri] = _is_property(store, term)
            if is_property[iri]:
                prop = iri
                continue
            if prop == RDF_TYPE.value and previous is not None:
                data.classes.setdefault(previous, iri)  # a class, as in CONSTRUCT
                prop = None
                continue
            data.node(iri)
            if previous is not None:
                label = _local(prop) if prop else column
                data.edge(previous, label, iri, prop)
            previous, prop = iri, None


def _is_property(store: OxigraphStore, term: ox.NamedNode) -> bool:
    iri = term.value
    if iri.startswith(PROPERTY_VOCABULARIES) and _local(iri)[:1].islower():
        return True
    if any(p.iri == iri for p in store.ontology.properties.values()):
        return True
    return any(
        any(True for _ in store.store.quads_for_pattern(term, RDF_TYPE, cls, graph))
        for cls in PROPERTY_CLASSES
        for graph in _default_graphs()
    )


def _default_graphs() -> tuple[ox.NamedNode, ...]:
    return (FACTS_GRAPH, ox.NamedNode(str(ONTOLOGY_GRAPH)))


def _describe(store: OxigraphStore, iri: str) -> tuple[str | None, str | None]:
    """The name and most specific class the store gives an IRI."""
    node = ox.NamedNode(iri)
    name: str | None = None
    for prop in NAME_PROPERTIES:
        labels = [
            q.object
            for graph in _default_graphs()
            for q in store.store.quads_for_pattern(node, prop, None, graph)
            if isinstance(q.object, ox.Literal)
        ]
        if labels:
            english = [lit for lit in labels if (lit.language or "en").startswith("en")]
            name = min(lit.value for lit in english or labels)
            break
    types = sorted(
        {
            q.object.value
            for graph in _default_graphs()
            for q in store.store.quads_for_pattern(node, RDF_TYPE, None, graph)
            if isinstance(q.object, ox.NamedNode)
        }
    )
    return name, _most_specific(store, types)


def _most_specific(store: OxigraphStore, types: list[str]) -> str | None:
    ours = [t for t in types if t.startswith(KG)]
    if ours:
        return max(ours, key=lambda t: len(store.ontology.lineage(t[len(KG) :])))
    return types[0] if types else None


# --- the payload and the page -----------------------------------------------------------


def _payload(data: GraphData, store: OxigraphStore, limit: int) -> dict[str, Any]:
    order = list(data.names)
    if data.query is None:  # the facts graph: keep the best connected entities
        degree: Counter[str] = Counter()
        for source, _, target in data.edges:
            degree[source] += 1
            degree[target] += 1
        order.sort(key=lambda iri: -degree[iri])
    kept = order[:limit]
    kept_set = set(kept)
    nodes = []
    for iri in kept:
        name, cls = _describe(store, iri)
        cls = data.classes.get(iri) or cls
        nodes.append({"id": iri, "name": data.names[iri] or name or _local(iri), "class": cls})
    symmetric = {p.iri for p in store.ontology.properties.values() if p.symmetric}
    return payload(
        title=data.title,
        nodes=nodes,
        links=[
            {
                "source": s,
                "target": t,
                "label": label,
                "iri": prop,
                "directed": prop not in symmetric,
            }
            for (s, label, t), prop in data.edges.items()
            if s in kept_set and t in kept_set
        ],
        query=data.query,
        total_nodes=len(order),
        class_order=_class_order(store),
    )


def _class_order(store: OxigraphStore) -> list[str]:
    """The ontology's classes, the most specific first: each keeps one colour."""
    ontology = store.ontology
    parents = {p for c in ontology.classes for p in ontology.lineage(c)[1:]}
    leaves = [c for c in ontology.classes if c not in parents]
    return [KG + c for c in leaves + sorted(parents)]


def payload(
    title: str,
    nodes: list[dict[str, Any]],
    links: list[dict[str, Any]],
    query: str | None = None,
    total_nodes: int | None = None,
    class_order: list[str] | None = None,
) -> dict[str, Any]:
    """The page's data: nodes (id, name, class) and links (source, target, label, iri,
    directed: false for a symmetric property, drawn without an arrow), with a colour for
    each class and a legend entry per class. Classes take the palette's colours in
    `class_order` (so a class keeps its colour from page to page), then by frequency."""
    counts = Counter(n.get("class") for n in nodes)
    present = [c for c in counts if c]
    ranked = list(class_order or []) + sorted(present, key=lambda c: (-counts[c], _local(c)))
    slot = {cls: i for i, cls in reversed(list(enumerate(ranked)))}
    colours: dict[str | None, str] = {None: NO_CLASS}
    legend = []
    for cls in present:
        i = slot[cls]
        colours[cls] = PALETTE[i] if i < len(PALETTE) else _hashed_colour(cls)
        legend.append({"class": cls, "name": _local(cls), "color": colours[cls]})
    legend.sort(key=lambda entry: entry["name"].lower())
    if counts[None]:
        legend.append({"class": None, "name": "(no class)", "color": NO_CLASS})
    for entry in legend:
        entry["count"] = counts[entry["class"]]
    return {
        "title": title,
        "query": query,
        "nodes": [
            {
                "id": n["id"],
                "name": n["name"],
                "class": n.get("class"),
                "className": _local(n["class"]) if n.get("class") else None,
                "color": colours[n.get("class")],
            }
            for n in nodes
        ],
        "links": links,
        "legend": legend,
        "totalNodes": len(nodes) if total_nodes is None else total_nodes,
    }


def render_html(data: dict[str, Any]) -> str:
    """The page for a payload: the template with the data as inert, escaped JSON."""
    template = TEMPLATE.read_text(encoding="utf-8")
    script = re.search(r"<script>(.*?)</script>", template, re.DOTALL)
    assert script, f"{TEMPLATE}: no <script> block"
    digest = base64.b64encode(hashlib.sha256(script.group(1).encode()).digest()).decode()
    csp = (
        "default-src 'none'; style-src 'unsafe-inline'; "
        f"script-src 'sha256-{digest}'; img-src data:"
    )
    values = {
        "CSP": html.escape(csp),
        "TITLE": html.escape(str(data.get("title", "kg-etl graph"))),
        "DATA": embed_json(data),
    }
    return re.sub(r"__(CSP|TITLE|DATA)__", lambda m: values[m.group(1)], template)


def embed_json(value: Any) -> str:
    """JSON safe inside an HTML <script> element: no `<`, `>`, `&` or line separators
    appear literally, so no text can close the element or open a comment."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


def _local(iri: str) -> str:
    """The last segment of an IRI: after '#', else after the last '/' or ':'."""
    for sep in ("#", "/", ":"):
        _, found, tail = iri.rpartition(sep)
        if found and tail:
            return tail
    return iri


def _hashed_colour(cls: str) -> str:
    hue = int(hashlib.sha1(cls.encode()).hexdigest()[:4], 16) % 360
    return f"hsl({hue},55%,55%)"


__all__ = ["GraphData", "embed_json", "payload", "render_graph", "render_html"]
