"""Exports of the embedded store: RDF files that parse back, and neo4j-admin CSV files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef

from etl import api
from etl.config import Settings
from etl.export import ARRAY_DELIMITER, export_neo4j_import, export_rdf

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
