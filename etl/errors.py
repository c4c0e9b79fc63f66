"""One exception hierarchy for the whole package; only the CLI catches it.

Every message says what failed, where (file:line, IRI, URI) and what to do about it.
"""

from __future__ import annotations


class EtlError(Exception):
    """Base class of every error kg-etl raises on purpose."""


class ConfigError(EtlError):
    """A setting is wrong: unknown model, bad store path, bad option value."""


class DataFileError(EtlError):
    """A shipped or user-supplied data file (ontology, KB, patterns) is malformed."""


class InputError(EtlError):
    """An input article could not be read; the rest of the batch goes on."""


class StoreError(EtlError):
    """A store could not be opened, written or queried."""


class StoreLockedError(StoreError):
    """Another process holds the embedded store."""


class Neo4jUnavailableError(StoreError):
    """The Neo4j server named by a URI did not answer."""


class QueryError(EtlError):
    """A query was malformed or failed in the store."""
