"""The `etl` commands: exit codes, messages and output formats."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from etl.cli import cli

ROOT = Path(__file__).parent.parent


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_every_command_has_help_and_is_in_the_readme(runner: CliRunner) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        assert command.help and len(command.help) > 40, name
        assert f"etl {name}" in readme, f"README does not show `etl {name}`"


@pytest.mark.model
def test_load_reports_each_bad_input_and_loads_the_good_ones(
    runner: CliRunner, tmp_path: Path
) -> None:
    good = tmp_path / "good.txt"
    good.write_text("HTS captured Saraqeb on Sunday.", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    binary = tmp_path / "image.md"
    binary.write_bytes(b"\x00\xff\x00\xfe")
    batch = tmp_path / "batch.jsonl"
    batch.write_text('{"id": "j1", "text": "Rebels seized Hama."}\n{not json}\n', encoding="utf-8")
    missing = tmp_path / "missing.txt"
    store = tmp_path / "store"
    result = runner.invoke(
        cli,
        [
            "load",
            str(good),
            str(empty),
            str(binary),
            str(batch),
            str(missing),
            "--store",
            str(store),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert f"Error: {missing}: no such file or directory" in errors
    assert f"Error: {empty}: empty document (no text)" in errors
    assert any(line.startswith(f"Error: {binary}: binary file") for line in errors)
    assert any(line.startswith(f"Error: {batch}:2: malformed JSON") for line in errors)
    assert len(errors) == 4
    summary = json.loads(result.stdout)
    assert summary["read"] == 2 and summary["failed"] == 4
    assert summary["stores"][0]["documents"] == 2
    rows = runner.invoke(
        cli,
        [
            "query",
            "--store",
            str(store),
            "--format",
            "json",
            "--sparql",
            "SELECT ?p WHERE { ?a kg:captured ?x . ?x skos:prefLabel ?p }",
        ],
    )
    assert sorted(r["p"] for r in json.loads(rows.stdout)) == ["Hama", "Saraqeb"]


@pytest.mark.model
def test_extract_jsonl_follows_the_record_contract(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Russia, an ally of Bashar al-Assad, struck Idlib.", encoding="utf-8")
    result = runner.invoke(cli, ["extract", str(path), "--format", "jsonl"])
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    entity = next(r for r in records if r["kind"] == "entity")
    assert set(entity) == {"doc", "kind", "iri", "label", "type", "text", "start", "end"}
    relation = next(r for r in records if r["kind"] == "relation")
    assert set(relation) >= {
        "doc",
        "predicate",
        "subject",
        "object",
        "sentence",
        "start",
        "end",
        "confidence",
    }
    assert set(relation["subject"]) == {"iri", "label", "type", "text"}


def test_query_parameters_are_bound_not_pasted(runner: CliRunner, tmp_path: Path) -> None:
    from etl.stores.oxigraph import OxigraphStore

    OxigraphStore(tmp_path / "store").close()
    hostile = '"} ; DROP ALL ; SELECT * WHERE {'
    result = runner.invoke(
        cli,
        [
            "query",
            "--store",
            str(tmp_path / "store"),
            "--format",
            "json",
            "--param",
            f"name={hostile}",
            "--sparql",
            "SELECT ?name WHERE {}",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"name": hostile}]


def test_query_needs_exactly_one_language(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["query"])
    assert result.exit_code == 2
    assert "exactly one of --sparql and --cypher" in result.output


def test_named_queries_are_listed(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["query", "--list", "--format", "json"])
    assert result.exit_code == 0
    names = {row["name"] for row in json.loads(result.stdout)}
    assert {"captured", "allied_with", "between", "evidence", "shortest_path"} <= names


def test_bad_sparql_is_a_one_line_error(runner: CliRunner, tmp_path: Path) -> None:
    from etl.stores.oxigraph import OxigraphStore

    OxigraphStore(tmp_path / "store").close()
    result = runner.invoke(
        cli, ["query", "--store", str(tmp_path / "store"), "--sparql", "SELECT WHERE"]
    )
    assert result.exit_code == 1
    assert re.match(r"Error: SPARQL syntax error", result.stderr)


def test_unknown_model_gets_a_clear_message(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Some text.", encoding="utf-8")
    result = runner.invoke(cli, ["extract", str(path), "--model", "no_such_model_xx"])
    assert result.exit_code == 1
    assert "cannot load the spaCy model 'no_such_model_xx'" in result.stderr


@pytest.mark.model
def test_load_writes_neo4j_import_files_and_says_how_to_import_them(
    runner: CliRunner, tmp_path: Path
) -> None:
    article = tmp_path / "north.txt"
    article.write_text("HTS captured Saraqeb on Sunday.", encoding="utf-8")
    folder = tmp_path / "csv"
    args = ["load", str(article), "--store", str(tmp_path / "store"), "--neo4j-import"]
    result = runner.invoke(cli, [*args, str(folder)])
    assert result.exit_code == 0, result.output
    assert f"make neo4j-import DIR={folder}" in result.output
    facts = (folder / "relationships-facts.csv").read_text(encoding="utf-8")
    assert "/id/saraqeb,CAPTURED," in facts
    result = runner.invoke(cli, [*args, str(article)])  # a file, not a folder
    assert result.exit_code == 2 and "is a file" in result.output
