"""Exports of the embedded store: RDF files that parse back, and neo4j-admin CSV files."""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path
from typing import Any

import pytest
from rdflib import Dataset, Graph, URIRef

from etl import api
from etl.config import Neo4jSettings, Settings
from etl.export import ARRAY_DELIMITER, export_neo4j_import, export_rdf, write_neo4j_import
from etl.models import Article, Edge, GraphDoc, LoadReport, Node
from etl.ontology import Ontology
from etl.rdf import content_marker
from etl.stores.oxigraph import OxigraphStore

pytestmark = pytest.mark.model

SAMPLES = Path(__file__).parent.parent / "samples"
KG = "https://w3id.org/kg-etl/ontology#"
ID = "https://w3id.org/kg-etl/id/"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "store"
    api.load([SAMPLES], Settings(store=path))
    return path


@pytest.mark.parametrize(("fmt", "rdflib_format"), [("nt", "nt"), ("ttl", "turtle")])
def test_triple_formats_hold_the_facts(
    store: Path, tmp_path: Path, fmt: str, rdflib_format: str
) -> None:
    out = tmp_path / f"graph.{fmt}"
    report = export_rdf(store, out, fmt)
    graph = Graph().parse(out, format=rdflib_format)
    assert len(graph) == report.files[str(out)]
    assert (
        URIRef(ID + "hayat-tahrir-al-sham"),
        URIRef(KG + "captured"),
        URIRef(ID + "aleppo"),
    ) in graph


@pytest.mark.parametrize(("fmt", "rdflib_format"), [("trig", "trig"), ("nq", "nquads")])
def test_quad_formats_keep_the_article_graphs(
    store: Path, tmp_path: Path, fmt: str, rdflib_format: str
) -> None:
    out = tmp_path / f"graph.{fmt}"
    export_rdf(store, out, fmt)
    dataset = Dataset().parse(out, format=rdflib_format)
    graphs = {str(g.identifier) for g in dataset.graphs()}
    assert "https://w3id.org/kg-etl/article/hama-offensive" in graphs


def test_neo4j_import_files_carry_labels_types_and_provenance(store: Path, tmp_path: Path) -> None:
    report = export_neo4j_import(store, tmp_path)
    assert set(Path(p).name for p in report.files) == {
        "nodes-entities.csv",
        "nodes-articles.csv",
        "relationships-mentions.csv",
        "relationships-facts.csv",
    }
    with (tmp_path / "nodes-entities.csv").open(encoding="utf-8") as fh:
        nodes = {r["uri:ID"]: r for r in csv.DictReader(fh)}
    hts = nodes[ID + "hayat-tahrir-al-sham"]
    assert hts["name"] == "Hayat Tahrir al-Sham"
    assert set(hts[":LABEL"].split(ARRAY_DELIMITER)) == {
        "Resource",
        "ArmedGroup",
        "Organization",
        "Actor",
    }
    assert "HTS" in hts["aliases:string[]"].split(ARRAY_DELIMITER)
    with (tmp_path / "relationships-facts.csv").open(encoding="utf-8") as fh:
        facts = list(csv.DictReader(fh))
    captured = [
        f
        for f in facts
        if f[":TYPE"] == "CAPTURED" and f[":START_ID"] == ID + "syrian-national-army"
    ]
    assert captured and captured[0][":END_ID"] == ID + "tal-rifaat"
    assert captured[0]["articles:string[]"] == "ne-001"
    assert captured[0]["firstSeen"] == "2024-12-10"
    assert int(captured[0]["evidenceCount:int"]) == len(
        captured[0]["evidenceSentences:string[]"].split(ARRAY_DELIMITER)
    )
    # every relationship end is a node of the export
    with (tmp_path / "nodes-articles.csv").open(encoding="utf-8") as fh:
        ids = set(nodes) | {r["uri:ID"] for r in csv.DictReader(fh)}
    with (tmp_path / "relationships-mentions.csv").open(encoding="utf-8") as fh:
        mentions = list(csv.DictReader(fh))
    assert all(r[":START_ID"] in ids and r[":END_ID"] in ids for r in facts + mentions)


def test_unknown_format_is_refused(store: Path, tmp_path: Path) -> None:
    with pytest.raises(Exception, match="unknown RDF format 'xml'"):
        export_rdf(store, tmp_path / "g.xml", "xml")


def test_fact_evidence_is_in_article_then_text_order(tmp_path: Path, ontology: Ontology) -> None:
    group, town = (ID + "brigade-x", "ArmedGroup"), (ID + "town-y", "Town")
    nodes = [Node(iri, iri.rsplit("/", 1)[1], ontology.lineage(cls)) for iri, cls in (group, town)]

    def doc(id: str, published: str | None, *starts: tuple[int, float]) -> GraphDoc:
        edges = [
            Edge(group[0], "captured", town[0], f"{id} at {s}", s, s + 9, c) for s, c in starts
        ]
        return GraphDoc(Article(id, "text", published=published), nodes, edges)

    store = OxigraphStore(tmp_path / "store", ontology)  # written out of article order
    store.write(
        [doc("b", "2024-03-02", (40, 0.7), (5, 0.9)), doc("c", None, (0, 0.6))], LoadReport("rdf")
    )
    store.write([doc("a", "2024-03-01", (12, 0.8))], LoadReport("rdf"))
    store.close()
    export_neo4j_import(tmp_path / "store", tmp_path / "csv", ontology)
    with (tmp_path / "csv" / "relationships-facts.csv").open(encoding="utf-8") as fh:
        [fact] = csv.DictReader(fh)
    split = {k: v.split(ARRAY_DELIMITER) for k, v in fact.items() if k.endswith("[]")}
    assert split["articles:string[]"] == ["a", "b", "c"]
    assert split["evidenceArticles:string[]"] == ["a", "b", "b", "c"]
    assert split["evidenceSentences:string[]"] == ["a at 12", "b at 5", "b at 40", "c at 0"]
    assert split["evidenceConfidences:double[]"] == ["0.8", "0.9", "0.7", "0.6"]
    assert (fact["evidenceCount:int"], fact["confidence:double"]) == ("4", "0.9")
    assert (fact["firstSeen"], fact["lastSeen"]) == ("2024-03-01", "2024-03-02")


def test_neo4j_import_keeps_odd_literals_and_leaves_out_incomplete_articles(
    tmp_path: Path, ontology: Ontology
) -> None:
    """Values come back from the store as written (quotes, backslashes, line breaks,
    commas, non-ASCII, a language-tagged name); an article graph without its content
    marker (a load cut off) gives no article, mentions or evidence."""
    sentence = 'He said "take it,\\ now"\nthen left\r\n: café, 東京 \\"'
    title = 'A "title", with\na line break and a backslash \\'
    name = 'Brigade "X", al-Qāʿida \\ 東'
    group = Node(ID + "brigade-x", name, ontology.lineage("ArmedGroup"))
    town = Node(ID + "town-y", "Town Y", ontology.lineage("Town"))
    other = Node(ID + "town-z", "Town Z", ontology.lineage("Town"))

    def doc(id: str, obj: Node, text: str) -> GraphDoc:
        edge = Edge(group.iri, "captured", obj.iri, text, 3, 3 + len(text), 0.75)
        return GraphDoc(Article(id, "text", title=title), [group, obj], [edge])

    complete, cut_off = doc("a", town, sentence), doc("b", other, "b at 3")
    store = OxigraphStore(tmp_path / "store", ontology)
    store.write([complete, cut_off], LoadReport("rdf"))
    store.store.remove(content_marker(cut_off.article))
    store.close()
    export_neo4j_import(tmp_path / "store", tmp_path / "csv", ontology)

    def rows(name: str) -> list[dict[str, str]]:
        with (tmp_path / "csv" / name).open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))

    [article] = rows("nodes-articles.csv")
    assert (article["id"], article["title"], article["name"]) == ("a", title, title)
    assert {r[":END_ID"] for r in rows("relationships-mentions.csv")} == {group.iri, town.iri}
    entities = {r["uri:ID"]: r["name"] for r in rows("nodes-entities.csv")}
    assert entities == {group.iri: name, town.iri: "Town Y"}
    [fact] = rows("relationships-facts.csv")
    assert (fact[":START_ID"], fact[":END_ID"]) == (group.iri, town.iri)
    assert fact["evidenceSentences:string[]"] == sentence
    assert fact["articles:string[]"] == "a"


def _rows(folder: Path) -> dict[str, list[list[str]]]:
    """Each CSV file of a folder as its header, then its rows in sorted order."""
    files = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            header, *rows = csv.reader(fh)
        files[path.name] = [header, *sorted(rows)]
    return files


def test_load_writes_the_files_the_store_export_writes(store: Path, tmp_path: Path) -> None:
    """`etl load --neo4j-import` writes, from the documents, what `etl export` reads back
    from the embedded store: the same rows, file by file."""
    result = api.load([SAMPLES], Settings(store=tmp_path / "s", neo4j_import=tmp_path / "csv"))
    assert result.ok, result.failures
    [_, written] = result.reports
    assert (written.store, written.documents) == ("neo4j-import", 5)
    export_neo4j_import(store, tmp_path / "exported")
    files = _rows(tmp_path / "csv")
    assert len(files) == 4 and all(len(rows) > 1 for rows in files.values())
    assert files == _rows(tmp_path / "exported")


def test_files_from_documents_match_the_store_on_odd_values_and_repeats(
    tmp_path: Path, ontology: Ontology
) -> None:
    """Quotes, line breaks, non-ASCII, an empty title, a fact stated twice at one place,
    an entity that is not in the KB, and an article given twice (its second version
    replaces the first): rows equal to those the store gives back."""
    group = Node(ID + "brigade-q", 'Brigade "Q", 東', ontology.lineage("ArmedGroup"))
    towns = [Node(ID + f"town-{c}", f"Town {c}", ontology.lineage("Town")) for c in "pq"]
    kb = ontology.by_iri[ID + "aleppo"]  # as etl.mapping gives a KB entity
    aleppo = Node(kb.iri, kb.label, ontology.lineage(kb.type), kb.aliases, kb.wikidata)

    def doc(id: str, town: Node, sentence: str, title: str | None = "") -> GraphDoc:
        edges = [
            Edge(group.iri, "captured", town.iri, sentence, 4, 40, 0.8),
            Edge(group.iri, "captured", town.iri, sentence, 4, 40, 0.8),
            Edge(group.iri, "targeted", aleppo.iri, 'then\nAleppo, "twice"', 50, 70, 0.6),
        ]
        article = Article(id, f"text of {id}", title=title, published="2025-01-0" + id[-1])
        return GraphDoc(article, [group, town, aleppo], edges)

    first = doc("d1", towns[0], 'It took "P",\r\nthen left', title='A "title"\nhere')
    docs = [first, doc("d2", towns[1], "Q fell."), doc("d1", towns[1], "P, again: café")]
    store = OxigraphStore(tmp_path / "store", ontology)
    for d in docs:
        store.write([d], LoadReport("rdf"))
    store.close()
    export_neo4j_import(tmp_path / "store", tmp_path / "exported", ontology)
    write_neo4j_import(docs, tmp_path / "written", ontology)
    written = _rows(tmp_path / "written")
    assert written == _rows(tmp_path / "exported")
    assert [r[1] for r in written["nodes-articles.csv"][1:]] == ["d1", "d2"]
    assert {r[1] for r in written["relationships-mentions.csv"][1:]} == {
        group.iri,
        towns[1].iri,
        aleppo.iri,
    }


SCRIPT = Path(__file__).parent.parent / "scripts" / "neo4j.sh"


@pytest.mark.neo4j
@pytest.mark.skipif(not SCRIPT.exists(), reason="needs the local server script")
def test_bulk_import_gives_the_graph_the_transactional_loader_writes(
    tmp_path: Path, neo4j_clean: Neo4jSettings
) -> None:
    settings = Settings(store=tmp_path / "store")
    result = api.load([SAMPLES], settings, neo4j_clean)
    assert result.ok, result.failures
    loaded = _graph(neo4j_clean)
    export_neo4j_import(settings.store, tmp_path / "csv")
    options = ["--array-delimiter=U+001F", "--multiline-fields=true"]  # as `make neo4j-import`
    subprocess.run(
        ["bash", str(SCRIPT), "import", str(tmp_path / "csv"), *options],
        check=True,
        capture_output=True,
        timeout=600,
    )
    assert _graph(neo4j_clean) == loaded


def _graph(neo4j: Neo4jSettings) -> tuple[list[Any], list[Any]]:
    """Every node and relationship with its labels or type and its properties. The
    evidence lists are compared as sets of (article, sentence, confidence): the loader
    appends them in load order, the export in article order."""
    nodes = api.query(
        "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props", "neo4j", neo4j=neo4j
    ).rows
    rels = api.query(
        "MATCH (s)-[r]->(o) RETURN s.uri AS s, type(r) AS type, o.uri AS o, properties(r) AS props",
        "neo4j",
        neo4j=neo4j,
    ).rows
    for r in rels:
        props = r["props"]
        if "evidenceSentences" in props:
            lists = [props.pop(f"evidence{k}") for k in ("Articles", "Sentences", "Confidences")]
            props["evidence"] = sorted(zip(*lists, strict=True))
            props["articles"] = sorted(props["articles"])
    return (
        sorted((sorted(n["labels"]), sorted(n["props"].items())) for n in nodes),
        sorted((r["s"], r["type"], r["o"], sorted(r["props"].items())) for r in rels),
    )


def test_files_that_cannot_be_written_are_reported_and_the_store_still_loads(
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the folder's parent should be", encoding="utf-8")
    settings = Settings(store=tmp_path / "store", neo4j_import=blocker / "csv")
    result = api.load([SAMPLES / "hama-offensive.txt"], settings)
    assert list(result.failures) == ["neo4j-import"]
    assert str(blocker / "csv") in result.failures["neo4j-import"]
    rdf = result.reports[0]
    assert (rdf.store, rdf.documents) == ("rdf", 1)
