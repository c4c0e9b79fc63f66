"""Loading into a real Neo4j server, side by side with the embedded store."""

from __future__ import annotations

import subprocess
import time
from dataclasses import replace
from pathlib import Path

import pytest

from etl import api
from etl.config import Neo4jSettings, Settings
from etl.stores.neo4j import Neo4jStore

pytestmark = [pytest.mark.neo4j, pytest.mark.model]

SAMPLES = Path(__file__).parent.parent / "samples"


def _cypher(settings: Neo4jSettings, text: str, **params) -> list[dict]:
    return api.query(text, "neo4j", params, neo4j=settings).rows


def test_sample_facts_land_in_neo4j_with_iris_and_names(
    settings: Settings, neo4j_clean: Neo4jSettings
) -> None:
    result = api.load([SAMPLES / "hama-offensive.txt"], settings, neo4j_clean)
    assert result.ok, result.failures
    rows = _cypher(
        neo4j_clean,
        """
        MATCH (g:ArmedGroup {name: $group})-[r:CAPTURED]->(p {name: $place})
        RETURN g.uri AS uri, r.articles AS articles, r.evidenceCount AS n""",
        group="Hayat Tahrir al-Sham",
        place="Aleppo",
    )
    assert rows and rows[0]["uri"] == "https://w3id.org/kg-etl/id/hayat-tahrir-al-sham"
    assert rows[0]["articles"] == ["hama-offensive"] and rows[0]["n"] >= 1
    between = _cypher(
        neo4j_clean,
        """
        MATCH (:City {name: 'Hama'})-[:LOCATED_BETWEEN]->(p) RETURN p.name AS name
        ORDER BY name""",
    )
    assert [r["name"] for r in between] == ["Aleppo", "Damascus"]
    allied = _cypher(
        neo4j_clean,
        """
        MATCH (a {name: 'Russia'})-[:ALLIED_WITH]-(b {name: 'Bashar al-Assad'})
        RETURN count(*) AS n""",
    )
    assert allied[0]["n"] >= 1
    labels = _cypher(neo4j_clean, "MATCH (n {name: 'Hayat Tahrir al-Sham'}) RETURN labels(n) AS l")
    assert set(labels[0]["l"]) == {"Resource", "ArmedGroup", "Organization", "Actor"}


def test_both_stores_hold_the_same_facts(settings: Settings, neo4j_clean: Neo4jSettings) -> None:
    api.load([SAMPLES], settings, neo4j_clean)
    rdf = api.query(
        "SELECT ?s ?p ?o WHERE { ?s ?p ?o . ?p kg:relationshipType ?t }", settings=settings
    ).rows
    # symmetric facts stand in both directions in RDF, once in Neo4j (matched undirected)
    rdf_facts = {(r["s"], r["p"].rsplit("#", 1)[1], r["o"]) for r in rdf}
    symmetric = {"alliedWith", "foughtWith"}
    rdf_facts = {f for f in rdf_facts if f[1] not in symmetric or f[0] < f[2]}
    graph = _cypher(
        neo4j_clean,
        """
        MATCH (s)-[r]->(o) WHERE type(r) <> 'MENTIONS'
        RETURN s.uri AS s, r.uri AS p, o.uri AS o""",
    )
    neo_facts = {(r["s"], r["p"].rsplit("#", 1)[1], r["o"]) for r in graph}
    assert rdf_facts and rdf_facts == neo_facts


def test_reloading_leaves_counts_unchanged(settings: Settings, neo4j_clean: Neo4jSettings) -> None:
    api.load([SAMPLES], settings, neo4j_clean)
    store = Neo4jStore(neo4j_clean)
    try:
        before = store.counts()
        second = api.load([SAMPLES], settings, neo4j_clean)
        assert [r.documents for r in second.reports] == [0, 0]
        assert store.counts() == before
    finally:
        store.close()


def test_a_changed_article_replaces_its_facts_in_neo4j(
    settings: Settings, tmp_path: Path, neo4j_clean: Neo4jSettings
) -> None:
    path = tmp_path / "a.txt"
    path.write_text("HTS captured Saraqeb on Sunday.", encoding="utf-8")
    api.load([path], settings, neo4j_clean)
    path.write_text("HTS captured Maarat al-Numan on Sunday.", encoding="utf-8")
    api.load([path], settings, neo4j_clean)
    rows = _cypher(neo4j_clean, "MATCH (:ArmedGroup)-[:CAPTURED]->(p) RETURN p.name AS place")
    assert [r["place"] for r in rows] == ["Maarat al-Numan"]


def test_unreachable_neo4j_is_named_and_the_embedded_store_still_loads(
    settings: Settings,
) -> None:
    bad = Neo4jSettings(uri="bolt://127.0.0.1:1")
    result = api.load([SAMPLES / "hama-offensive.txt"], settings, bad)
    assert not result.ok
    assert "bolt://127.0.0.1:1" in result.failures["neo4j"]
    assert [r.store for r in result.reports] == ["rdf"]
    assert result.reports[0].documents == 1


SCRIPT = Path(__file__).parent.parent / "scripts" / "neo4j.sh"
TOWNS = [
    "Saraqeb",
    "Maarat al-Numan",
    "Khan Sheikhoun",
    "Jisr al-Shughur",
    "Morek",
    "Kafr Nabl",
    "Souran",
    "Taybat al-Imam",
    "Halfaya",
    "Mhardeh",
    "Rastan",
    "Talbiseh",
]


def _server(command: str) -> None:
    subprocess.run(["bash", str(SCRIPT), command], check=True, capture_output=True, timeout=300)


@pytest.mark.skipif(not SCRIPT.exists(), reason="needs the local server script")
def test_server_stopped_mid_load_then_rerun_loses_nothing_and_duplicates_nothing(
    tmp_path: Path, neo4j_clean: Neo4jSettings
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for n, town in enumerate(TOWNS):
        (docs / f"d{n:02}.txt").write_text(f"HTS captured {town} on Sunday.", encoding="utf-8")
    settings = Settings(store=tmp_path / "store", batch_size=4)
    impatient = replace(neo4j_clean, retry_seconds=2.0, send_articles=4)
    batches = []

    def stop_after_first_batch(done: int) -> None:
        batches.append(done)
        if len(batches) == 1:  # once Neo4j has it: the writer thread sends it meanwhile
            _wait_for_sealed_articles(neo4j_clean, 4)
            _server("stop")

    try:
        first = api.load([docs], settings, impatient, progress=stop_after_first_batch)
    finally:
        _server("start")
    assert "neo4j" in first.failures and first.reports[0].documents == len(TOWNS)
    second = api.load([docs], settings, neo4j_clean)
    assert second.ok, second.failures
    assert second.reports[0].documents == 0  # the embedded store had everything
    assert 0 < second.reports[1].documents < len(TOWNS)  # Neo4j gets what it missed
    rows = _cypher(
        neo4j_clean,
        """
        MATCH (:ArmedGroup {name: 'Hayat Tahrir al-Sham'})-[r:CAPTURED]->(p)
        RETURN p.name AS place, size(r.evidenceSentences) AS n ORDER BY place""",
    )
    assert sorted(r["place"] for r in rows) == sorted(TOWNS)
    assert all(r["n"] == 1 for r in rows)
    articles = _cypher(neo4j_clean, "MATCH (a:Article) RETURN count(a) AS n")
    assert articles[0]["n"] == len(TOWNS)


def _wait_for_sealed_articles(settings: Neo4jSettings, n: int, seconds: float = 30) -> None:
    query = "MATCH (a:Article) WHERE a.contentHash IS NOT NULL RETURN count(a) AS n"
    deadline = time.monotonic() + seconds
    while _cypher(settings, query)[0]["n"] < n:
        assert time.monotonic() < deadline, f"Neo4j did not get {n} articles in {seconds} s"
        time.sleep(0.05)


def _fact_sets(settings: Settings, neo4j: Neo4jSettings) -> tuple[set, set]:
    """Each store's facts as (subject IRI, predicate, object IRI), symmetric ones once."""
    rdf = api.query(
        "SELECT ?s ?p ?o WHERE { ?s ?p ?o . ?p kg:relationshipType ?t }", settings=settings
    ).rows
    symmetric = {"alliedWith", "foughtWith"}
    rdf_facts = {(r["s"], r["p"].rsplit("#", 1)[1], r["o"]) for r in rdf}
    rdf_facts = {f for f in rdf_facts if f[1] not in symmetric or f[0] < f[2]}
    graph = _cypher(
        neo4j,
        "MATCH (s)-[r]->(o) WHERE type(r) <> 'MENTIONS' RETURN s.uri AS s, r.uri AS p, o.uri AS o",
    )
    return rdf_facts, {(r["s"], r["p"].rsplit("#", 1)[1], r["o"]) for r in graph}


def test_stores_agree_after_loads_changes_and_deletes(
    settings: Settings, tmp_path: Path, neo4j_clean: Neo4jSettings
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    texts = {
        "a": "HTS captured Saraqeb. Russia, an ally of Bashar al-Assad, struck Idlib.",
        "b": "HTS captured Saraqeb after clashes with government troops.",
        "c": "The Syrian Democratic Forces still control Raqqa.",
    }
    for name, text in texts.items():
        (docs / f"{name}.txt").write_text(text, encoding="utf-8")
    steps = [
        lambda: api.load([docs], settings, neo4j_clean),
        lambda: (docs / "b.txt").write_text("Rebels seized Hama on Thursday.", encoding="utf-8"),
        lambda: api.load([docs], settings, neo4j_clean),
        lambda: api.delete(["a"], settings, neo4j_clean),
        lambda: api.delete(["c"], settings, neo4j_clean),
        lambda: api.load([docs / "c.txt"], settings, neo4j_clean),
    ]
    seen = []
    for step in steps:
        step()
        rdf_facts, neo_facts = _fact_sets(settings, neo4j_clean)
        assert rdf_facts == neo_facts
        seen.append(len(rdf_facts))
    final = {(s.rsplit("/", 1)[1], p, o.rsplit("/", 1)[1]) for s, p, o in rdf_facts}
    assert ("hayat-tahrir-al-sham", "captured", "saraqeb") not in final  # a and b retracted it
    assert ("syrian-rebels", "captured", "hama") in final
    assert ("syrian-democratic-forces", "controls", "raqqa") in final
    assert seen[0] > seen[3]
