"""`etl serve`: the SPARQL 1.1 Protocol endpoint, asked by real clients (SPARQLWrapper,
rdflib's SPARQLStore, plain urllib) over HTTP on a free port."""

from __future__ import annotations

import http.client
import shutil
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from etl import api
from etl.config import Settings
from etl.errors import ConfigError, StoreError
from etl.rdf import FACTS_GRAPH
from etl.serve import GRAPH_TYPES, RESULTS_TYPES, SparqlServer, make_server, negotiate

SAMPLES = Path(__file__).parent.parent / "samples"
EX = "http://example.org/"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@contextmanager
def running(store: Path, **options: Any) -> Iterator[SparqlServer]:
    """The endpoint serving from a thread; stopped, workers and all, on exit."""
    options.setdefault("log", lambda line: None)
    server = make_server(store, port=0, **options)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def fetch(
    url: str,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    method: str | None = None,
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def get(server: SparqlServer, query: str, accept: str | None = None, **params: str) -> Any:
    url = server.url + "?" + urllib.parse.urlencode({"query": query, **params})
    return fetch(url, headers={"Accept": accept} if accept else {})


@pytest.fixture(scope="module")
def tiny_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store written with pyoxigraph: 2,000 facts, so a triple cross product is slow."""
    path = tmp_path_factory.mktemp("tiny") / "store"
    store = ox.Store(str(path))
    label = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
    link = ox.NamedNode(EX + "next")
    other = ox.NamedNode(EX + "other")
    quads = []
    for i in range(1000):
        node = ox.NamedNode(f"{EX}n{i}")
        quads.append(ox.Quad(node, label, ox.Literal(f"node {i}"), FACTS_GRAPH))
        quads.append(ox.Quad(node, link, ox.NamedNode(f"{EX}n{i + 1}"), FACTS_GRAPH))
    quads.append(ox.Quad(ox.NamedNode(EX + "a"), link, ox.NamedNode(EX + "b"), other))
    store.extend(quads)
    store.flush()
    del store  # close it: the server's workers open it read-only
    return path


@pytest.fixture(scope="module")
def tiny(tiny_store: Path) -> Iterator[SparqlServer]:
    with running(tiny_store) as server:
        yield server


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("samples") / "store"
    assert api.load([SAMPLES], Settings(store=store)).ok
    return store


@pytest.fixture(scope="module")
def samples(sample_store: Path) -> Iterator[SparqlServer]:
    with running(sample_store) as server:
        yield server


# --- on the sample corpus ------------------------------------------------------------


@pytest.mark.model
def test_sparqlwrapper_select_finds_who_captured_aleppo(samples: SparqlServer) -> None:
    client = SPARQLWrapper(samples.url)
    client.setReturnFormat(JSON)
    client.setQuery(
        """SELECT ?actor ?place WHERE {
             ?a kg:captured ?p . ?a skos:prefLabel ?actor . ?p skos:prefLabel ?place }"""
    )
    bindings = client.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
    rows = {(b["actor"]["value"], b["place"]["value"]) for b in bindings}
    assert ("Hayat Tahrir al-Sham", "Aleppo") in rows


@pytest.mark.model
def test_sparqlwrapper_ask_over_get_and_post(samples: SparqlServer) -> None:
    for method in ("GET", POST):
        client = SPARQLWrapper(samples.url)
        client.setMethod(method)
        client.setReturnFormat(JSON)
        client.setQuery("ASK { kgr:hayat-tahrir-al-sham kg:captured kgr:aleppo }")
        assert client.queryAndConvert()["boolean"] is True  # type: ignore[index]
        client.setQuery("ASK { kgr:aleppo kg:captured kgr:hayat-tahrir-al-sham }")
        assert client.queryAndConvert()["boolean"] is False  # type: ignore[index]


@pytest.mark.model
def test_construct_is_turtle_that_rdflib_parses(samples: SparqlServer) -> None:
    client = SPARQLWrapper(samples.url)
    client.setReturnFormat(TURTLE)
    client.setQuery("CONSTRUCT WHERE { ?a kg:captured ?p . ?p skos:prefLabel ?name }")
    data = client.query().response.read()
    graph = rdflib.Graph().parse(data=data, format="turtle")
    kg = rdflib.Namespace("https://w3id.org/kg-etl/ontology#")
    kgr = rdflib.Namespace("https://w3id.org/kg-etl/id/")
    assert (kgr["hayat-tahrir-al-sham"], kg.captured, kgr.aleppo) in graph
    assert rdflib.Literal("Aleppo", lang="en") in set(graph.objects(kgr.aleppo, None))


@pytest.mark.model
def test_rdflib_sparqlstore_queries_the_endpoint(samples: SparqlServer) -> None:
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = rdflib.Graph(store=SPARQLStore(samples.url))
    rows = graph.query(
        """SELECT ?place WHERE {
             kgr:hayat-tahrir-al-sham kg:captured ?p . ?p skos:prefLabel ?place }"""
    )
    assert [str(row[0]) for row in rows] == ["Aleppo"]  # type: ignore[index]


@pytest.mark.model
def test_named_graphs_hold_the_evidence(samples: SparqlServer) -> None:
    status, _, body = get(
        samples,
        """SELECT ?sentence WHERE { GRAPH ?g {
             ?ev kg:factSubject kgr:hayat-tahrir-al-sham ; kg:factPredicate kg:captured ;
                 kg:factObject kgr:aleppo ; kg:sentence ?sentence } }""",
        accept="text/csv",
    )
    assert status == 200
    assert "Aleppo" in body.decode().splitlines()[1]


# --- protocol behaviour, on a store built here ---------------------------------------


def test_malformed_query_is_400_with_the_parser_message(tiny: SparqlServer) -> None:
    client = SPARQLWrapper(tiny.url)
    client.setQuery("SELECT ?x WHERE { ?x ?p }")
    with pytest.raises(QueryBadFormed, match="SPARQL syntax error"):
        client.query()
    status, headers, body = get(tiny, "SELEC ?x")
    assert status == 400
    assert headers["Content-Type"].startswith("text/plain")
    assert body.decode().startswith("SPARQL syntax error: error at 1:")


def test_updates_are_forbidden_by_default(tiny: SparqlServer) -> None:
    update = f"INSERT DATA {{ <{EX}x> <{EX}p> <{EX}y> }}"
    client = SPARQLWrapper(tiny.url)
    client.setMethod(POST)
    client.setQuery(update)
    with pytest.raises(urllib.error.HTTPError) as info:
        client.query()
    assert info.value.code == 403
    form = urllib.parse.urlencode({"update": update}).encode()
    assert fetch(tiny.url, form)[0] == 403
    status, _, body = fetch(
        tiny.url, update.encode(), {"Content-Type": "application/sparql-update"}
    )
    assert status == 403 and b"read-only" in body
    assert get(tiny, f"ASK {{ <{EX}x> ?p ?o }}")[2].endswith(b'"boolean":false}')


def test_a_slow_query_is_stopped_and_the_server_recovers(tiny_store: Path) -> None:
    with running(tiny_store, timeout_s=0.5) as server:
        started = time.monotonic()
        status, _, body = get(server, SLOW)
        elapsed = time.monotonic() - started
        assert status == 503
        assert b"time limit of 0.5 s" in body
        assert elapsed < 3
        # The killed worker is replaced: the next queries are answered.
        for _ in range(3):
            status, _, body = get(server, f"ASK {{ <{EX}n1> ?p ?o }}")
            assert status == 200 and b"true" in body


def test_content_negotiation(tiny: SparqlServer) -> None:
    select = f"SELECT ?l WHERE {{ <{EX}n7> skos:prefLabel ?l }}"
    cases = {
        None: ("application/sparql-results+json", b'"value":"node 7"'),
        "application/sparql-results+xml": ("application/sparql-results+xml", b">node 7<"),
        "text/csv": ("text/csv", b"l\r\nnode 7\r\n"),
        "text/tab-separated-values": ("text/tab-separated-values", b'"node 7"'),
        "text/html,application/xhtml+xml,*/*;q=0.8": ("application/sparql-results+json", b""),
    }
    for accept, (media, needle) in cases.items():
        status, headers, body = get(tiny, select, accept)
        assert status == 200 and headers["Content-Type"].startswith(media), accept
        assert needle in body, accept
    construct = f"CONSTRUCT WHERE {{ <{EX}n7> <{EX}next> ?o }}"
    triple = f"<{EX}n7> <{EX}next> <{EX}n8> .".encode()
    status, headers, body = get(tiny, construct)
    assert headers["Content-Type"].startswith("text/turtle") and triple in body
    status, headers, body = get(tiny, construct, "application/n-triples")
    assert headers["Content-Type"].startswith("application/n-triples") and triple in body
    status, headers, body = get(tiny, construct, "application/ld+json")
    assert headers["Content-Type"].startswith("application/ld+json")
    assert b'"@id":"http://example.org/n8"' in body
    assert get(tiny, construct, "image/png")[0] == 406
    assert get(tiny, select, "text/csv", format="tsv")[1]["Content-Type"].startswith(
        "text/tab-separated-values"
    )


def test_negotiate_weighs_q_values() -> None:
    assert negotiate(None, RESULTS_TYPES) == "JSON"
    assert negotiate("text/csv;q=0.5, application/sparql-results+xml", RESULTS_TYPES) == "XML"
    assert negotiate("text/*", RESULTS_TYPES) == "CSV"
    assert negotiate("text/turtle;q=0, application/n-triples;q=0.1", GRAPH_TYPES) == "N_TRIPLES"
    assert negotiate("image/png", GRAPH_TYPES) is None


def test_the_dataset_is_facts_and_ontology_unless_the_request_names_one(
    tiny: SparqlServer,
) -> None:
    count = "SELECT (COUNT(*) AS ?n) %s WHERE { ?s ?p ?o }"

    def n(query: str, **params: str) -> int:
        return int(get(tiny, query, "text/csv", **params)[2].split()[1])

    assert n(count % "") == 2000
    assert n(count % f"FROM <{EX}other>") == 1
    assert n(count % "", **{"default-graph-uri": f"{EX}other"}) == 1
    graphs = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert n(graphs) == 2
    assert n(graphs, **{"named-graph-uri": f"{EX}other"}) == 1


def test_post_bodies_home_page_cors_and_logging(tiny_store: Path) -> None:
    lines: list[str] = []
    with running(tiny_store, log=lines.append) as server:
        ask = f"ASK {{ <{EX}n1> ?p ?o }}"
        status, headers, body = fetch(
            server.url, ask.encode(), {"Content-Type": "application/sparql-query"}
        )
        assert status == 200 and b"true" in body
        assert headers["Access-Control-Allow-Origin"] == "*"
        form = urllib.parse.urlencode({"query": ask}).encode()
        assert fetch(server.url, form)[0] == 200
        assert fetch(server.url, b"x", {"Content-Type": "image/png"})[0] == 415
        assert fetch(server.url)[0] == 400  # no query at all
        status, headers, _ = fetch(server.url, method="OPTIONS")
        assert status == 204 and "POST" in headers["Access-Control-Allow-Methods"]
        home = server.url.removesuffix("sparql")
        status, headers, body = fetch(home)
        assert status == 200 and headers["Content-Type"].startswith("text/html")
        assert server.url.encode() in body
        assert fetch(home + "nothing")[0] == 404
        host, port = server.server_address[:2]
        connection = http.client.HTTPConnection(str(host), port, timeout=10)
        connection.request("GET", "/", headers={"Host": "<script>alert(1)</script>"})
        page = connection.getresponse().read()
        connection.close()
        assert b"<script>alert" not in page and b"&lt;script&gt;" in page
        workers = list(server.pool._all)
    assert all(not w.process.is_alive() for w in workers)
    assert any(line.endswith(" ms") and " POST /sparql 200 " in line for line in lines)
    assert any(" GET / 200 " in line for line in lines)


def test_allow_update_writes_through_the_endpoint(tiny_store: Path, tmp_path: Path) -> None:
    store = tmp_path / "copy"
    shutil.copytree(tiny_store, store)
    with running(store, allow_update=True) as server:
        assert server.pool.size == 1
        client = SPARQLWrapper(server.url)
        client.setMethod(POST)
        client.setQuery(f"INSERT DATA {{ GRAPH <{FACTS_GRAPH.value}> {{ <{EX}x> <{EX}p> 1 }} }}")
        client.query()
        assert get(server, f"ASK {{ <{EX}x> <{EX}p> 1 }}")[2].endswith(b'"boolean":true}')
        assert fetch(server.url + "?" + urllib.parse.urlencode({"update": "CLEAR ALL"}))[0] == 405


def test_federated_queries_are_refused(tiny: SparqlServer) -> None:
    status, _, body = get(tiny, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    assert status == 400 and b"SERVICE" in body
    # The word inside a string or an IRI is not the keyword.
    assert get(tiny, 'SELECT ?s WHERE { ?s ?p "SERVICE FROM" }')[0] == 200


def test_a_missing_store_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="etl load"):
        make_server(tmp_path / "nothing", port=0)


def test_a_busy_port_and_an_oversized_answer(tiny_store: Path) -> None:
    with running(tiny_store, max_result_bytes=10_000) as server:
        port = server.server_address[1]
        with pytest.raises(ConfigError, match=f"port {port}"):
            make_server(tiny_store, port=port)
        status, _, body = get(server, "SELECT * WHERE { ?s ?p ?o }")
        assert status == 500 and b"limit of 10,000 bytes" in body
        assert get(server, "SELECT * WHERE { ?s ?p ?o } LIMIT 3")[0] == 200
