"""SHACL validation: a store loaded by the pipeline conforms; broken data is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import api
from etl.config import Settings
from etl.errors import DataFileError, StoreError
from etl.validate import Violation, validate_file, validate_store

SAMPLES = Path(__file__).parent.parent / "samples"
KG = "https://w3id.org/kg-etl/ontology#"
EX = "https://example.org/test/"

BROKEN = """
@prefix kg:   <https://w3id.org/kg-etl/ontology#> .
@prefix kgr:  <https://w3id.org/kg-etl/id/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix ex:   <https://example.org/test/> .

ex:report a kg:Article ;
    kg:contentHash "0f3a" .

ex:good-report a kg:Article ;
    kg:articleId "good-report" ;
    kg:contentHash "9b1c" .

ex:evidence-1 a kg:Evidence ;
    kg:factSubject kgr:hayat-tahrir-al-sham ;
    kg:factPredicate kg:captured ;
    kg:factObject ex:mill-village ;
    kg:fromArticle ex:good-report ;
    kg:startChar 12 ;
    kg:endChar 57 ;
    kg:confidence 1.5 .

ex:mill-village a kg:Town ;
    skos:prefLabel "Mill Village"@en .

ex:colonel-qasim a kg:Person ;
    skos:prefLabel "Colonel Qasim"@en .

ex:river-brigade a kg:ArmedGroup ;
    skos:prefLabel "River Brigade"@en ;
    kg:captured ex:colonel-qasim , ex:mill-village .
"""


def _by_focus(violations: list[Violation], node: str) -> dict[str | None, Violation]:
    return {v.path: v for v in violations if v.focus_node == node}


@pytest.mark.model
def test_store_loaded_from_samples_conforms(settings: Settings) -> None:
    assert api.load([SAMPLES], settings).ok
    report = validate_store(settings.store)
    assert report.violations == []
    assert report.conforms
    assert report.triples > 1000  # the knowledge base is part of what was checked


def test_broken_file_names_nodes_and_paths(tmp_path: Path) -> None:
    path = tmp_path / "broken.ttl"
    path.write_text(BROKEN, encoding="utf-8")
    report = validate_file(path)
    assert not report.conforms

    evidence = _by_focus(report.violations, EX + "evidence-1")
    assert set(evidence) == {KG + "sentence", KG + "confidence"}
    assert "kg:sentence" in evidence[KG + "sentence"].message
    assert evidence[KG + "confidence"].value == "1.5"
    assert evidence[KG + "confidence"].severity == "Violation"

    article = _by_focus(report.violations, EX + "report")
    assert set(article) == {KG + "articleId"}
    assert article[KG + "articleId"].shape == "https://w3id.org/kg-etl/shapes#ArticleId"

    captor = _by_focus(report.violations, EX + "river-brigade")
    assert set(captor) == {KG + "captured"}  # the town is fine, the person is not
    assert captor[KG + "captured"].value == EX + "colonel-qasim"
    assert "kg:Place" in captor[KG + "captured"].message

    named = {v.focus_node for v in report.violations}
    assert named == {EX + "evidence-1", EX + "report", EX + "river-brigade"}


def test_subclass_typing_and_kb_individuals_count(tmp_path: Path) -> None:
    path = tmp_path / "fine.nt"
    path.write_text(
        f"<{EX}brigade> <{KG}captured> <https://w3id.org/kg-etl/id/aleppo> .\n"
        f"<{EX}brigade> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{KG}ArmedGroup> .\n"
        f'<{EX}brigade> <http://www.w3.org/2004/02/skos/core#prefLabel> "The Brigade" .\n',
        encoding="utf-8",
    )
    report = validate_file(path)
    assert report.conforms and report.violations == []


def test_warning_is_reported_but_conforms(tmp_path: Path) -> None:
    path = tmp_path / "dated.ttl"
    path.write_text(
        "@prefix kg: <https://w3id.org/kg-etl/ontology#> .\n"
        '<https://example.org/a> a kg:Article ; kg:articleId "a" ; kg:contentHash "h" ;\n'
        '    kg:published "last Tuesday" .\n',
        encoding="utf-8",
    )
    report = validate_file(path)
    assert report.conforms
    assert [(v.path, v.severity) for v in report.violations] == [(KG + "published", "Warning")]


def test_unparseable_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "garbled.ttl"
    path.write_text("<https://example.org/a> <https://example.org/b> .\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"garbled\.ttl: not valid turtle RDF"):
        validate_file(path)


def test_unknown_suffix_and_missing_store(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r"notes\.txt: cannot tell the RDF format"):
        validate_file(tmp_path / "notes.txt")
    with pytest.raises(StoreError, match="no embedded store"):
        validate_store(tmp_path / "nowhere")


def test_named_graphs_of_a_trig_file_are_merged(tmp_path: Path) -> None:
    path = tmp_path / "split.trig"
    path.write_text(
        "@prefix kg: <https://w3id.org/kg-etl/ontology#> .\n"
        '<https://example.org/g> { <https://example.org/a> a kg:Article ; kg:articleId "a" . }\n'
        '<https://example.org/a> kg:contentHash "h" .\n',
        encoding="utf-8",
    )
    assert validate_file(path).conforms
