"""The Python API: the verbs the CLI offers, for notebooks and other programs.

from etl import load, extract, query
result = load(["samples/"], store="kg-data")
for row in query("SELECT ?s ?o WHERE { ?s kg:captured ?o }", store="kg-data").rows: ...
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any

from etl.config import Neo4jSettings, Settings
from etl.errors import StoreError
from etl.models import Article, Extraction, LoadReport, ReadProblem
from etl.ontology import load_ontology
from etl.read import read_articles
from etl.stores import QueryResult, Store, store_class


@dataclass
class LoadResult:
    """What `load` did: problems with the input, and one report per store."""

    problems: list[ReadProblem] = field(default_factory=list)
    reports: list[LoadReport] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)  # store → error message
    read: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and not self.failures


def _extractor(settings: Settings) -> Any:
    from etl.extraction import Extractor

    return Extractor(settings.model, load_ontology(), workers=settings.workers)


def extract(
    paths: Iterable[str | Path],
    settings: Settings | None = None,
    on_problem: Callable[[ReadProblem], None] | None = None,
) -> Iterator[Extraction]:
    """Extract entities and facts from the articles under `paths`."""
    settings = settings or Settings()
    extractor = _extractor(settings)
    yield from extractor.extract(_articles(read_articles(paths), on_problem))


def _articles(
    items: Iterable[Article | ReadProblem], on_problem: Callable[[ReadProblem], None] | None
) -> Iterator[Article]:
    for item in items:
        if isinstance(item, ReadProblem):
            if on_problem:
                on_problem(item)
        else:
            yield item


def open_stores(
    settings: Settings, neo4j: Neo4jSettings | None, failures: dict[str, str]
) -> list[Store]:
    """The embedded store, Neo4j and the neo4j-admin CSV files when settings name them.

    A Neo4j that does not answer is recorded in `failures`, so the embedded store still
    loads and a later run completes the Neo4j side.
    """
    ontology = load_ontology()
    stores: list[Store] = [store_class("rdf")(settings.store, ontology)]
    others = {"neo4j": neo4j, "neo4j-import": settings.neo4j_import}
    for name, target in others.items():
        if target is None:
            continue
        try:
            stores.append(store_class(name)(target, ontology))
        except StoreError as exc:
            failures[name] = str(exc)
    return stores


def load(
    paths: Iterable[str | Path],
    settings: Settings | None = None,
    neo4j: Neo4jSettings | None = None,
    progress: Callable[[int], None] | None = None,
) -> LoadResult:
    """Read, extract, map and load articles into the embedded store (and Neo4j).

    Articles every store already holds unchanged are not extracted again. A store that
    fails stops receiving writes; the others go on, and a rerun completes it.
    """
    from etl.mapping import to_graph

    settings = settings or Settings()
    result = LoadResult()
    stores = open_stores(settings, neo4j, result.failures)
    result.reports = [LoadReport(s.name) for s in stores]
    extractor = None
    ontology = load_ontology()
    items = read_articles(paths)
    try:
        while batch := list(islice(_articles(items, result.problems.append), settings.batch_size)):
            result.read += len(batch)
            live = dict(zip(stores, result.reports, strict=True))
            done = {s: _guarded(s, partial(s.unchanged, batch), result) for s in stores}
            done = {s: d for s, d in done.items() if d is not None}
            todo = [a for a in batch if not all(a.id in d for d in done.values())]
            if todo:
                extractor = extractor or _extractor(settings)
                docs = [to_graph(e, ontology) for e in extractor.extract(todo)]
            else:
                docs = []
            for store, unchanged in done.items():
                report = live[store]
                report.skipped += len(unchanged)
                fresh = [d for d in docs if d.article.id not in unchanged]
                _guarded(store, partial(store.write, fresh, report), result)
            if progress:
                progress(len(batch))
    finally:
        for store in stores:
            _close(store, result)
    return result


def _close(store: Store, result: LoadResult) -> None:
    """Close a store; one that was still writing its last batch may fail here."""
    try:
        store.close()
    except StoreError as exc:
        result.failures.setdefault(store.name, str(exc))


def _guarded(store: Store, work: Callable[[], Any], result: LoadResult) -> Any:
    """Run one store's step; a store that failed once is left out for the rest of the run."""
    if store.name in result.failures:
        return None
    try:
        return work()
    except StoreError as exc:
        result.failures[store.name] = str(exc)
        return None


def delete(
    doc_ids: Iterable[str], settings: Settings | None = None, neo4j: Neo4jSettings | None = None
) -> dict[str, list[str]]:
    """Retract articles from every store; returns, per store, the ids it held."""
    settings = settings or Settings()
    failures: dict[str, str] = {}
    stores = open_stores(settings, neo4j, failures)
    if failures:
        for store in stores:
            store.close()
        raise StoreError("; ".join(failures.values()))
    try:
        ids = list(doc_ids)
        return {s.name: [d for d in ids if s.delete(d)] for s in stores}
    finally:
        for store in stores:
            store.close()


def query(
    text: str,
    backend: str = "rdf",
    params: Mapping[str, Any] | None = None,
    settings: Settings | None = None,
    neo4j: Neo4jSettings | None = None,
) -> QueryResult:
    """Run SPARQL on the embedded store (`rdf`) or Cypher on Neo4j (`neo4j`)."""
    settings = settings or Settings()
    if backend == "neo4j":
        if neo4j is None:
            raise StoreError("no Neo4j URI: pass --neo4j-uri or set NEO4J_URI")
        store: Store = store_class("neo4j")(neo4j)
    else:
        store = store_class("rdf")(settings.store, read_only=True)
    try:
        return store.query(text, params)
    finally:
        store.close()
