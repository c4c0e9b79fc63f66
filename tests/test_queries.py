"""The query library: its files are well formed, and each SPARQL/Cypher twin gives the
same answer on the sample corpus."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from etl import api
from etl.config import Neo4jSettings, Settings
from etl.errors import DataFileError, QueryError
from etl.library import NamedQuery, load_library, lookup, run_named
from etl.resources import resource_dir

SAMPLES = Path(__file__).parent.parent / "samples"

# Questions asked with parameters as well as bare: (name, params, expected first row).
WITH_PARAMS: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = [
    ("captured", {"actor": "hts"}, {"actor": "Hayat Tahrir al-Sham", "place": "Aleppo"}),
    ("captured", {"actor": "https://w3id.org/kg-etl/id/syrian-rebels"}, {"place": "Damascus"}),
    ("allied_with", {"actor": "Russia"}, {"actor": "Russia", "ally": "Bashar al-Assad"}),
    ("between", {"a": "Damascus", "b": "Aleppo"}, {"place": "Hama", "side_a": "Damascus"}),
    ("evidence", {"subject": "Russia", "predicate": "ALLIED_WITH", "object": "Assad"}, None),
    ("evidence", {"subject": "", "predicate": "", "object": ""}, None),
    (
        "neighbourhood",
        {"entity": "Russia"},
        {"direction": "mutual", "neighbour": "Bashar al-Assad"},
    ),
    ("capture_timeline", {"since": "2024-12-09"}, {"place": "Tal Rifaat"}),
    ("most_mentioned", {"min_articles": "3"}, {"articles": 3}),
    ("shortest_path", {"source": "Jolani", "target": "Kurds"}, {"hops": 3}),
    ("shortest_path", {"max_hops": "1"}, None),
    ("by_affiliation", {"group": "Alawite"}, {"group": "Alawites", "actor": "Bashar al-Assad"}),
    ("leaders", {"group": "HTS"}, {"leader": "Abu Mohammed al-Jolani"}),
]


@pytest.fixture(scope="module")
def library() -> dict[str, NamedQuery]:
    return load_library()


def test_the_library_has_a_twin_and_a_question_for_every_query(
    library: dict[str, NamedQuery],
) -> None:
    folder = resource_dir("queries")
    sparql = {p.stem for p in folder.glob("*.rq")}
    cypher = {p.stem for p in folder.glob("*.cypher")}
    assert sparql == cypher == set(library)
    assert len(library) >= 12
    for name, query in library.items():
        assert query.name == name
        assert query.question.endswith("?"), name
        assert query.sparql.strip() and query.cypher.strip()
        for param in query.params.values():
            assert param.description, f"{name}: {param.name} has no description"


def test_missing_parameters_take_their_defaults_and_integers_are_converted(
    library: dict[str, NamedQuery],
) -> None:
    query = library["shortest_path"]
    assert query.bind({}) == query.defaults
    assert query.bind({"max_hops": "2"})["max_hops"] == 2
    with pytest.raises(QueryError, match="max_hops takes an integer"):
        query.bind({"max_hops": "two"})


def test_an_unknown_parameter_is_refused_with_the_known_ones(
    library: dict[str, NamedQuery], settings: Settings
) -> None:
    with pytest.raises(QueryError, match=r"unknown parameter colour.*actor=\"\""):
        run_named("captured", "rdf", {"colour": "red"}, settings, library=library)


def test_an_unknown_query_or_backend_is_refused(library: dict[str, NamedQuery]) -> None:
    with pytest.raises(QueryError, match="captured"):
        lookup("captures", library)
    with pytest.raises(QueryError, match="rdf, neo4j"):
        run_named("captured", "sql", library=library)


def _write(folder: Path, name: str, sparql: str, cypher: str) -> None:
    (folder / f"{name}.rq").write_text(sparql, encoding="utf-8")
    (folder / f"{name}.cypher").write_text(cypher, encoding="utf-8")


GOOD_RQ = (
    '# name: q\n# question: What?\n# param: who = "x"   (someone)\n'
    "SELECT ?s ?param_who WHERE { ?s ?p ?param_who }\n"
)
GOOD_CYPHER = (
    '// name: q\n// question: What?\n// param: who = "x"   (someone)\n'
    "MATCH (s {name: $who}) RETURN s.name AS s\n"
)


def test_a_well_formed_pair_loads(tmp_path: Path) -> None:
    _write(tmp_path, "q", GOOD_RQ, GOOD_CYPHER)
    query = load_library(tmp_path)["q"]
    assert query.question == "What?" and query.defaults == {"who": "x"}


@pytest.mark.parametrize(
    ("sparql", "cypher", "message"),
    [
        (GOOD_RQ.replace('"x"', "x"), GOOD_CYPHER, r"q\.rq:3: expected 'param: NAME"),
        (GOOD_RQ.replace("question", "questoin"), GOOD_CYPHER, r"q\.rq:2: expected 'KEY: VALUE'"),
        (GOOD_RQ.replace("name: q", "name: r"), GOOD_CYPHER, r"q\.rq:1: name 'r' differs"),
        (GOOD_RQ, GOOD_CYPHER.replace("What?", "Who?"), r"q\.cypher:2: the question differs"),
        (GOOD_RQ, GOOD_CYPHER.replace('"x"', '"y"'), r"q\.cypher:3: the parameters"),
        (GOOD_RQ.replace("?s ?param_who WHERE", "?s WHERE"), GOOD_CYPHER, "SELECT clause"),
        (GOOD_RQ, GOOD_CYPHER.replace("AS s", "AS s, $whom"), r"q\.cypher:4: \$whom is not a"),
        (GOOD_RQ, GOOD_CYPHER.replace("$who", "'x'"), r"q\.cypher:3: \$who is never used"),
        ("SELECT ?s WHERE { ?s ?p ?o }\n", GOOD_CYPHER, r"q\.rq:1: a named query starts"),
    ],
)
def test_a_malformed_pair_is_named_with_file_and_line(
    tmp_path: Path, sparql: str, cypher: str, message: str
) -> None:
    _write(tmp_path, "q", sparql, cypher)
    with pytest.raises(DataFileError, match=message):
        load_library(tmp_path)


def test_a_query_without_its_twin_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "q.rq").write_text(GOOD_RQ, encoding="utf-8")
    with pytest.raises(DataFileError, match=r"q\.rq: no twin q\.cypher"):
        load_library(tmp_path)


def _answer(
    query: str, params: dict[str, Any], settings: Settings, neo4j: Neo4jSettings
) -> tuple[Any, Any]:
    rdf = run_named(query, "rdf", params, settings)
    graph = run_named(query, "neo4j", params, settings, neo4j)
    return rdf, graph


def _differences(
    query: str, params: dict[str, Any], settings: Settings, neo4j: Neo4jSettings
) -> list[str]:
    """Why the twins disagree, if they do. Every query orders by all the columns that
    tell rows apart, so the rows compare in order; identical rows may swap freely."""
    rdf, graph = _answer(query, params, settings, neo4j)
    where = f"{query} {params or '(bare)'}"
    if rdf.columns != graph.columns:
        return [f"{where}: columns {rdf.columns} (rdf) vs {graph.columns} (neo4j)"]
    if rdf.rows != graph.rows:
        return [f"{where}:\n  rdf:   {rdf.rows}\n  neo4j: {graph.rows}"]
    return []


@pytest.mark.neo4j
@pytest.mark.model
def test_twins_answer_alike_on_the_sample_corpus(
    library: dict[str, NamedQuery], settings: Settings, neo4j_clean: Neo4jSettings
) -> None:
    loaded = api.load([SAMPLES], settings, neo4j_clean)
    assert loaded.ok, loaded.failures
    problems: list[str] = []
    for name in library:
        problems += _differences(name, {}, settings, neo4j_clean)
        if not run_named(name, "rdf", {}, settings).rows:
            problems.append(f"{name}: no rows on the sample corpus")
    for name, params, first in WITH_PARAMS:
        problems += _differences(name, params, settings, neo4j_clean)
        rows = run_named(name, "neo4j", params, settings, neo4j_clean).rows
        if first is not None and not (rows and first.items() <= rows[0].items()):
            problems.append(f"{name} {params}: expected a first row with {first}, got {rows}")
    assert not problems, "\n".join(problems)


FIGHTS = (
    "Hayat Tahrir al-Sham fought with the Syrian National Army near Afrin on Tuesday.\n"
    "The Syrian Democratic Forces clashed with the Syrian National Army in Manbij.\n"
)


@pytest.mark.neo4j
@pytest.mark.model
def test_symmetric_facts_answer_alike_from_either_end(
    settings: Settings, tmp_path: Path, neo4j_clean: Neo4jSettings
) -> None:
    """Two foughtWith facts sharing one end, which the stores keep differently (both
    directions in RDF, one relationship in Neo4j), asked from either end."""
    path = tmp_path / "fights.txt"
    path.write_text(FIGHTS, encoding="utf-8")
    assert api.load([path], settings, neo4j_clean).ok
    cases: list[tuple[str, dict[str, Any]]] = [
        ("fought", {}),
        ("fought", {"actor": "SNA"}),
        ("evidence", {"subject": "", "predicate": "foughtWith", "object": ""}),
        ("evidence", {"subject": "", "predicate": "foughtWith", "object": "SDF"}),
        ("neighbourhood", {"entity": "Syrian National Army"}),
        ("shortest_path", {"source": "SDF", "target": "HTS"}),
    ]
    problems = [
        p for name, params in cases for p in _differences(name, params, settings, neo4j_clean)
    ]
    assert not problems, "\n".join(problems)
    fights = run_named("fought", "rdf", {"actor": "SNA"}, settings).rows
    assert {(r["actor"], r["opponent"]) for r in fights} == {
        ("Syrian National Army", "Hayat Tahrir al-Sham"),
        ("Syrian National Army", "Syrian Democratic Forces"),
    }
    assert len(run_named("fought", "neo4j", {}, settings, neo4j_clean).rows) == 2


@pytest.mark.neo4j
@pytest.mark.model
def test_named_answers_carry_the_promised_values(
    settings: Settings, neo4j_clean: Neo4jSettings
) -> None:
    api.load([SAMPLES], settings, neo4j_clean)
    captured = run_named("captured", "neo4j", {}, settings, neo4j_clean)
    assert captured.columns == ["actor", "place", "articles", "first_reported", "last_reported"]
    by_place = {r["place"]: r for r in captured.rows}
    assert by_place["Tal Rifaat"]["first_reported"] == "2024-12-10"
    assert by_place["Aleppo"]["first_reported"] is None
    evidence = run_named("evidence", "rdf", {}, settings).rows
    assert {r["article"] for r in evidence} == {"hama-offensive"}
    assert all(isinstance(r["confidence"], float) for r in evidence)
    paths = run_named("shortest_path", "rdf", {}, settings).rows
    assert {r["hops"] for r in paths} == {2} and len(paths) == 2
    assert run_named("shortest_path", "rdf", {"max_hops": 1}, settings).rows == []
