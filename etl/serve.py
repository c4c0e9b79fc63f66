"""`etl serve`: a SPARQL 1.1 Protocol endpoint over the embedded store.

GET or POST `/sparql` answers queries as the SPARQL 1.1 Protocol says (`query=` in the URL
or a form, or an `application/sparql-query` body), with the dataset `etl query` sees: the
default graph is the facts graph plus the ontology graph, and every named graph of the
store (each article's graph among them) is available to `GRAPH`. The prefixes `etl query`
declares (kg:, kgr:, skos:, ...) need no PREFIX lines here either. A query naming its own
dataset (FROM / FROM NAMED), or a request with `default-graph-uri` / `named-graph-uri`, gets
that dataset instead.

Time limit. pyoxigraph evaluates a query in Rust and cannot be interrupted from another
thread; an aggregate or ORDER BY computes everything before its first solution, so
checking a deadline between solutions does not bound it either. Each query therefore runs
in a worker process (started with `spawn`) holding its own read-only handle on the store.
The HTTP thread waits for the worker's answer until the deadline; past it the worker is
killed (SIGKILL: a read-only handle has nothing to lose), the client gets 503, and a fresh
worker is started in the background. A few workers run side by side; a request waits for
a free one within its own time limit.

Updates (`update=` or an `application/sparql-update` body) are refused with 403 unless
`allow_update` is set; then a single worker holds the store read-write and runs queries and
updates one at a time. Federated queries (SERVICE) are refused: they would make the server
fetch arbitrary URLs for whoever can reach it.

Read-only workers read the store as it was when they opened it: restart the server after
`etl load`, and do not load while it runs (a second process writing a store that is open
read-only is undefined behaviour in pyoxigraph).
"""

from __future__ import annotations

import contextlib
import html
import io
import multiprocessing
import queue
import re
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from etl.errors import ConfigError, StoreError, StoreLockedError
from etl.ontology import ONTOLOGY_GRAPH
from etl.rdf import FACTS_GRAPH
from etl.stores.oxigraph import PREFIXES

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT_S = 30.0
DEFAULT_WORKERS = 2
MAX_REQUEST_BYTES = 1 << 20  # a query or update text larger than this is refused (413)
MAX_RESULT_BYTES = 256 << 20  # a serialized answer larger than this is refused (500)
WORKER_START_S = 60.0  # how long a worker may take to import and open the store

# Media types the endpoint answers in, by preference: the first is the default.
RESULTS_TYPES: list[tuple[str, str]] = [  # SELECT and ASK -> QueryResultsFormat name
    ("application/sparql-results+json", "JSON"),
    ("application/sparql-results+xml", "XML"),
    ("text/csv", "CSV"),
    ("text/tab-separated-values", "TSV"),
    ("application/json", "JSON"),
    ("application/xml", "XML"),
    ("text/xml", "XML"),
]
GRAPH_TYPES: list[tuple[str, str]] = [  # CONSTRUCT and DESCRIBE -> RdfFormat name
    ("text/turtle", "TURTLE"),
    ("application/n-triples", "N_TRIPLES"),
    ("application/ld+json", "JSON_LD"),
    ("application/rdf+xml", "RDF_XML"),
    ("application/turtle", "TURTLE"),
    ("application/x-turtle", "TURTLE"),
    ("text/n3", "N3"),
    ("application/json", "JSON_LD"),
    ("application/xml", "RDF_XML"),
]
# Short names accepted in a `format=` or `output=` parameter, overriding Accept.
FORMAT_NAMES: dict[str, tuple[str | None, str | None]] = {
    "json": ("JSON", "JSON_LD"),
    "xml": ("XML", "RDF_XML"),
    "csv": ("CSV", None),
    "tsv": ("TSV", None),
    "turtle": (None, "TURTLE"),
    "ttl": (None, "TURTLE"),
    "nt": (None, "N_TRIPLES"),
    "ntriples": (None, "N_TRIPLES"),
    "n-triples": (None, "N_TRIPLES"),
    "json-ld": (None, "JSON_LD"),
    "jsonld": (None, "JSON_LD"),
    "rdf+xml": (None, "RDF_XML"),
    "rdfxml": (None, "RDF_XML"),
}


@dataclass(frozen=True)
class Job:
    """What a worker is asked to do; plain data, so it crosses the process boundary."""

    kind: str  # "query" or "update"
    text: str
    default_graphs: tuple[str, ...] | None = None  # None: the query's own dataset
    named_graphs: tuple[str, ...] | None = None  # None: every named graph
    results_format: str | None = None  # QueryResultsFormat name, None: not acceptable
    graph_format: str | None = None  # RdfFormat name, None: not acceptable


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes

    @classmethod
    def text(cls, status: int, message: str) -> Reply:
        return cls(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode())


# --- the worker process -------------------------------------------------------------


class _ResultTooLarge(Exception):
    pass


class _CappedBuffer(io.BytesIO):
    """A binary sink for pyoxigraph's serializers that stops past `limit` bytes."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.overflow = False

    def write(self, data: Any, /) -> int:
        if self.tell() + len(data) > self.limit:
            self.overflow = True
            raise _ResultTooLarge
        return super().write(data)


def _media_type(fmt: ox.QueryResultsFormat | ox.RdfFormat) -> str:
    media = fmt.media_type
    if media.startswith("text/") and "charset" not in media:
        media += "; charset=utf-8"
    return media


def execute(store: ox.Store, job: Job, prefixes: dict[str, str], max_bytes: int) -> Reply:
    """Run one job against an open store and serialize its answer."""
    try:
        if job.kind == "update":
            store.update(job.text, prefixes=prefixes)
            return Reply(204, "text/plain; charset=utf-8", b"")
        result = store.query(
            job.text,
            prefixes=prefixes,
            default_graph=(
                None
                if job.default_graphs is None
                else [ox.NamedNode(g) for g in job.default_graphs]
            ),
            named_graphs=(
                None if job.named_graphs is None else [ox.NamedNode(g) for g in job.named_graphs]
            ),
        )
    except SyntaxError as exc:
        return Reply.text(400, f"SPARQL syntax error: {exc}")
    except ValueError as exc:
        return Reply.text(400, f"Bad request: {exc}")
    except (OSError, RuntimeError) as exc:
        return Reply.text(500, f"SPARQL {job.kind} failed: {exc}")

    sink = _CappedBuffer(max_bytes)
    try:
        if isinstance(result, ox.QueryTriples):
            if job.graph_format is None:
                return _not_acceptable("CONSTRUCT and DESCRIBE", GRAPH_TYPES)
            graph_format: ox.RdfFormat = getattr(ox.RdfFormat, job.graph_format)
            media = _media_type(graph_format)
            result.serialize(sink, format=graph_format)
        else:
            if job.results_format is None:
                return _not_acceptable("SELECT and ASK", RESULTS_TYPES)
            results_format: ox.QueryResultsFormat = getattr(
                ox.QueryResultsFormat, job.results_format
            )
            media = _media_type(results_format)
            result.serialize(sink, format=results_format)
    except Exception as exc:
        if sink.overflow:
            return Reply.text(
                500,
                f"The answer is larger than this endpoint's limit of {max_bytes:,} bytes; "
                "add a LIMIT or narrow the query.",
            )
        return Reply.text(500, f"SPARQL query failed: {exc}")
    return Reply(200, media, sink.getvalue())


def _not_acceptable(forms: str, table: Sequence[tuple[str, str]]) -> Reply:
    offered = ", ".join(dict.fromkeys(media for media, _ in table))
    return Reply.text(406, f"No acceptable result format: {forms} answer in {offered}.")


def _worker_main(
    conn: Connection, path: str, writable: bool, prefixes: dict[str, str], max_bytes: int
) -> None:
    """A worker process: open the store, then answer jobs until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server to handle
    try:
        store = ox.Store(path) if writable else ox.Store.read_only(path)
    except OSError as exc:
        conn.send(("error", str(exc)))
        return
    conn.send(("ready", ""))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            break
        if job is None:
            break
        conn.send(execute(store, job, prefixes, max_bytes))
    if writable:
        store.flush()


# --- the pool of workers ------------------------------------------------------------


class _Worker:
    def __init__(self, process: Any, conn: Connection) -> None:
        self.process = process
        self.conn = conn

    def wait_ready(self, timeout: float) -> None:
        if not self.conn.poll(timeout):
            self.kill()
            raise StoreError(f"a query worker did not open the store within {timeout:.0f} s")
        try:
            kind, message = self.conn.recv()
        except EOFError:
            self.kill()
            raise StoreError(
                f"a query worker exited while opening the store (exit code {self.process.exitcode})"
            ) from None
        if kind != "ready":
            self.kill()
            if "lock" in message.lower():
                raise StoreLockedError(
                    f"the embedded store is in use by another process: {message}"
                )
            raise StoreError(f"cannot open the embedded store: {message}")

    def stop(self) -> None:
        """Ask the worker to exit; kill it if it does not within a second."""
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(1.0)
        self.kill()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5.0)
        self.conn.close()


class WorkerPool:
    """Worker processes that each hold the store open, and the time limit they run under."""

    def __init__(
        self,
        store_path: Path,
        size: int,
        timeout_s: float,
        writable: bool,
        prefixes: dict[str, str],
        max_result_bytes: int = MAX_RESULT_BYTES,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.store_path = store_path
        self.size = 1 if writable else max(1, size)
        self.timeout_s = timeout_s
        self.writable = writable
        self.prefixes = dict(prefixes)
        self.max_result_bytes = max_result_bytes
        self.log = log or _stderr
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        # Start every worker before waiting for any: they import and open in parallel.
        started = [self._start() for _ in range(self.size)]
        try:
            for worker in started:
                worker.wait_ready(WORKER_START_S)
                self._idle.put(worker)
        except BaseException:
            self.close()
            raise

    def _start(self) -> _Worker:
        ours, theirs = self._ctx.Pipe()
        process = self._ctx.Process(
            target=_worker_main,
            args=(
                theirs,
                str(self.store_path),
                self.writable,
                self.prefixes,
                self.max_result_bytes,
            ),
            name="etl-serve-worker",
            daemon=True,
        )
        process.start()
        theirs.close()
        worker = _Worker(process, ours)
        with self._lock:
            self._all.add(worker)
        return worker

    def _discard(self, worker: _Worker) -> None:
        """Kill a worker and start its replacement in the background."""
        worker.kill()
        with self._lock:
            self._all.discard(worker)
            if self._closed:
                return
        threading.Thread(target=self._replace, name="etl-serve-respawn", daemon=True).start()

    def _replace(self) -> None:
        try:
            worker = self._start()
            worker.wait_ready(WORKER_START_S)
        except Exception as exc:
            self.log(f"cannot restart a query worker: {exc}")
            return
        with self._lock:
            closed = self._closed
        if closed:
            worker.stop()
        else:
            self._idle.put(worker)

    def run(self, job: Job) -> Reply:
        """The answer to a job, or 503 when it is not answered within the time limit."""
        deadline = time.monotonic() + self.timeout_s
        try:
            worker = self._idle.get(timeout=self.timeout_s)
        except queue.Empty:
            return Reply.text(
                503,
                f"All {self.size} query workers stayed busy for the {self.timeout_s:g} s "
                "time limit; try again later.",
            )
        try:
            worker.conn.send(job)
            if worker.conn.poll(max(0.0, deadline - time.monotonic())):
                reply: Reply = worker.conn.recv()
                self._idle.put(worker)
                return reply
        except (EOFError, OSError) as exc:
            code = worker.process.exitcode
            self._discard(worker)
            return Reply.text(500, f"The query worker died (exit code {code}): {exc}")
        self._discard(worker)
        return Reply.text(
            503,
            f"Query stopped: it ran longer than this endpoint's time limit of "
            f"{self.timeout_s:g} s (etl serve --timeout). Add a LIMIT or narrow the query.",
        )

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.stop()


# --- the HTTP side --------------------------------------------------------------------


_NOISE = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\''  # long strings
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''  # strings
    r'|<[^<>"{}|^`\\\s]*>'  # IRIs
    r"|#[^\n]*"  # comments
)


def _keyword(text: str, word: str) -> bool:
    """Whether the SPARQL keyword occurs outside strings, IRIs, comments and names."""
    code = _NOISE.sub(" ", text)
    return re.search(rf"(?<![\w?$:.]){word}(?![\w:-])", code, re.IGNORECASE) is not None


def negotiate(accept: str | None, table: Sequence[tuple[str, str]]) -> str | None:
    """The format name the Accept header prefers from `table`; the default without one."""
    if not accept or not accept.strip():
        return table[0][1]
    ranges: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept.split(",")):
        media, *params = (part.strip() for part in item.split(";"))
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media and q > 0:
            ranges.append((-q, position, media.lower()))
    for _, _, media in sorted(ranges):
        if media == "*/*":
            return table[0][1]
        for offered, name in table:
            if media == offered or (media.endswith("/*") and offered.startswith(media[:-1])):
                return name
    return None


class SparqlServer(ThreadingHTTPServer):
    """The HTTP server; `url` is the endpoint, `pool` runs the queries."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        start_pool: Callable[[], WorkerPool],
        allow_update: bool,
        log: Callable[[str], None],
        default_graphs: tuple[str, ...],
    ) -> None:
        self.allow_update = allow_update
        self.log = log
        self.default_graphs = default_graphs
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        try:  # listen first: a busy port fails before any worker starts
            super().__init__(address, _Handler)
        except OSError as exc:
            raise ConfigError(f"cannot listen on {address[0]} port {address[1]}: {exc}") from exc
        try:
            self.pool = start_pool()
        except BaseException:
            self.server_close()
            raise

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = str(host)
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}/sparql"

    def server_close(self) -> None:
        super().server_close()
        pool = getattr(self, "pool", None)  # none yet when listening failed
        if pool is not None:
            pool.close()


class _Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    protocol_version = "HTTP/1.1"
    server_version = "kg-etl-sparql/1"

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    def do_OPTIONS(self) -> None:  # CORS preflight
        started = time.monotonic()
        self._reply(
            Reply(204, "text/plain; charset=utf-8", b""),
            {
                "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                "Access-Control-Allow-Headers": "Content-Type, Accept",
                "Access-Control-Max-Age": "86400",
            },
        )
        self._log_request("OPTIONS", started)

    def _handle(self, method: str) -> None:
        started = time.monotonic()
        try:
            reply = self._answer(method)
        except Exception as exc:  # a bug here must not leave the client hanging
            reply = Reply.text(500, f"Internal error: {exc}")
        headers: dict[str, str] = {}
        if reply.status == 405:
            headers["Allow"] = "POST" if self.server.allow_update else "GET, POST"
        self._reply(reply, headers, body=method != "HEAD")
        self._log_request(method, started)

    def _answer(self, method: str) -> Reply:
        url = urlsplit(self.path)
        if url.path in ("/", "/index.html"):
            return self._home() if method != "POST" else Reply.text(405, "POST to /sparql")
        if url.path != "/sparql":
            return Reply.text(404, f"Not found: {url.path}. The endpoint is /sparql.")
        params = parse_qs(url.query, keep_blank_values=True)
        if method == "POST":
            problem = self._read_body(params)
            if problem:
                return problem
        queries, updates = params.get("query", []), params.get("update", [])
        if len(queries) + len(updates) != 1:
            return Reply.text(
                400,
                "Give exactly one `query` (or `update`): GET /sparql?query=..., a form POST, "
                "or a POST with an application/sparql-query body.",
            )
        if updates:
            return self._update(method, updates[0], params)
        return self._query(queries[0], params)

    def _read_body(self, params: dict[str, list[str]]) -> Reply | None:
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            return Reply.text(411, "POST needs a Content-Length.")
        try:
            length = int(length_header)
        except ValueError:
            return Reply.text(400, f"Bad Content-Length: {length_header!r}")
        if length > MAX_REQUEST_BYTES:
            self.close_connection = True
            return Reply.text(413, f"Request body over {MAX_REQUEST_BYTES >> 20} MiB.")
        raw = self.rfile.read(length)
        content_type = self.headers.get_content_type()
        charset = self.headers.get_content_charset() or "utf-8"
        try:
            body = raw.decode(charset)
        except (LookupError, UnicodeDecodeError) as exc:
            return Reply.text(400, f"Cannot decode the request body as {charset}: {exc}")
        if content_type == "application/x-www-form-urlencoded":
            for key, values in parse_qs(body, keep_blank_values=True).items():
                params.setdefault(key, []).extend(values)
        elif content_type == "application/sparql-query":
            params.setdefault("query", []).append(body)
        elif content_type == "application/sparql-update":
            params.setdefault("update", []).append(body)
        else:
            return Reply.text(
                415,
                f"Unsupported Content-Type {content_type}: POST "
                "application/x-www-form-urlencoded, application/sparql-query or "
                "application/sparql-update.",
            )
        return None

    def _update(self, method: str, text: str, params: dict[str, list[str]]) -> Reply:
        if not self.server.allow_update:
            return Reply.text(
                403, "This endpoint is read-only: updates are refused (etl serve --allow-update)."
            )
        if method != "POST":
            return Reply.text(405, "Updates must be POSTed.")
        if params.get("using-graph-uri") or params.get("using-named-graph-uri"):
            return Reply.text(
                400, "using-graph-uri / using-named-graph-uri are not supported; write USING."
            )
        return self.server.pool.run(Job("update", text))

    def _query(self, text: str, params: dict[str, list[str]]) -> Reply:
        if _keyword(text, "SERVICE"):
            return Reply.text(400, "Federated queries (SERVICE) are disabled on this endpoint.")
        default_uris = params.get("default-graph-uri", [])
        named_uris = params.get("named-graph-uri", [])
        default: tuple[str, ...] | None
        named: tuple[str, ...] | None
        if default_uris or named_uris:  # the protocol's dataset replaces the query's
            default, named = tuple(default_uris), tuple(named_uris)
        elif _keyword(text, "FROM"):  # the query's own FROM / FROM NAMED
            default, named = None, None
        else:  # the dataset `etl query` uses
            default, named = self.server.default_graphs, None
        results_format, graph_format = self._formats(params)
        return self.server.pool.run(
            Job("query", text, default, named, results_format, graph_format)
        )

    def _formats(self, params: dict[str, list[str]]) -> tuple[str | None, str | None]:
        for key in ("format", "output"):
            for value in params.get(key, []):
                value = value.strip().lower()
                if value in FORMAT_NAMES:
                    return FORMAT_NAMES[value]
                by_media = (
                    negotiate(value, RESULTS_TYPES) if "/" in value else None,
                    negotiate(value, GRAPH_TYPES) if "/" in value else None,
                )
                if by_media != (None, None) and "*" not in value:
                    return by_media
        accept = self.headers.get("Accept")
        return negotiate(accept, RESULTS_TYPES), negotiate(accept, GRAPH_TYPES)

    def _home(self) -> Reply:
        host = self.headers.get("Host")
        endpoint = f"http://{host}/sparql" if host else self.server.url
        mode = "read-write" if self.server.allow_update else "read-only"
        prefixes = ", ".join(f"{p}:" for p in self.server.pool.prefixes)
        page = _HOME.format(
            endpoint=html.escape(endpoint),
            mode=mode,
            timeout=f"{self.server.pool.timeout_s:g}",
            prefixes=html.escape(prefixes),
        )
        return Reply(200, "text/html; charset=utf-8", page.encode())

    def _reply(
        self, reply: Reply, headers: dict[str, str] | None = None, body: bool = True
    ) -> None:
        self._status = reply.status
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Cache-Control", "no-store")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if body and reply.body:
            self.wfile.write(reply.body)

    def _log_request(self, method: str, started: float) -> None:
        ms = (time.monotonic() - started) * 1000
        path = urlsplit(self.path).path
        status = getattr(self, "_status", "-")
        self.server.log(f"{self.client_address[0]} {method} {path} {status} {ms:.1f} ms")

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # _log_request writes one line per request, with its duration

    def log_message(self, format: str, *args: Any) -> None:
        self.server.log(f"{self.client_address[0]} {format % args}")


_HOME = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kg-etl SPARQL endpoint</title>
<style>body{{font:15px/1.4 system-ui,sans-serif;max-width:48em;margin:2em auto}}
textarea{{width:100%;height:9em;font:13px monospace}}</style></head>
<body><h1>kg-etl SPARQL endpoint</h1>
<p>The SPARQL 1.1 Protocol endpoint is <code>{endpoint}</code> ({mode}; queries stop after
{timeout} s). Point YASGUI, SPARQLWrapper or rdflib's SPARQLStore at it.</p>
<p>Default graph: the facts and the ontology. Named graphs: one per article (with its
evidence), plus the facts and ontology graphs. Predeclared prefixes: {prefixes}</p>
<form action="sparql" method="get"><textarea name="query">SELECT ?actor ?place WHERE {{
  ?a kg:captured ?p . ?a skos:prefLabel ?actor . ?p skos:prefLabel ?place }}
LIMIT 20</textarea>
<p><button>Run</button> as <select name="format"><option>json</option><option>xml</option>
<option>csv</option><option>tsv</option></select></p></form></body></html>
"""


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def make_server(
    store_path: Path,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    allow_update: bool = False,
    *,
    workers: int = DEFAULT_WORKERS,
    max_result_bytes: int = MAX_RESULT_BYTES,
    log: Callable[[str], None] | None = None,
) -> SparqlServer:
    """A SPARQL endpoint over the store at `store_path`, bound but not yet serving.

    Run it with `serve_forever()` (in a thread if you like); `shutdown()` stops the loop
    and `server_close()` frees the port and stops the workers. Port 0 picks a free port;
    `server.url` says which. The workers are started with multiprocessing's `spawn`, so a
    script calling this must do so under `if __name__ == "__main__":` (the `etl` command
    and `python -m etl` are fine).
    """
    store_path = Path(store_path)
    if not (store_path / "CURRENT").exists():
        raise StoreError(
            f"{store_path}: no embedded store here; run `etl load` first or pass --store DIR"
        )
    if not timeout_s > 0:
        raise ConfigError(f"the time limit must be positive, not {timeout_s}")
    if workers < 1:
        raise ConfigError(f"at least one query worker is needed, not {workers}")
    log = log or _stderr

    def start_pool() -> WorkerPool:
        return WorkerPool(
            store_path,
            workers,
            timeout_s,
            writable=allow_update,
            prefixes=PREFIXES,
            max_result_bytes=max_result_bytes,
            log=log,
        )

    return SparqlServer(
        (host, port), start_pool, allow_update, log, (FACTS_GRAPH.value, str(ONTOLOGY_GRAPH))
    )


def serve(
    store_path: Path,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    allow_update: bool = False,
    *,
    workers: int = DEFAULT_WORKERS,
) -> None:
    """Serve the endpoint until Ctrl-C."""
    server = make_server(store_path, host, port, timeout_s, allow_update, workers=workers)
    mode = "read-write" if allow_update else "read-only"
    server.log(
        f"SPARQL endpoint at {server.url} ({mode}, {server.pool.size} worker(s), "
        f"{timeout_s:g} s time limit); Ctrl-C stops it"
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.log("stopping")
    finally:
        server.server_close()


__all__ = ["SparqlServer", "WorkerPool", "execute", "make_server", "negotiate", "serve"]
