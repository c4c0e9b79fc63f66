"""The bulk path as a store: `etl load --neo4j-import DIR` writes neo4j-admin CSV files.

A first load of a large corpus into an empty Neo4j goes faster through
`neo4j-admin database import full` than through transactions; this target writes the
files of `etl export --format neo4j-import` from the documents `etl load` maps, so the
embedded store is never read back. The files are written when the load ends.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from etl.errors import QueryError, StoreError
from etl.export import Neo4jImportFiles
from etl.models import Article, GraphDoc, LoadReport
from etl.ontology import Ontology
from etl.stores import QueryResult


class Neo4jImportStore:
    """Gathers every article it is given; `close` writes the CSV files into `folder`."""

    name = "neo4j-import"

    def __init__(self, folder: Path, ontology: Ontology | None = None):
        if folder.exists() and not folder.is_dir():
            raise StoreError(f"{folder}: not a folder (--neo4j-import names a folder)")
        self.folder = folder
        self.files = Neo4jImportFiles(folder, ontology)
        self.written: dict[str, int] = {}  # file path → rows, once closed

    def unchanged(self, articles: Sequence[Article]) -> set[str]:
        """None: the files hold every article of this run, loaded before or not."""
        return set()

    def write(self, docs: Sequence[GraphDoc], report: LoadReport) -> None:
        self.files.add(docs)
        for d in docs:
            report.count(d)

    def delete(self, doc_id: str) -> bool:
        raise StoreError("CSV files for neo4j-admin are written once; load again without it")

    def query(self, text: str, params: Mapping[str, Any] | None = None) -> QueryResult:
        raise QueryError("CSV files cannot be queried; import them (make neo4j-import) first")

    def close(self) -> None:
        """Write the files; an error says which file and why."""
        if self.written:
            return
        try:
            self.written = self.files.close().files
        except OSError as exc:
            raise StoreError(f"{self.folder}: could not write the CSV files ({exc})") from exc
