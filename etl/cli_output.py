"""How the CLI shows things: rich tables and progress on stderr, records on stdout."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from etl.api import LoadResult
from etl.evaluate import EvaluationReport
from etl.models import Extraction, ReadProblem
from etl.stores import QueryResult
from etl.validate import ValidationReport

out = Console()
err = Console(stderr=True)


@contextmanager
def progress_bar(what: str) -> Iterator[Callable[[int], None]]:
    """A live count of documents on stderr (hidden when stderr is not a terminal)."""
    columns = (
        TextColumn(f"{what}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("docs"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task(what, total=None)
        yield lambda n: bar.advance(task, n)


def print_problems(problems: list[ReadProblem]) -> None:
    for problem in problems:
        err.print(f"[red]Error:[/red] {problem}", highlight=False, soft_wrap=True)


def print_summary(result: LoadResult, fmt: str) -> None:
    if fmt == "json":
        data = {
            "read": result.read,
            "failed": len(result.problems),
            "stores": [r.as_dict() for r in result.reports],
            "errors": result.failures,
        }
        out.print_json(json.dumps(data))
        return
    out.print(f"documents read: {result.read}, failed: {len(result.problems)}")
    predicates = sorted({p for r in result.reports for p in r.facts})
    table = Table("", *(r.store for r in result.reports), title="Loaded")
    table.add_row("documents written", *(str(r.documents) for r in result.reports))
    table.add_row("unchanged, skipped", *(str(r.skipped) for r in result.reports))
    table.add_row("entities", *(str(len(r.entities)) for r in result.reports))
    for p in predicates:
        table.add_row(f"facts: {p}", *(str(r.facts[p]) for r in result.reports))
    out.print(table)


def print_extraction(extraction: Extraction) -> None:
    out.print(
        f"[bold]{extraction.article.id}[/bold]: {len(extraction.entities)} entities, "
        f"{len(extraction.facts)} facts"
    )
    table = Table("predicate", "subject", "object", "confidence", "sentence")
    for f in extraction.facts:
        table.add_row(
            f.predicate,
            f.subject.entity.label,
            f.object.entity.label,
            f"{f.confidence:.2f}",
            f.sentence[:80],
        )
    out.print(table)


def print_rows(result: QueryResult) -> None:
    table = Table(*result.columns)
    for row in result.rows:
        table.add_row(*("" if row[c] is None else str(row[c]) for c in result.columns))
    out.print(table)
    err.print(f"{len(result.rows)} rows")


def print_validation(report: ValidationReport, fmt: str) -> None:
    if fmt == "json":
        out.print_json(json.dumps(report.as_dict()))
        return
    if report.violations:
        table = Table("severity", "focus node", "path", "message", "value")
        for v in report.violations:
            table.add_row(v.severity, v.focus_node, v.path or "", v.message, v.value or "")
        out.print(table)
    errors = sum(v.severity == "Violation" for v in report.violations)
    warnings = len(report.violations) - errors
    verdict = "conforms" if report.conforms else "does not conform"
    err.print(
        f"{report.triples} triples checked: {verdict} ({errors} violations, {warnings} warnings)"
    )


def print_evaluation(report: EvaluationReport, fmt: str, details: bool) -> None:
    if fmt == "json":
        out.print_json(json.dumps(report.as_dict(details)))
        return
    if details:
        for doc in report.documents:
            out.print(f"[bold]{doc.doc}[/bold]", highlight=False)
            for p, s, o in doc.wrong:
                out.print(f"  wrong  {p}({s}, {o})", highlight=False)
            for p, ss, oo in doc.missed:
                out.print(f"  missed {p}({' | '.join(ss)}, {' | '.join(oo)})", highlight=False)
    table = Table("", "P", "R", "F1", "tp", "fp", "fn")
    for name, sc in report.rows():
        table.add_row(
            name,
            f"{sc.precision:.3f}",
            f"{sc.recall:.3f}",
            f"{sc.f1:.3f}",
            str(sc.tp),
            str(sc.fp),
            str(sc.fn),
        )
    out.print(table)
