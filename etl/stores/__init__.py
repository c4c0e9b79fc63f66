"""Stores behind one small interface; each backend is one module, imported only when used."""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from etl.models import Article, GraphDoc, LoadReport


@dataclass
class QueryResult:
    """Rows of a query, as plain Python values keyed by the query's variables/columns."""

    columns: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)


class Store(Protocol):
    """What every backend offers the pipeline."""

    name: str

    def unchanged(self, articles: Sequence[Article]) -> set[str]:
        """Ids of the articles this store already holds with the same content."""

    def write(self, docs: Sequence[GraphDoc], report: LoadReport) -> None:
        """Replace what each article said before with what it says now. A store may
        finish the work later, in its next call; `close` waits for it."""

    def delete(self, doc_id: str) -> bool:
        """Retract one article; False when the store does not hold it."""

    def query(self, text: str, params: Mapping[str, Any] | None = None) -> QueryResult: ...

    def close(self) -> None:
        """Finish pending writes (raising StoreError if one failed), then let go."""


BACKENDS = {
    "rdf": "etl.stores.oxigraph:OxigraphStore",
    "neo4j": "etl.stores.neo4j:Neo4jStore",
    "neo4j-import": "etl.stores.neo4j_import:Neo4jImportStore",
}


def store_class(name: str) -> type:
    """The store class registered under `name`, imported on first use."""
    module, _, cls = BACKENDS[name].partition(":")
    store_class: type = getattr(importlib.import_module(module), cls)
    return store_class
