"""The ontology and knowledge base hang together, and bad data files fail clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.errors import DataFileError
from etl.extraction.rules import load_rules
from etl.ontology import Ontology, entity_iri, load_ontology, slugify

PREDICATES = {
    "alliedWith",
    "foughtWith",
    "captured",
    "targeted",
    "locatedBetween",
    "controls",
    "advancingTowards",
    "leaderOf",
    "memberOf",
}


def test_the_nine_predicates_have_relationship_types(ontology: Ontology) -> None:
    assert set(ontology.properties) == PREDICATES
    assert ontology.property("captured").relationship_type == "CAPTURED"
    assert ontology.property("locatedBetween").relationship_type == "LOCATED_BETWEEN"
    assert ontology.property("alliedWith").symmetric
    assert not ontology.property("captured").symmetric
    core = {p.name for p in ontology.properties.values() if p.core}
    assert core == {"alliedWith", "captured", "targeted", "locatedBetween"}


def test_class_lineage_reaches_the_top(ontology: Ontology) -> None:
    assert ontology.lineage("ArmedGroup")[:3] == ("ArmedGroup", "Organization", "Actor")
    assert ontology.is_a("City", "Place")
    assert not ontology.is_a("City", "Actor")


def test_knowledge_base_is_large_and_consistent(ontology: Ontology) -> None:
    assert len(ontology.entries) >= 150
    for entry in ontology.entries:
        assert entry.iri == entity_iri(entry.label), entry
        assert entry.type in ontology.classes
    hts = ontology.by_iri[entity_iri("Hayat Tahrir al-Sham")]
    assert hts.type == "ArmedGroup" and "HTS" in hts.aliases
    # a city and its province are different individuals
    assert ontology.by_iri[entity_iri("Hama")].type == "City"
    assert ontology.by_iri[entity_iri("Hama province")].type == "Region"


def test_slugify_is_stable() -> None:
    assert slugify("Hayat Tahrir al-Sham") == "hayat-tahrir-al-sham"
    assert slugify("Shi'ites") == "shiites"
    assert slugify("Ma\u2019arrat al-Nu\u02bfman") == slugify("Ma'arrat al-Nu\u02bfman")


def test_unknown_predicate_is_an_error(ontology: Ontology) -> None:
    with pytest.raises(DataFileError, match="unknown predicate 'conquered'"):
        ontology.property("conquered")


def test_malformed_kb_file_names_the_file(tmp_path: Path) -> None:
    source = Path(__file__).parent.parent / "ontology" / "kg-etl.ttl"
    (tmp_path / "kg-etl.ttl").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "bad.ttl").write_text("<a> <b> .\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"bad\.ttl: not valid Turtle"):
        load_ontology(tmp_path)


def test_kb_individual_without_class_is_rejected(tmp_path: Path) -> None:
    source = Path(__file__).parent.parent / "ontology" / "kg-etl.ttl"
    (tmp_path / "kg-etl.ttl").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "people.ttl").write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        '<https://w3id.org/kg-etl/id/nobody> skos:prefLabel "Nobody"@en .\n',
        encoding="utf-8",
    )
    with pytest.raises(DataFileError, match=r"people\.ttl: https://w3id.org/kg-etl/id/nobody"):
        load_ontology(tmp_path)


def test_relation_rule_with_unknown_predicate_fails_at_start_up(
    ontology: Ontology, tmp_path: Path
) -> None:
    rules = tmp_path / "relations.yaml"
    rules.write_text(
        "rules:\n  - predicate: conquered\n    frame: verb\n    lemmas: [take]\n", encoding="utf-8"
    )
    with pytest.raises(DataFileError, match=r"relations\.yaml: rule 1 \(conquered\)"):
        load_rules(ontology, rules)
