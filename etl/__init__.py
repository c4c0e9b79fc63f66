"""kg-etl: news about armed conflict in, a knowledge graph out.

The public API: `load`, `extract` and `query` (the CLI's verbs), the data models passed
between stages, and the errors.
"""

from etl.api import LoadResult, delete, extract, load, query
from etl.config import Neo4jSettings, Settings
from etl.errors import (
    ConfigError,
    DataFileError,
    EtlError,
    InputError,
    Neo4jUnavailableError,
    QueryError,
    StoreError,
    StoreLockedError,
)
from etl.models import (
    Article,
    Edge,
    Entity,
    Extraction,
    Fact,
    GraphDoc,
    LoadReport,
    Mention,
    Node,
    ReadProblem,
)
from etl.stores import QueryResult

__all__ = [
    "Article",
    "ConfigError",
    "DataFileError",
    "Edge",
    "Entity",
    "EtlError",
    "Extraction",
    "Fact",
    "GraphDoc",
    "InputError",
    "LoadReport",
    "LoadResult",
    "Mention",
    "Neo4jSettings",
    "Neo4jUnavailableError",
    "Node",
    "QueryError",
    "QueryResult",
    "ReadProblem",
    "Settings",
    "StoreError",
    "StoreLockedError",
    "delete",
    "extract",
    "load",
    "query",
]
