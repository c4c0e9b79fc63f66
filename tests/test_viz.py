"""`etl viz`: one self-contained HTML page, its data embedded as escaped JSON."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from etl import api
from etl.config import Settings
from etl.errors import QueryError
from etl.rdf import FACTS_GRAPH
from etl.viz import embed_json, render_graph

SAMPLES = Path(__file__).parent.parent / "samples"
KG = "https://w3id.org/kg-etl/ontology#"
KGR = "https://w3id.org/kg-etl/id/"
EVIL = "</script><script>alert(1)</script>"
URL = re.compile(r"https?://[^\s\"'<>\\]+")


class _Scripts(HTMLParser):
    """The <script> elements of a page as a browser's tokenizer splits them."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._attrs: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self._attrs = dict(attrs)
            self.scripts.append((self._attrs, ""))

    def handle_data(self, data: str) -> None:
        if self._attrs is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._attrs = None


def embedded(page: str) -> dict[str, Any]:
    parser = _Scripts()
    parser.feed(page)
    blocks = [text for attrs, text in parser.scripts if attrs.get("id") == "graph-data"]
    assert len(blocks) == 1
    data: dict[str, Any] = json.loads(blocks[0])
    return data


def names(data: dict[str, Any]) -> dict[str, str]:
    return {n["id"]: n["name"] for n in data["nodes"]}


def edges(data: dict[str, Any]) -> set[tuple[str, str, str]]:
    by_id = names(data)
    return {(by_id[e["source"]], e["label"], by_id[e["target"]]) for e in data["links"]}


def assert_offline(page: str, data: dict[str, Any]) -> None:
    """No URL outside the data, and none in the data but its IRIs: nothing to fetch."""
    outside = re.sub(
        r'(<script type="application/json" id="graph-data">).*?(</script>)',
        "",
        page,
        flags=re.DOTALL,
    )
    assert URL.findall(outside) == []
    assert not re.search(r"\b(src|href)\s*=", outside)
    iris = {n["id"] for n in data["nodes"]} | {n["class"] for n in data["nodes"]}
    iris |= {e["iri"] for e in data["links"]} | {entry["class"] for entry in data["legend"]}
    assert set(URL.findall(json.dumps(data))) <= {i for i in iris if i}


@pytest.fixture(scope="module")
def tiny_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store written with pyoxigraph; one name tries to break out of the page."""
    path = tmp_path_factory.mktemp("viz") / "store"
    label = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
    a = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    quads: list[ox.Quad] = []

    def entity(slug: str, name: str, cls: str) -> ox.NamedNode:
        node = ox.NamedNode(KGR + slug)
        quads.append(ox.Quad(node, a, ox.NamedNode(KG + cls), FACTS_GRAPH))
        quads.append(ox.Quad(node, label, ox.Literal(name, language="en"), FACTS_GRAPH))
        return node

    evil = entity("evil", EVIL, "ArmedGroup")
    town = entity("town", 'Tal "A" & <B>', "Town")
    other = entity("other", "Other group", "ArmedGroup")
    captured, allied = ox.NamedNode(KG + "captured"), ox.NamedNode(KG + "alliedWith")
    quads.append(ox.Quad(evil, captured, town, FACTS_GRAPH))
    quads.append(ox.Quad(evil, allied, other, FACTS_GRAPH))
    quads.append(ox.Quad(other, allied, evil, FACTS_GRAPH))
    store = ox.Store(str(path))
    store.extend(quads)
    store.flush()
    del store  # closed: render_graph opens it read-only
    return path


def test_hostile_names_stay_data(tiny_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "graph.html"
    assert render_graph(tiny_store, out) == 3
    page = out.read_text(encoding="utf-8")
    assert "alert(1)</script>" not in page
    assert "<B>" not in page
    parser = _Scripts()
    parser.feed(page)
    assert len(parser.scripts) == 2  # the data block and the drawing code, nothing more
    data = embedded(page)
    assert EVIL in names(data).values()
    assert (EVIL, "captured", 'Tal "A" & <B>') in edges(data)
    # A symmetric fact is stored both ways and drawn once, without an arrow.
    allied = [e for e in data["links"] if e["label"] == "alliedWith"]
    assert len(allied) == 1 and allied[0]["directed"] is False
    assert_offline(page, data)


def test_embed_json_leaves_nothing_html_can_read() -> None:
    value = {"x": "</script><!-- & \u2028 \u2029 >"}
    text = embed_json(value)
    assert not set(text) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(text) == value


def test_select_rows_draw_consecutive_iris(tiny_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "q.html"
    # A property between two IRIs labels their edge ...
    render_graph(tiny_store, out, "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isIRI(?o)) }")
    data = embedded(out.read_text(encoding="utf-8"))
    assert (EVIL, "captured", 'Tal "A" & <B>') in edges(data)
    assert "captured" not in names(data).values()
    assert not any(n["id"].endswith("#ArmedGroup") for n in data["nodes"])  # rdf:type ...
    assert {n["className"] for n in data["nodes"]} == {"ArmedGroup", "Town"}  # ... a class
    assert data["query"].startswith("SELECT ?s ?p ?o")
    # ... else the edge is labelled with the second column's name; literals are skipped.
    render_graph(
        tiny_store,
        out,
        "SELECT ?actor ?name ?place WHERE { ?actor kg:captured ?place ; skos:prefLabel ?name }",
    )
    data = embedded(out.read_text(encoding="utf-8"))
    assert edges(data) == {(EVIL, "place", 'Tal "A" & <B>')}
    assert {n["className"] for n in data["nodes"]} == {"ArmedGroup", "Town"}


def test_construct_triples_and_limits(tiny_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "c.html"
    drawn = render_graph(tiny_store, out, "CONSTRUCT WHERE { ?a kg:alliedWith ?b }")
    data = embedded(out.read_text(encoding="utf-8"))
    assert drawn == 2 and {e[1] for e in edges(data)} == {"alliedWith"}
    assert render_graph(tiny_store, out, limit=1) == 1
    data = embedded(out.read_text(encoding="utf-8"))
    assert data["totalNodes"] == 3 and data["links"] == []
    assert data["nodes"][0]["name"] == EVIL  # the best connected entity is kept


def test_ask_and_bad_queries_are_query_errors(tiny_store: Path, tmp_path: Path) -> None:
    with pytest.raises(QueryError, match="not ASK"):
        render_graph(tiny_store, tmp_path / "x.html", "ASK { ?s ?p ?o }")
    with pytest.raises(QueryError, match="syntax"):
        render_graph(tiny_store, tmp_path / "x.html", "SELEC ?x")


@pytest.mark.model
def test_the_sample_facts_graph(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert api.load([SAMPLES], Settings(store=store)).ok
    out = tmp_path / "facts.html"
    drawn = render_graph(store, out)
    page = out.read_text(encoding="utf-8")
    data = embedded(page)
    assert drawn == len(data["nodes"]) > 10
    assert "Hayat Tahrir al-Sham" in names(data).values()
    assert ("Hayat Tahrir al-Sham", "captured", "Aleppo") in edges(data)
    hts = next(n for n in data["nodes"] if n["name"] == "Hayat Tahrir al-Sham")
    assert hts["id"] == KGR + "hayat-tahrir-al-sham" and hts["className"] == "ArmedGroup"
    legend = {entry["name"]: entry for entry in data["legend"]}
    assert legend["ArmedGroup"]["color"] == hts["color"]
    assert_offline(page, data)
