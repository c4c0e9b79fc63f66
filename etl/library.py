"""The query library: competency questions shipped as SPARQL and Cypher twins.

Each question lives in `queries/` as two files with one base name, `NAME.rq` for the
embedded RDF store and `NAME.cypher` for Neo4j. They ask the same thing of the two models
of the graph and answer with the same columns and values, so a user can switch backend
without changing what they read. Each file opens with a header of comment lines (`#` in
SPARQL, `//` in Cypher), one `key: value` a line, which both twins must agree on:

    # name: captured
    # question: Who captured which places, ...?
    # param: actor = ""   (the capturing actor; empty means every actor)
    # note: free text, as many lines as needed

A default is a double-quoted string (JSON syntax) or an integer; an integer default makes
the parameter an integer, converted from the text a command line gives.

Parameters are never pasted into query text. Cypher receives `$name` as a driver
parameter. The embedded store binds values with pyoxigraph `substitutions`, which only
binds a variable that the SELECT clause projects; so the SPARQL twin names a parameter
`?param_NAME` (distinct from every answer column), selects it, and `run_named` drops
those columns from the answer before returning it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from etl import api
from etl.config import Neo4jSettings, Settings
from etl.errors import DataFileError, QueryError
from etl.resources import resource_dir
from etl.stores import QueryResult

SPARQL_SUFFIX = ".rq"
CYPHER_SUFFIX = ".cypher"
COMMENT = {SPARQL_SUFFIX: "#", CYPHER_SUFFIX: "//"}
SPARQL_PARAM_PREFIX = "param_"
BACKENDS = ("rdf", "neo4j")

_KEYS = ("name", "question", "param", "note")
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_HEADER_LINE = re.compile(r"(?P<key>[a-z_]+):(?:\s+(?P<value>.*?))?\s*")
_PARAM = re.compile(
    r"(?P<name>[a-z][a-z0-9_]*)\s*=\s*"
    r'(?P<default>"(?:[^"\\]|\\.)*"|-?[0-9]+)'
    r"(?:\s+\((?P<description>.*)\))?"
)
_SPARQL_PARAM = re.compile(r"[?$]" + SPARQL_PARAM_PREFIX + r"([A-Za-z0-9_]+)")
_CYPHER_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_SELECT_CLAUSE = re.compile(r"\bSELECT\b(?P<projection>.*?)\bWHERE\b", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Param:
    """One parameter of a named query: its name, its default and what it means."""

    name: str
    default: str | int
    description: str = ""

    @property
    def is_int(self) -> bool:
        return isinstance(self.default, int)

    def convert(self, query: str, value: Any) -> str | int:
        """The value as the type of the default: counts and hops compare as numbers in
        Cypher, where the string "2" never equals the integer 2."""
        if not self.is_int:
            return str(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise QueryError(
                f"{query}: parameter {self.name} takes an integer, not {value!r}"
            ) from None

    def usage(self) -> str:
        return f"{self.name}={json.dumps(self.default, ensure_ascii=False)}"


@dataclass(frozen=True)
class NamedQuery:
    """A competency question with its SPARQL and Cypher twins."""

    name: str
    question: str
    params: dict[str, Param]
    sparql: str
    cypher: str
    notes: tuple[str, ...] = ()
    files: tuple[Path, ...] = field(default=(), compare=False)

    @property
    def defaults(self) -> dict[str, str | int]:
        return {p.name: p.default for p in self.params.values()}

    def bind(self, given: Mapping[str, Any] | None = None) -> dict[str, str | int]:
        """Every parameter's value: the given one converted, else the default.

        An unknown name is an error rather than ignored, since a misspelt filter would
        otherwise silently answer for everything.
        """
        given = dict(given or {})
        unknown = sorted(set(given) - set(self.params))
        if unknown:
            known = ", ".join(p.usage() for p in self.params.values()) or "none"
            raise QueryError(
                f"{self.name}: unknown parameter {', '.join(unknown)}; "
                f"known parameters (with defaults): {known}"
            )
        return {
            name: param.convert(self.name, given[name]) if name in given else param.default
            for name, param in self.params.items()
        }

    def usage(self) -> str:
        """The call with its defaults, e.g. `evidence subject="..." predicate="captured"`."""
        return " ".join([self.name, *(p.usage() for p in self.params.values())])


@dataclass
class _Header:
    """What one file's header says, with where it says it (for error messages)."""

    path: Path
    name: str = ""
    question: str = ""
    params: dict[str, Param] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)  # "name", "param:actor", ... → line
    end: int = 0  # number of header lines

    def where(self, key: str) -> str:
        return f"{self.path}:{self.lines.get(key, 1)}"


def load_library(folder: Path | str | None = None) -> dict[str, NamedQuery]:
    """Every named query of `folder` (default: the shipped `queries/`), by name.

    A malformed header, a file without its twin or a twin that disagrees raises
    DataFileError naming the file and line: a broken library should fail loudly when it
    is read, not answer a question wrongly later.
    """
    root = Path(folder) if folder is not None else resource_dir("queries")
    if not root.is_dir():
        raise DataFileError(f"{root}: no query folder here")
    stems = _twin_stems(root)
    return {stem: _load_pair(root / f"{stem}{SPARQL_SUFFIX}") for stem in stems}


def _twin_stems(root: Path) -> list[str]:
    """Base names that have both twins; a lone `.rq` or `.cypher` is an error."""
    sparql = {p.stem for p in root.glob(f"*{SPARQL_SUFFIX}")}
    cypher = {p.stem for p in root.glob(f"*{CYPHER_SUFFIX}")}
    for stem in sorted(sparql ^ cypher):
        have, missing = (
            (SPARQL_SUFFIX, CYPHER_SUFFIX) if stem in sparql else (CYPHER_SUFFIX, SPARQL_SUFFIX)
        )
        raise DataFileError(
            f"{root / (stem + have)}: no twin {stem}{missing}; every named query needs "
            "both a SPARQL (.rq) and a Cypher (.cypher) file"
        )
    return sorted(sparql)


def _load_pair(sparql_path: Path) -> NamedQuery:
    cypher_path = sparql_path.with_suffix(CYPHER_SUFFIX)
    sparql_text = _read(sparql_path)
    cypher_text = _read(cypher_path)
    head = _parse_header(sparql_path, sparql_text)
    twin = _parse_header(cypher_path, cypher_text)
    _check_twins(head, twin)
    _check_sparql_params(head, sparql_text)
    _check_cypher_params(twin, cypher_text)
    return NamedQuery(
        name=head.name,
        question=head.question,
        params=head.params,
        sparql=sparql_text,
        cypher=cypher_text,
        notes=tuple(head.notes),
        files=(sparql_path, cypher_path),
    )


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"{path}: cannot read the query: {exc}") from exc


def _parse_header(path: Path, text: str) -> _Header:
    """The leading comment block: `name` and `question` once, `param` and `note` any times."""
    marker = COMMENT[path.suffix]
    header = _Header(path)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith(marker):
            break
        header.end = number
        _header_entry(header, number, line[len(marker) :].strip())
    if header.end == 0:
        raise DataFileError(
            f"{path}:1: a named query starts with a header, e.g. '{marker} name: {path.stem}'"
        )
    for key in ("name", "question"):
        if not getattr(header, key):
            raise DataFileError(f"{path}:{header.end}: the header has no '{marker} {key}: ...'")
    if header.name != path.stem:
        raise DataFileError(
            f"{header.where('name')}: name {header.name!r} differs from the file name {path.stem!r}"
        )
    return header


def _header_entry(header: _Header, number: int, entry: str) -> None:
    where = f"{header.path}:{number}"
    match = _HEADER_LINE.fullmatch(entry)
    if not match or match["key"] not in _KEYS:
        raise DataFileError(
            f"{where}: expected 'KEY: VALUE' with KEY one of {', '.join(_KEYS)}, got {entry!r}"
        )
    key, value = match["key"], match["value"] or ""
    if key == "note":
        header.notes.append(value)
        return
    if not value:
        raise DataFileError(f"{where}: '{key}:' needs a value")
    if key == "param":
        param = _parse_param(where, value)
        if param.name in header.params:
            raise DataFileError(f"{where}: parameter {param.name!r} is declared twice")
        header.params[param.name] = param
        header.lines[f"param:{param.name}"] = number
        return
    if getattr(header, key):
        raise DataFileError(f"{where}: '{key}:' is given twice")
    if key == "name" and not _NAME.fullmatch(value):
        raise DataFileError(f"{where}: a query name is lower case letters, digits and '_'")
    setattr(header, key, value)
    header.lines[key] = number


def _parse_param(where: str, value: str) -> Param:
    match = _PARAM.fullmatch(value)
    if not match:
        raise DataFileError(
            f"{where}: expected 'param: NAME = DEFAULT (description)', DEFAULT a "
            f"double-quoted string or an integer, got {value!r}"
        )
    raw = match["default"]
    try:
        default: str | int = json.loads(raw) if raw.startswith('"') else int(raw)
    except json.JSONDecodeError as exc:
        raise DataFileError(f"{where}: default {raw} is not a valid string: {exc}") from exc
    return Param(match["name"], default, (match["description"] or "").strip())


def _check_twins(head: _Header, twin: _Header) -> None:
    """The twins must promise the same question with the same parameters."""
    if head.question != twin.question:
        raise DataFileError(
            f"{twin.where('question')}: the question differs from {head.where('question')}"
        )
    if head.params != twin.params:
        raise DataFileError(
            f"{twin.path}:{twin.end}: the parameters ({_describe(twin.params.values())}) "
            f"differ from those of {head.path} ({_describe(head.params.values())})"
        )


def _describe(params: Iterable[Param]) -> str:
    return ", ".join(p.usage() for p in params) or "none"


def _check_sparql_params(header: _Header, text: str) -> None:
    """Each parameter is used and selected (else pyoxigraph cannot bind it), and no
    undeclared `?param_...` variable is used (it would silently stay unbound)."""
    body = "\n".join(text.splitlines()[header.end :])
    used = set(_SPARQL_PARAM.findall(body))
    selected = _SELECT_CLAUSE.search(body)
    projection = set(_SPARQL_PARAM.findall(selected["projection"])) if selected else set()
    for name in header.params:
        variable = f"?{SPARQL_PARAM_PREFIX}{name}"
        if name not in used:
            raise DataFileError(f"{header.where('param:' + name)}: {variable} is never used")
        if name not in projection:
            raise DataFileError(
                f"{header.where('param:' + name)}: {variable} must be in the SELECT clause, "
                "as the embedded store binds only selected variables"
            )
    _reject_undeclared(header, text, _SPARQL_PARAM, f"?{SPARQL_PARAM_PREFIX}")


def _check_cypher_params(header: _Header, text: str) -> None:
    body = "\n".join(text.splitlines()[header.end :])
    used = set(_CYPHER_PARAM.findall(body))
    for name in header.params:
        if name not in used:
            raise DataFileError(f"{header.where('param:' + name)}: ${name} is never used")
    _reject_undeclared(header, text, _CYPHER_PARAM, "$")


def _reject_undeclared(header: _Header, text: str, pattern: re.Pattern[str], sign: str) -> None:
    lines = text.splitlines()
    for number in range(header.end + 1, len(lines) + 1):
        for name in pattern.findall(lines[number - 1]):
            if name not in header.params:
                raise DataFileError(
                    f"{header.path}:{number}: {sign}{name} is not a declared parameter "
                    f"(declared: {_describe(header.params.values())})"
                )


def run_named(
    name: str,
    backend: str = "rdf",
    params: Mapping[str, Any] | None = None,
    settings: Settings | None = None,
    neo4j: Neo4jSettings | None = None,
    library: Mapping[str, NamedQuery] | None = None,
) -> QueryResult:
    """Answer the named question on `backend` ("rdf" or "neo4j").

    Missing parameters take their defaults, unknown ones are refused, and integer
    parameters are converted; the answer has the same columns on both backends.
    """
    query = lookup(name, library)
    if backend not in BACKENDS:
        raise QueryError(f"unknown backend {backend!r}; use one of {', '.join(BACKENDS)}")
    values = query.bind(params)
    if backend == "neo4j":
        return api.query(query.cypher, "neo4j", values, settings, neo4j)
    bindings = {f"{SPARQL_PARAM_PREFIX}{k}": v for k, v in values.items()}
    return _without(api.query(query.sparql, "rdf", bindings, settings), set(bindings))


def lookup(name: str, library: Mapping[str, NamedQuery] | None = None) -> NamedQuery:
    """The named query, or a QueryError that lists the names there are."""
    queries = load_library() if library is None else library
    if name not in queries:
        raise QueryError(
            f"no named query {name!r}; known: {', '.join(sorted(queries)) or 'none'} "
            "(etl query --list)"
        )
    return queries[name]


def _without(result: QueryResult, columns: set[str]) -> QueryResult:
    """The answer minus the parameter columns the SPARQL twin selects only for binding."""
    kept = [c for c in result.columns if c not in columns]
    return QueryResult(kept, [{c: row.get(c) for c in kept} for row in result.rows])


def listing(library: Mapping[str, NamedQuery] | None = None) -> QueryResult:
    """The library as rows (name, question, params), for `etl query --list`."""
    queries = load_library() if library is None else library
    rows = [
        {
            "name": q.name,
            "question": q.question,
            "params": " ".join(p.usage() for p in q.params.values()),
        }
        for q in sorted(queries.values(), key=lambda q: q.name)
    ]
    return QueryResult(["name", "question", "params"], rows)


__all__ = ["NamedQuery", "Param", "listing", "load_library", "lookup", "run_named"]
