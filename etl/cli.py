"""The `etl` command line: a thin layer over etl.api. Only this module imports click."""

from __future__ import annotations

import csv
import functools
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from etl.config import DEFAULT_MODEL, DEFAULT_SEND_ARTICLES, DEFAULT_STORE, Neo4jSettings, Settings
from etl.errors import EtlError

if TYPE_CHECKING:
    from etl.stores import QueryResult

F = TypeVar("F", bound=Callable[..., Any])


def store_option(f: F) -> F:
    return click.option(
        "--store",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="ETL_STORE",
        default=DEFAULT_STORE,
        show_default=True,
        help="Folder of the embedded RDF store (env ETL_STORE).",
    )(f)


def neo4j_option(f: F) -> F:
    return click.option(
        "--neo4j-uri",
        envvar="NEO4J_URI",
        metavar="URI",
        help="Bolt URI of Neo4j, e.g. bolt://127.0.0.1:7687 (env NEO4J_URI; "
        "NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE too).",
    )(f)


def model_option(f: F) -> F:
    return click.option(
        "--model",
        envvar="ETL_MODEL",
        default=DEFAULT_MODEL,
        show_default=True,
        help="spaCy English pipeline to use (env ETL_MODEL).",
    )(f)


def workers_option(f: F) -> F:
    return click.option(
        "--workers",
        type=click.IntRange(1, 64),
        default=1,
        show_default=True,
        help="Processes for extraction.",
    )(f)


def errors_handled(f: F) -> F:
    """Turn kg-etl errors into one `Error: ...` line and exit status 1."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except EtlError as exc:
            if click.get_current_context().find_root().params.get("verbose"):
                raise
            raise click.ClickException(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--verbose", "-v", is_flag=True, help="Show tracebacks of errors.")
@click.version_option(package_name="kg-etl")
def cli(verbose: bool) -> None:
    """kg-etl: news articles about armed conflict in, a knowledge graph out.

    \b
    etl load samples/                       # into the embedded store ./kg-data
    etl load samples/ --neo4j-uri bolt://127.0.0.1:7687
    etl query --sparql 'SELECT ?s ?o WHERE { ?s kg:captured ?o }'
    """
    # The Neo4j driver warns of each transaction it retries (a deadlock between writers,
    # a leader switch); the retry is routine, so only --verbose shows it.
    logging.getLogger("neo4j").setLevel(logging.WARNING if verbose else logging.ERROR)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@store_option
@neo4j_option
@model_option
@workers_option
@click.option(
    "--batch-size",
    type=click.IntRange(1),
    default=500,
    show_default=True,
    help="Articles per extraction and write batch.",
)
@click.option(
    "--writers",
    type=click.IntRange(1, 16),
    default=1,
    show_default=True,
    help="Concurrent Neo4j writers; their batches never share a node.",
)
@click.option(
    "--neo4j-batch",
    type=click.IntRange(1),
    default=DEFAULT_SEND_ARTICLES,
    show_default=True,
    help="Articles sent to Neo4j together (fewer, larger transactions).",
)
@click.option(
    "--neo4j-import",
    "neo4j_import",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Also write the articles as neo4j-admin CSV files into DIR, for a first load "
    "of a large corpus (then `make neo4j-import DIR=...`).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="How to print the summary.",
)
@errors_handled
def load(
    paths: tuple[str, ...],
    store: Path,
    neo4j_uri: str | None,
    model: str,
    workers: int,
    batch_size: int,
    writers: int,
    neo4j_batch: int,
    neo4j_import: Path | None,
    fmt: str,
) -> None:
    """Extract facts from articles and load them into the stores.

    PATHS are .txt/.md files (id = file stem), .jsonl files (one {"id", "text", "title",
    "url", "published"} object a line), folders (searched recursively) or - for stdin.
    Articles already loaded unchanged are skipped; changed ones replace their old facts.

    \b
    etl load samples/
    etl load news.jsonl --neo4j-uri bolt://127.0.0.1:7687
    etl load corpus.jsonl --neo4j-import import/ && make neo4j-import DIR=import/
    cat article.txt | etl load -
    """
    from etl import api
    from etl.cli_output import print_problems, print_summary, progress_bar

    settings = Settings(
        store=store,
        model=model,
        batch_size=batch_size,
        workers=workers,
        neo4j_import=neo4j_import,
    )
    neo4j = Neo4jSettings.from_env(neo4j_uri, writers=writers, send_articles=neo4j_batch)
    with progress_bar("Loading") as advance:
        result = api.load(paths, settings, neo4j, progress=advance)
    print_problems(result.problems)
    print_summary(result, fmt)
    for name, message in result.failures.items():
        click.echo(f"Error: {name}: {message}", err=True)
    if neo4j_import and "neo4j-import" not in result.failures:
        click.echo(
            f"neo4j-admin CSV files in {neo4j_import}/; import them into the local Neo4j "
            f"with `make neo4j-import DIR={neo4j_import}` (stops, imports, starts it)",
            err=True,
        )
    if not result.ok:
        sys.exit(1)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@model_option
@workers_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "table"]),
    default="table",
    show_default=True,
    help="jsonl: one record per entity mention and per fact.",
)
@errors_handled
def extract(paths: tuple[str, ...], model: str, workers: int, fmt: str) -> None:
    """Extract entities and facts and print them, without loading anything.

    \b
    etl extract samples/hama-offensive.txt
    etl extract news.jsonl --format jsonl > predictions.jsonl
    """
    from etl import api
    from etl.cli_output import print_extraction, print_problems

    problems: list = []
    settings = Settings(model=model, workers=workers)
    for extraction in api.extract(paths, settings, on_problem=problems.append):
        if fmt == "jsonl":
            for record in extraction.records():
                click.echo(json.dumps(record, ensure_ascii=False))
        else:
            print_extraction(extraction)
    print_problems(problems)
    if problems:
        sys.exit(1)


@cli.command()
@click.argument("name", required=False)
@click.option("--sparql", metavar="TEXT|FILE", help="A SPARQL query, or a file holding one.")
@click.option("--cypher", metavar="TEXT|FILE", help="A Cypher query, or a file holding one.")
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="A query parameter ($key in Cypher, ?key in SPARQL); repeatable.",
)
@click.option(
    "--backend",
    type=click.Choice(["rdf", "neo4j"]),
    default="rdf",
    show_default=True,
    help="Store a named query runs on.",
)
@click.option("--list", "list_queries", is_flag=True, help="List the named queries.")
@store_option
@neo4j_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@errors_handled
def query(
    name: str | None,
    sparql: str | None,
    cypher: str | None,
    params: tuple[str, ...],
    backend: str,
    list_queries: bool,
    store: Path,
    neo4j_uri: str | None,
    fmt: str,
) -> None:
    """Ask a named question of either store, or run SPARQL or Cypher.

    NAME is a query of the library in queries/ (`--list` shows them with their
    parameters and defaults); it runs on the embedded store, or on Neo4j with
    `--backend neo4j`, and both give the same answer. SPARQL sees the facts, the ontology
    and the knowledge base as its default graph and each article as a named graph; the
    prefixes kg:, kgr:, rdfs:, skos:, owl:, xsd:, dcterms: are predeclared. Values are
    passed as parameters, never pasted into the query.

    \b
    etl query --list
    etl query captured
    etl query allied_with --param actor=Russia --backend neo4j
    etl query --sparql 'SELECT ?who ?place WHERE { ?a kg:captured ?p .
        ?a skos:prefLabel ?who . ?p skos:prefLabel ?place }'
    etl query --cypher 'MATCH (a)-[:CAPTURED]->(p) RETURN a.name, p.name' \\
        --neo4j-uri bolt://127.0.0.1:7687 --format csv
    """
    from etl import api, library

    values = dict(_param(p) for p in params)
    if list_queries:
        result = library.listing()
    elif name:
        if sparql or cypher:
            raise click.UsageError("give a query NAME or --sparql/--cypher, not both")
        result = library.run_named(
            name, backend, values, Settings(store=store), Neo4jSettings.from_env(neo4j_uri)
        )
    elif bool(sparql) == bool(cypher):
        raise click.UsageError("give a query NAME, or exactly one of --sparql and --cypher")
    else:
        result = api.query(
            _query_text(sparql or cypher or ""),
            "rdf" if sparql else "neo4j",
            values,
            Settings(store=store),
            Neo4jSettings.from_env(neo4j_uri),
        )
    _print_result(result, fmt)


def _print_result(result: QueryResult, fmt: str) -> None:
    from etl.cli_output import print_rows

    if fmt == "json":
        click.echo(json.dumps(result.rows, ensure_ascii=False, indent=1, default=str))
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=result.columns)
        writer.writeheader()
        writer.writerows(result.rows)
    else:
        print_rows(result)


@cli.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@store_option
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@errors_handled
def validate(file: Path | None, store: Path, fmt: str) -> None:
    """Check the embedded store, or an RDF FILE, against the SHACL shapes.

    The shapes (ontology/shapes.ttl) say what a loaded graph must hold: labels, article
    ids and hashes, complete evidence, and subjects and objects of the right classes.
    Exit status 1 when there are violations (warnings alone pass).

    \b
    etl validate                      # the store in ./kg-data
    etl validate export.ttl --format json
    """
    from etl.cli_output import print_validation
    from etl.validate import validate_file, validate_store

    report = validate_file(file) if file else validate_store(store)
    print_validation(report, fmt)
    if not report.conforms:
        sys.exit(1)


@cli.command()
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("predictions", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--aliases",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSON {canonical name: [aliases]}; default: the knowledge base's names.",
)
@click.option("--details", is_flag=True, help="List wrong and missed facts per document.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@errors_handled
def evaluate(gold: Path, predictions: Path, aliases: Path | None, details: bool, fmt: str) -> None:
    """Score predictions against gold annotations: precision, recall and F1.

    GOLD has one JSON object per document ({"id", "entities": [names], "triples":
    [{"p", "s": [names], "o": [names], "optional"}]}); PREDICTIONS is the output of
    `etl extract --format jsonl`. Scores are per document, over sets of facts.

    \b
    etl extract news.jsonl --format jsonl > predictions.jsonl
    etl evaluate gold.jsonl predictions.jsonl --details
    """
    from etl.cli_output import print_evaluation
    from etl.evaluate import evaluate as run_evaluation

    report = run_evaluation(gold, predictions, aliases)
    print_evaluation(report, fmt, details)


@cli.command()
@click.option(
    "--doc",
    "doc_ids",
    multiple=True,
    required=True,
    metavar="ID",
    help="Id of an article to retract; repeatable.",
)
@store_option
@neo4j_option
@errors_handled
def delete(doc_ids: tuple[str, ...], store: Path, neo4j_uri: str | None) -> None:
    """Retract articles: their facts go unless another article supports them.

    \b
    etl delete --doc hama-offensive
    etl delete --doc a1 --doc a2 --neo4j-uri bolt://127.0.0.1:7687
    """
    from etl import api

    result = api.delete(doc_ids, Settings(store=store), Neo4jSettings.from_env(neo4j_uri))
    for name, deleted in result.items():
        click.echo(
            f"{name}: retracted {len(deleted)} of {len(doc_ids)} article(s)"
            + (f" ({', '.join(deleted)})" if deleted else "")
        )
    missing = set(doc_ids) - {d for found in result.values() for d in found}
    if missing:
        click.echo(f"Error: not loaded: {', '.join(sorted(missing))}", err=True)
        sys.exit(1)


@cli.command()
@click.argument("output", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    required=True,
    type=click.Choice(["neo4j-import", "nt", "ttl", "nq", "trig", "jsonld"]),
    help="neo4j-import: a folder of CSV files; the others: one RDF file.",
)
@store_option
@errors_handled
def export(output: Path, fmt: str, store: Path) -> None:
    """Export the embedded store as RDF, or as CSV files for neo4j-admin import.

    nt and ttl hold the default graph (ontology, knowledge base, facts); nq, trig and
    jsonld every graph, with each article's provenance. neo4j-import writes node and
    relationship CSV files with neo4j-admin headers: the bulk path for the first load of
    a large corpus into an empty Neo4j (`make neo4j-import DIR=...` runs the import).

    \b
    etl load corpus.jsonl && etl export --format neo4j-import import/
    make neo4j-import DIR=import/
    etl export graph.trig --format trig
    """
    from etl.export import export_neo4j_import, export_rdf

    if fmt == "neo4j-import":
        report = export_neo4j_import(store, output)
    else:
        report = export_rdf(store, output, fmt)
    for path, count in report.files.items():
        click.echo(f"{path}: {count:,} {'rows' if fmt == 'neo4j-import' else 'statements'}")


@cli.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=7878, show_default=True)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds a query may run before it is stopped (503).",
)
@click.option("--allow-update", is_flag=True, help="Accept SPARQL UPDATE (read-only otherwise).")
@click.option(
    "--workers",
    type=click.IntRange(1, 32),
    default=2,
    show_default=True,
    help="Query processes; a query past the time limit is stopped by ending its process.",
)
@errors_handled
def serve(
    store: Path, host: str, port: int, timeout: float, allow_update: bool, workers: int
) -> None:
    """Serve the embedded store as a SPARQL 1.1 Protocol endpoint at /sparql.

    Standard clients work with it (SPARQLWrapper, YASGUI, rdflib's SPARQLStore). It is
    read-only and listens on localhost unless told otherwise; a bad query gets a 400 with
    the parser's message. Restart it after `etl load` to see new articles.

    \b
    etl serve                                   # http://127.0.0.1:7878/sparql
    curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE { ?s kg:captured ?o }' \\
        http://127.0.0.1:7878/sparql
    """
    from etl.serve import serve as run_server

    run_server(store, host, port, timeout, allow_update, workers=workers)


@cli.command()
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@store_option
@click.option("--sparql", metavar="TEXT|FILE", help="Draw this query's result instead.")
@click.option(
    "--limit", type=click.IntRange(1), default=500, show_default=True, help="Most nodes to draw."
)
@errors_handled
def viz(output: Path, store: Path, sparql: str | None, limit: int) -> None:
    """Write a self-contained HTML view of the graph or of a query result.

    The page needs no network and no Neo4j: nodes coloured by class and captioned by
    name, facts as labelled arrows; drag to move, hover for the IRI.

    \b
    etl viz graph.html
    etl viz hts.html --sparql 'SELECT ?s ?p ?o WHERE { ?s ?p ?o . ?s skos:prefLabel "HTS" }'
    """
    from etl.viz import render_graph

    nodes = render_graph(store, output, _query_text(sparql) if sparql else None, limit)
    click.echo(f"wrote {nodes} nodes to {output}")


def _query_text(value: str) -> str:
    path = Path(value)
    if len(value) < 4096 and "\n" not in value and path.suffix and path.is_file():
        return path.read_text(encoding="utf-8")
    return value


def _param(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise click.BadParameter(f"{text!r}: expected KEY=VALUE", param_hint="--param")
    return key, value


def main() -> None:
    cli(prog_name="etl")
