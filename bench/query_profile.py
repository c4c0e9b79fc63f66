"""Where a loader's time goes inside Neo4j transactions, without touching its code.

While active, `QueryProfile` wraps the driver's transaction `run`, `Result.consume` and
commit, and adds up per query the time from `run` to the end of `consume` (the loader
consumes each result at once, so that is the query's time on the server plus the
parameters' transfer), and the commits. A query is named after the file of
etl/stores/cypher/ whose first line it shares, else after its first line.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from meter import Stopwatch


def _first_line(text: str) -> str:
    for line in text.strip().splitlines():
        return line.strip()
    return ""


def _names(folder: Path) -> dict[str, str]:
    return {_first_line(p.read_text(encoding="utf-8")): p.stem for p in folder.glob("*.cypher")}


class QueryProfile:
    """Context manager: `with QueryProfile(cypher_folder) as profile: ...; profile.watch`."""

    def __init__(self, cypher_folder: Path):
        self.watch = Stopwatch()
        self.names = _names(cypher_folder)
        self._saved: list[tuple[type, str, Any]] = []

    def _label(self, query: object) -> str:
        text = str(getattr(query, "text", query))
        first = _first_line(text)
        if first.startswith(("CREATE CONSTRAINT", "CREATE INDEX")):
            return "schema"
        return self.names.get(first) or " ".join(first.split())[:30]

    def __enter__(self) -> QueryProfile:
        try:
            from neo4j._sync.work.result import Result
            from neo4j._sync.work.transaction import TransactionBase
        except ImportError:  # another driver layout: no breakdown, the totals still count
            return self
        profile = self
        run, consume, commit = TransactionBase.run, Result.consume, TransactionBase._commit

        def timed_run(self: Any, query: Any, parameters: Any = None, **kw: Any) -> Any:
            start = time.perf_counter()
            result = run(self, query, parameters, **kw)
            result.__dict__["_bench_started"] = (start, profile._label(query))
            return result

        def timed_consume(self: Any) -> Any:
            summary = consume(self)
            started = self.__dict__.pop("_bench_started", None)
            if started:
                profile.watch.add(started[1], time.perf_counter() - started[0])
            return summary

        def timed_commit(self: Any) -> Any:
            with profile.watch.timing("(commit)"):
                return commit(self)

        self._saved = [
            (TransactionBase, "run", run),
            (Result, "consume", consume),
            (TransactionBase, "_commit", commit),
        ]
        TransactionBase.run = timed_run  # type: ignore[method-assign]
        Result.consume = timed_consume  # type: ignore[method-assign]
        TransactionBase._commit = timed_commit  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        for owner, name, original in self._saved:
            setattr(owner, name, original)
        self._saved = []

    def breakdown(self, total: float) -> list[str]:
        return self.watch.breakdown(total, "(python: rows, driver, etc.)")
