"""Loading benchmark: kg-etl's loaders against the usual alternatives, in one run.

    python bench/load_bench.py [--facts 1000000] [--entities 100000] [--articles N]
        [--batch-docs 1000] [--sample 2000] [--skip NAME ...]
        [--uri bolt://127.0.0.1:7687] [--neo4j-home DIR] [--http-port 7474]
        [--heap 2g] [--pagecache 1g]

One deterministic synthetic graph (bench/synthetic.py: N facts over M KB-like entities,
20 facts an article by default) goes through each loader, against the same local Neo4j
server (scripts/neo4j.sh) and into fresh pyoxigraph folders. The Neo4j database is
emptied before each Neo4j loader, so each starts from an empty database; the script
deletes everything in it, so point it at a server whose data you can lose.

Each measurement prints facts per second, seconds, and the peak resident memory of this
Python process (the kernel's high-water mark, reset per measurement; "(+N)" is the
growth over its start, which already holds the corpus). Neo4j runs in its own JVM: its peak
resident size during the measurement is printed separately ("JVM").

Measurements (names for --skip):
  ours          Neo4jStore.write over batches of --batch-docs documents (full model:
                articles, mentions, evidence on each fact), with a per-query breakdown
  naive         one MERGE per fact, one transaction each, on --sample facts
  rdflib-neo4j  Neo4j Labs' rdflib-neo4j store (batching=True), same entities and facts
                as triples; runs in bench/.venv-rdflib-neo4j (see --rdflib-python)
  bare          UNWIND ... CREATE of the fact rows in 10,000-row batches, nodes created
                first (only the relationships are timed), one writer and two writers
  import        etl.export.write_neo4j_import(docs, ...), the files `etl load
                --neo4j-import` writes (else etl.export.export_neo4j_import from an
                embedded store), then scripts/neo4j.sh import (stops, imports, starts)
  ours-rdf      OxigraphStore.write into a fresh folder
  bulk-load     pyoxigraph Store.bulk_load of the same quads as N-Quads
  second-load   store.unchanged over all articles, both stores (what a second load of
                an unchanged corpus does), after ours and ours-rdf

Run it on a quiet machine: each section prints the load average, and absolute figures
move with it; the ratios of the summary compare loaders measured in the same run.

rdflib-neo4j is not a kg-etl dependency; install it for the benchmark only:
  python3 -m venv bench/.venv-rdflib-neo4j
  bench/.venv-rdflib-neo4j/bin/pip install rdflib-neo4j neo4j-rust-ext
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

import pyoxigraph as ox
from meter import Result, RssSampler, Stopwatch, TimedCalls, load_average, measuring
from neo4j.exceptions import TransientError
from query_profile import QueryProfile
from server import REPO, Server, counts, empty_database
from synthetic import Corpus, make_corpus

import neo4j
from etl.config import Neo4jSettings
from etl.models import LoadReport
from etl.ontology import KG, Ontology, load_ontology
from etl.rdf import fact_quads, quads
from etl.stores.neo4j import CYPHER, Neo4jStore
from etl.stores.oxigraph import OxigraphStore
from etl.stores.rounds import disjoint_rounds

BENCH = Path(__file__).resolve().parent
RDFLIB_VENV_PYTHON = BENCH / ".venv-rdflib-neo4j" / "bin" / "python"
MEASUREMENTS = (
    "ours",
    "naive",
    "rdflib-neo4j",
    "bare",
    "import",
    "ours-rdf",
    "bulk-load",
    "second-load",
)
BARE_BATCH = 10_000
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

T = TypeVar("T")


def chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


@dataclass
class Bench:
    """Everything the measurements share: options, corpus, server, results."""

    args: argparse.Namespace
    corpus: Corpus
    ontology: Ontology
    server: Server
    tmp: Path
    results: dict[str, Result] = field(default_factory=dict)
    _driver: neo4j.Driver | None = None

    @property
    def facts(self) -> int:
        return len(self.corpus.edges)

    @property
    def driver(self) -> neo4j.Driver:
        if self._driver is None:
            self._driver = self.server.driver()
        return self._driver

    def reconnect(self) -> None:
        """After a server restart: a new driver (the old one's connections are dead)."""
        if self._driver is not None:
            self._driver.close()
        self._driver = None

    def empty(self) -> None:
        start = time.perf_counter()
        empty_database(self.driver)
        nodes, rels = counts(self.driver)
        assert nodes == rels == 0, f"database not empty: {nodes} nodes, {rels} relationships"
        print(f"  (database emptied in {time.perf_counter() - start:.1f} s)")

    def fact_rows(self) -> list[tuple[str, str, str]]:
        """(subject IRI, relationship type, object IRI) per fact, in corpus order."""
        types = {name: p.relationship_type for name, p in self.ontology.properties.items()}
        return [(e.subject, types[e.predicate], e.object) for e in self.corpus.edges]

    def add(self, key: str, result: Result) -> Result:
        self.results[key] = result
        print(result.line())
        for note in result.notes:
            print(f"    {note}")
        return result


def section(title: str) -> None:
    print(f"\n== {title}  ({load_average()})", flush=True)


# -- 1. ours: Neo4jStore.write ------------------------------------------------------


def measure_ours(b: Bench, writers: int = 1) -> Neo4jStore:
    """The product's Neo4j loader over batches of documents (its full model)."""
    settings = Neo4jSettings(uri=b.args.uri, writers=writers)
    section(
        f"1. ours: Neo4jStore.write, {b.args.batch_docs} documents a call, "
        f"sent {settings.send_articles} at a time, {writers} writer(s)"
    )
    b.empty()
    store = Neo4jStore(settings, b.ontology)
    report = LoadReport("neo4j")
    result = Result(f"ours (Neo4jStore.write, {writers} writer{'s' * (writers > 1)})", b.facts)
    with QueryProfile(CYPHER) as profile, measuring(result, b.server.pid()):
        for batch in chunks(b.corpus.docs, b.args.batch_docs):
            store.write(batch, report)
        store.flush()  # the last batch is still being sent
    nodes, rels = counts(b.driver)
    result.notes.append(
        f"{report.documents:,} documents; database now {nodes:,} nodes, {rels:,} relationships"
    )
    result.notes.append("time per query (run to consume, summed over batches):")
    result.notes.extend("  " + line for line in profile.breakdown(result.seconds))
    b.add("ours" if writers == 1 else "ours-writers", result)
    return store


def measure_second_load(b: Bench, key: str, store: Any, first: str) -> None:
    """What a second load of the unchanged corpus does: ask the store which are unchanged."""
    articles = b.corpus.articles
    result = Result(f"second load ({store.name}: unchanged)", b.facts)
    unchanged = 0
    pid = b.server.pid() if store.name == "neo4j" else None
    with measuring(result, pid):
        for batch in chunks(articles, b.args.batch_docs):
            unchanged += len(store.unchanged(batch))
    if unchanged != len(articles):
        result.notes.append(f"only {unchanged:,} of {len(articles):,} articles found unchanged!")
    first_seconds = b.results[first].seconds
    result.notes.append(
        f"{len(articles):,} articles checked; {first_seconds / result.seconds:,.1f}x faster "
        f"than the first load ({first_seconds:.1f} s)"
    )
    b.add(key, result)


# -- 2. naive: one MERGE per fact ------------------------------------------------------


def _merge_one(tx: neo4j.ManagedTransaction, query: str, s: str, o: str) -> None:
    tx.run(query, s=s, o=o).consume()


def measure_naive(b: Bench) -> None:
    """One `MERGE (s)-[r:TYPE]->(o)` per fact, one transaction each, on a sample."""
    sample = b.fact_rows()[: b.args.sample]
    section(f"2. naive: one MERGE per fact, one transaction each ({len(sample):,}-fact sample)")
    b.empty()
    b.driver.execute_query(
        "CREATE CONSTRAINT bench_uri IF NOT EXISTS FOR (n:Resource) REQUIRE n.uri IS UNIQUE"
    )
    queries = {
        t: f"MERGE (s:Resource {{uri: $s}}) MERGE (o:Resource {{uri: $o}}) MERGE (s)-[r:{t}]->(o)"
        for t in {row[1] for row in sample}
    }
    result = Result("naive (MERGE per fact, 1 tx each)", len(sample))
    with b.driver.session() as session, measuring(result, b.server.pid()):
        for s, rel_type, o in sample:
            session.execute_write(_merge_one, queries[rel_type], s, o)
    rate = result.rate or 0
    result.notes.append(
        f"sample of {len(sample):,} facts (uniqueness constraint on :Resource(uri) in place); "
        f"{b.facts:,} facts would take ~{b.facts / max(rate, 1e-9) / 3600:.1f} h"
    )
    b.add("naive", result)


# -- 3. rdflib-neo4j -----------------------------------------------------------------


def _rdflib_python(b: Bench) -> str | None:
    if b.args.rdflib_python:
        return str(b.args.rdflib_python)
    if RDFLIB_VENV_PYTHON.exists():
        return str(RDFLIB_VENV_PYTHON)
    if importlib.util.find_spec("rdflib_neo4j") is not None:
        return sys.executable
    return None


def write_triples(b: Bench, path: Path) -> int:
    """The graph as N-Triples, grouped by subject (how rdflib-neo4j batches best):
    each entity's classes (lineage, as Neo4j labels), its label, then its facts."""
    outgoing: dict[str, list[str]] = defaultdict(list)
    for e in b.corpus.edges:
        outgoing[e.subject].append(f"<{e.subject}> <{KG[e.predicate]}> <{e.object}> .\n")
    lines = 0
    with path.open("w", encoding="utf-8") as out:
        for node in b.corpus.mentioned():
            assert '"' not in node.name and "\\" not in node.name
            block = [f"<{node.iri}> <{RDF_TYPE}> <{KG[c]}> .\n" for c in node.classes]
            block.append(f'<{node.iri}> <{RDFS_LABEL}> "{node.name}" .\n')
            block.extend(outgoing.get(node.iri, ()))
            out.writelines(block)
            lines += len(block)
    return lines


def measure_rdflib_neo4j(b: Bench) -> None:
    """Neo4j Labs' rdflib-neo4j store with batching, in its own venv (a subprocess)."""
    section("3. rdflib-neo4j (Neo4j Labs), batching=True")
    python = _rdflib_python(b)
    if python is None:
        b.add(
            "rdflib-neo4j",
            Result(
                "rdflib-neo4j",
                skipped="not installed: python3 -m venv bench/.venv-rdflib-neo4j && "
                "bench/.venv-rdflib-neo4j/bin/pip install rdflib-neo4j neo4j-rust-ext",
            ),
        )
        return
    b.empty()
    path = b.tmp / "rdflib-neo4j.nt"
    triples = write_triples(b, path)
    command = [python, str(BENCH / "rdflib_neo4j_load.py"), str(path), "--uri", b.args.uri]
    with RssSampler(b.server.pid()) as jvm:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"rdflib-neo4j load failed:\n{done.stdout}{done.stderr}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    result = Result("rdflib-neo4j (batching=True)", b.facts, seconds=report["seconds"])
    result.peak_mb, result.server_mb = report["peak_mb"], jvm.peak
    nodes, rels = counts(b.driver)
    result.notes.append(
        f"{triples:,} triples ({report['triples']:,} added; reading them into rdflib terms "
        f"took {report['parse_seconds']:.1f} s, not timed); database now {nodes:,} nodes, "
        f"{rels:,} relationships; peak MB is the loader's own process ({python})"
    )
    b.add("rdflib-neo4j", result)


# -- 4. bare UNWIND ... CREATE ---------------------------------------------------------


class Retries:
    """Transient failures retried, by kind, shared by the writer threads."""

    def __init__(self) -> None:
        self.deadlocks = 0
        self.other = 0
        self._lock = threading.Lock()

    def count(self, exc: TransientError) -> None:
        with self._lock:
            if "Deadlock" in (exc.code or ""):
                self.deadlocks += 1
            else:
                self.other += 1


def run_batch(session: neo4j.Session, query: str, rows: list[dict], retries: Retries) -> None:
    """One batch in its own transaction; on a deadlock (or other transient error) retry."""
    for attempt in range(50):
        try:
            with session.begin_transaction() as tx:
                tx.run(query, rows=rows).consume()
                tx.commit()
            return
        except TransientError as exc:
            retries.count(exc)
            time.sleep(min(0.05 * 2**attempt, 1.0))
    raise RuntimeError("a batch kept failing with transient errors; giving up")


def _create_query(rel_type: str) -> str:
    assert re.fullmatch(r"[A-Z][A-Z0-9_]*", rel_type)
    return (
        "UNWIND $rows AS r MATCH (s:Resource {uri: r.s}) MATCH (o:Resource {uri: r.o}) "
        f"CREATE (s)-[x:{rel_type}]->(o)"
    )


def _batches(rows: Sequence[tuple[str, str, str]]) -> list[tuple[str, list[dict]]]:
    """(query, up to 10,000 rows) per relationship type."""
    by_type: dict[str, list[dict]] = defaultdict(list)
    for s, rel_type, o in rows:
        by_type[rel_type].append({"s": s, "o": o})
    return [
        (_create_query(t), batch)
        for t, typed in sorted(by_type.items())
        for batch in chunks(typed, BARE_BATCH)
    ]


def prepare_bare(b: Bench) -> str:
    """Empty database, a uniqueness constraint, and one :Resource node per entity."""
    b.empty()
    b.driver.execute_query(
        "CREATE CONSTRAINT bench_uri IF NOT EXISTS FOR (n:Resource) REQUIRE n.uri IS UNIQUE"
    )
    start = time.perf_counter()
    uris = [n.iri for n in b.corpus.mentioned()]
    with b.driver.session() as session:
        for batch in chunks(uris, BARE_BATCH):
            session.execute_write(
                lambda tx, rows: tx.run(
                    "UNWIND $rows AS uri CREATE (:Resource {uri: uri})", rows=rows
                ).consume(),
                batch,
            )
    return f"{len(uris):,} nodes created first in {time.perf_counter() - start:.1f} s (not timed)"


def measure_bare_one_writer(b: Bench) -> None:
    section("4a. bare UNWIND ... CREATE, 10,000-row batches, one writer")
    setup = prepare_bare(b)
    batches = _batches(b.fact_rows())
    retries = Retries()
    result = Result("bare CREATE, 1 writer (rels only)", b.facts)
    with b.driver.session() as session, measuring(result, b.server.pid()):
        for query, rows in batches:
            run_batch(session, query, rows, retries)
    result.notes.append(f"{setup}; {len(batches)} batches; relationships only timed")
    result.notes.append(f"retries: {retries.deadlocks} deadlocks, {retries.other} other")
    b.add("bare-1", result)


def measure_bare_with_properties(b: Bench) -> None:
    """The ceiling for writing facts with our provenance: bare CREATE of the product's
    own fact rows (one per distinct fact, its properties included), no mentions or
    articles, nodes created first."""
    section("4c. bare UNWIND ... CREATE with the product's fact properties, one writer")
    setup = prepare_bare(b)
    store = Neo4jStore.__new__(Neo4jStore)  # only its row building, no connection
    store.ontology = b.ontology
    facts = store._fact_rows(b.corpus.docs)  # ends stay IRIs (not resolved)
    by_type: dict[str, list[dict]] = defaultdict(list)
    for fact in facts:
        by_type[fact.type].append({"s": fact.row["s"], "o": fact.row["o"], "p": fact.row["props"]})
    batches = [
        (_create_query(t) + " SET x = r.p", batch)
        for t, typed in sorted(by_type.items())
        for batch in chunks(typed, BARE_BATCH)
    ]
    retries = Retries()
    result = Result("bare CREATE + our properties, 1 writer", b.facts)
    with b.driver.session() as session, measuring(result, b.server.pid()):
        for query, rows in batches:
            run_batch(session, query, rows, retries)
    result.notes.append(
        f"{setup}; {len(facts):,} distinct facts in {len(batches)} batches; "
        "relationships with properties only timed"
    )
    b.add("bare-props", result)


def plan_writers(
    rows: Sequence[tuple[str, str, str]], writers: int = 2
) -> list[list[list[tuple[str, list[dict]]]]]:
    """Rounds; in each, one list of batches per writer. The product's planner
    (etl.stores.rounds) makes the buckets of a round node-disjoint; whole buckets go to
    the writer with the fewest rows so far (batches of one bucket share nodes)."""
    plan = []
    for buckets in disjoint_rounds(rows, lambda row: (row[0], row[2]), writers):
        share: list[list[tuple[str, list[dict]]]] = [[] for _ in range(writers)]
        load = [0] * writers
        for bucket in sorted(buckets, key=len, reverse=True):
            w = min(range(writers), key=load.__getitem__)
            share[w].extend(_batches(bucket))
            load[w] += len(bucket)
        plan.append(share)
    return plan


def measure_bare_two_writers(b: Bench) -> None:
    section("4b. bare UNWIND ... CREATE, two writers on node-disjoint batches (4 groups)")
    setup = prepare_bare(b)
    plan = plan_writers(b.fact_rows())
    retries = Retries()
    idle = [0.0]

    def writer(batches: list[tuple[str, list[dict]]]) -> None:
        with b.driver.session() as session:
            for query, rows in batches:
                run_batch(session, query, rows, retries)

    result = Result("bare CREATE, 2 writers (rels only)", b.facts)
    with measuring(result, b.server.pid()):
        for share in plan:
            threads = [threading.Thread(target=writer, args=(batches,)) for batches in share]
            started = time.perf_counter()
            finished = []
            for t in threads:
                t.start()
            for t in threads:
                t.join()
                finished.append(time.perf_counter() - started)
            idle[0] += max(finished) - min(finished)
    n_batches = sum(len(batches) for share in plan for batches in share)
    result.notes.append(
        f"{setup}; {len(plan)} rounds, {n_batches} batches (<= 10,000 rows; node-disjoint "
        "across writers within a round); relationships only timed"
    )
    result.notes.append(
        f"retries: {retries.deadlocks} deadlocks, {retries.other} other; "
        f"one writer idle at round ends for ~{idle[0]:.1f} s in all"
    )
    _, rels = counts(b.driver)
    assert rels == b.facts, f"{rels} relationships for {b.facts} facts"
    b.add("bare-2", result)


# -- 5. export + neo4j-admin import ----------------------------------------------------


def _admin_pids() -> list[int]:
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if b"org.neo4j.cli.AdminTool" in (proc / "cmdline").read_bytes():
                    pids.append(int(proc.name))
            except OSError:
                continue
    return pids


class AdminSampler(RssSampler):
    """Peak RSS of whichever neo4j-admin JVM runs while it is active."""

    def _run(self) -> None:
        from meter import rss_mb

        while True:
            for pid in _admin_pids():
                if (mb := rss_mb(pid)) is not None:
                    self.peak = max(self.peak or 0.0, mb)
            if self._stop.wait(self.every):
                return


def _exporter(b: Bench) -> tuple[str, Callable[[Path], object]] | None:
    """How the product writes neo4j-admin CSV files, if it can yet: from the documents
    (`write_neo4j_import`), else from the embedded store (`export_neo4j_import`)."""
    try:
        from etl import export
    except ImportError:
        return None
    if hasattr(export, "write_neo4j_import"):
        return "write_neo4j_import(docs)", lambda folder: export.write_neo4j_import(
            b.corpus.docs, folder, b.ontology
        )
    if hasattr(export, "export_neo4j_import"):
        store_path = rdf_store(b)
        return "export_neo4j_import(embedded store)", lambda folder: export.export_neo4j_import(
            store_path, folder, b.ontology
        )
    return None


def rdf_store(b: Bench) -> Path:
    """The embedded store holding the corpus (written by ours-rdf, else here, not timed)."""
    folder = b.tmp / "oxigraph-ours"
    if not (folder / "CURRENT").exists():
        print("  (loading the corpus into an embedded store to export from: not timed)")
        store = OxigraphStore(folder, b.ontology)
        for batch in chunks(b.corpus.docs, b.args.batch_docs):
            store.write(batch, LoadReport("rdf"))
        store.close()
    return folder


def measure_export_import(b: Bench) -> None:
    section("5. export (etl.export) + scripts/neo4j.sh import")
    exporter = _exporter(b)
    if exporter is None:
        for key, name in (("export", "export"), ("import", "export + import")):
            b.add(key, Result(name, skipped="not available yet (no etl.export.write_neo4j_import)"))
        return
    how, write = exporter
    folder = b.tmp / "neo4j-import"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    export = Result("export (etl.export)", b.facts)
    with measuring(export):
        write(folder)
    files = sorted(folder.glob("*.csv"))
    size = sum(f.stat().st_size for f in files) / 2**20
    export.notes.append(f"{how}: {len(files)} CSV files, {size:,.0f} MB in {folder}")
    b.add("export", export)

    b.reconnect()
    imported = Result("import (scripts/neo4j.sh import)", b.facts, server_label="neo4j-admin")
    with AdminSampler(None) as admin:
        start = time.perf_counter()
        b.server.script("stop")  # what `import` does first; timed apart to show it
        stopped = time.perf_counter()
        done = b.server.script("import", str(folder), *b.args.import_args)
        imported.seconds = time.perf_counter() - start
    imported.server_mb = admin.peak
    said = re.search(r"IMPORT DONE in ([^.\n]*)", done.stdout + done.stderr)
    imported.notes.append(
        f"server stop {stopped - start:.1f} s, then neo4j-admin database import full and "
        f"server start {imported.seconds - (stopped - start):.1f} s"
        + (f" (neo4j-admin said IMPORT DONE in {said.group(1)})" if said else "")
    )
    nodes, rels = counts(b.driver)
    imported.notes.append(f"database now {nodes:,} nodes, {rels:,} relationships")
    b.add("import-only", imported)
    total = Result("export + import", b.facts, seconds=export.seconds + imported.seconds)
    total.notes.append(f"exported with {how}")
    total.peak_mb, total.server_mb, total.server_label = export.peak_mb, admin.peak, "neo4j-admin"
    b.add("import", total)


# -- 6. ours RDF: OxigraphStore.write --------------------------------------------------


def measure_ours_rdf(b: Bench) -> OxigraphStore:
    section(f"6. ours RDF: OxigraphStore.write, {b.args.batch_docs} documents a batch")
    folder = b.tmp / "oxigraph-ours"
    shutil.rmtree(folder, ignore_errors=True)
    store = OxigraphStore(folder, b.ontology)  # installs the ontology graph: not timed
    report = LoadReport("rdf")
    result = Result("ours RDF (OxigraphStore.write)", b.facts)
    # Time the store's own steps: delete() (retraction) and each call into pyoxigraph.
    watch, raw, delete = Stopwatch(), store.store, store.delete
    store.store = TimedCalls(raw, watch, "pyoxigraph")  # type: ignore[assignment]
    store.delete = lambda doc_id: TimedCalls.call(watch, "delete (retract)", delete, doc_id)  # type: ignore[method-assign]
    try:
        with measuring(result):
            for batch in chunks(b.corpus.docs, b.args.batch_docs):
                store.write(batch, report)
    finally:
        store.store, store.delete = raw, delete  # type: ignore[method-assign]
    result.notes.append(f"{len(store.store):,} quads in the store (ontology graph included)")
    result.notes.append("time per step (summed over documents):")
    result.notes.extend(
        "  " + line for line in watch.breakdown(result.seconds, "(python: building quads, etc.)")
    )
    b.add("ours-rdf", result)
    return store


# -- 7. raw pyoxigraph bulk_load -------------------------------------------------------


def measure_bulk_load(b: Bench) -> None:
    section("7. raw pyoxigraph Store.bulk_load of the same quads (N-Quads)")
    path = b.tmp / "corpus.nq"
    start = time.perf_counter()

    def all_quads() -> Iterator[ox.Quad]:
        for doc in b.corpus.docs:
            yield from quads(doc, b.ontology)
            yield from fact_quads(doc, b.ontology)

    ox.serialize(all_quads(), output=str(path), format=ox.RdfFormat.N_QUADS)
    serialised = time.perf_counter() - start
    folder = b.tmp / "oxigraph-bulk"
    shutil.rmtree(folder, ignore_errors=True)
    store = ox.Store(str(folder))
    result = Result("raw pyoxigraph bulk_load", b.facts)
    with measuring(result):
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
        store.flush()
    result.notes.append(
        f"{len(store):,} quads, {path.stat().st_size / 2**20:,.0f} MB of N-Quads "
        f"(serialised in {serialised:.1f} s, not timed)"
    )
    del store
    shutil.rmtree(folder, ignore_errors=True)
    path.unlink()
    b.add("bulk-load", result)


# -- Summary -------------------------------------------------------------------------


def ratio(b: Bench, a: str, c: str) -> float | None:
    ra, rc = (b.results.get(k) for k in (a, c))
    if ra is None or rc is None or ra.rate is None or rc.rate is None:
        return None
    return ra.rate / rc.rate


def best_ours(b: Bench) -> str:
    """Ours with one writer or with --writers, whichever was faster."""
    rates = {k: b.results[k].rate or 0 for k in ("ours", "ours-writers") if k in b.results}
    return max(rates, key=rates.__getitem__, default="ours")


def speedup(b: Bench, second: str, first: str) -> float | None:
    rs, rf = b.results.get(second), b.results.get(first)
    if rs is None or rf is None or rs.skipped or rf.skipped or rs.seconds <= 0:
        return None
    return rf.seconds / rs.seconds


def summary(b: Bench) -> None:
    section("Summary")
    for result in b.results.values():
        print(result.line())
    print("\nTargets")
    targets: list[tuple[str, Callable[[], float | None], float]] = [
        ("ours >= 2x rdflib-neo4j", lambda: ratio(b, "ours", "rdflib-neo4j"), 2),
        ("ours >= 100x naive", lambda: ratio(b, "ours", "naive"), 100),
        ("ours >= 0.75x bare CREATE, 1 writer", lambda: ratio(b, "ours", "bare-1"), 0.75),
        ("ours >= 0.75x bare CREATE, 2 writers", lambda: ratio(b, best_ours(b), "bare-2"), 0.75),
        ("export+import >= 4x rdflib-neo4j", lambda: ratio(b, "import", "rdflib-neo4j"), 4),
        ("second load >= 20x first (Neo4j)", lambda: speedup(b, "second-neo4j", "ours"), 20),
        ("second load >= 20x first (RDF)", lambda: speedup(b, "second-rdf", "ours-rdf"), 20),
        ("our RDF >= 0.7x raw bulk_load", lambda: ratio(b, "ours-rdf", "bulk-load"), 0.7),
    ]
    for name, value, target in targets:
        got = value()
        verdict = "n/a " if got is None else ("PASS" if got >= target else "FAIL")
        shown = "-" if got is None else f"{got:,.2f}x"
        print(f"  {verdict}  {name:40} {shown:>10}")


# -- Main ------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--facts", type=int, default=1_000_000)
    ap.add_argument("--entities", type=int, default=100_000)
    ap.add_argument("--articles", type=int, help="default: facts / 20")
    ap.add_argument("--seed", type=int, default=20261201)
    ap.add_argument("--skew", type=float, default=0.6, help="Zipf exponent of entity choice")
    ap.add_argument("--batch-docs", type=int, default=1000, help="documents per write()")
    ap.add_argument("--sample", type=int, default=2000, help="facts for the naive loader")
    ap.add_argument("--writers", type=int, default=2, help="also measure ours with N writers")
    ap.add_argument("--skip", nargs="*", default=[], choices=MEASUREMENTS, metavar="NAME")
    ap.add_argument("--uri", default="bolt://127.0.0.1:7687")
    ap.add_argument(
        "--neo4j-home",
        type=Path,
        default=Path(os.environ.get("NEO4J_HOME_DIR") or REPO / ".neo4j"),
        help="home of the server at --uri (for import and restarts) [repo .neo4j]",
    )
    ap.add_argument("--http-port", type=int, default=int(os.environ.get("NEO4J_HTTP_PORT", 7474)))
    ap.add_argument("--heap", help="restart the server with this heap first (e.g. 2g)")
    ap.add_argument("--pagecache", help="restart the server with this page cache first")
    ap.add_argument(
        "--import-args",
        nargs="*",
        default=["--array-delimiter=U+001F", "--multiline-fields=true"],
        help="extra neo4j-admin import options (as `make neo4j-import`)",
    )
    ap.add_argument("--rdflib-python", type=Path, help="python that has rdflib-neo4j")
    ap.add_argument("--tmp", type=Path, help="work folder [a new temporary folder]")
    args = ap.parse_args(argv)
    args.articles = args.articles or max(1, args.facts // 20)
    return args


def prepare_server(b: Bench) -> None:
    server = b.server
    if b.args.heap or b.args.pagecache:
        print(f"(re)starting Neo4j with heap {server.heap}, page cache {server.pagecache}")
        server.restart()
    elif not server.running():
        print("starting Neo4j")
        server.start()
    version = b.driver.execute_query(
        "CALL dbms.components() YIELD name, versions, edition "
        "RETURN name + ' ' + versions[0] + ' ' + edition AS v"
    ).records[0]["v"]
    jvm = b.server.pid()
    print(f"server: {version} at {b.args.uri} ({server.memory()}), JVM pid {jvm or 'unknown'}")


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    ontology = load_ontology()
    print(
        f"kg-etl {version('kg-etl')} load benchmark: {args.facts:,} facts over "
        f"{args.entities:,} entities in {args.articles:,} articles (seed {args.seed}); "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
    )
    t0 = time.perf_counter()
    corpus = make_corpus(args.facts, args.entities, args.articles, args.seed, args.skew, ontology)
    distinct = len({(e.subject, e.predicate, e.object) for e in corpus.edges})
    print(
        f"corpus generated in {time.perf_counter() - t0:.1f} s: {len(corpus.docs):,} documents, "
        f"{len(corpus.edges):,} facts ({distinct:,} distinct), "
        f"{len(corpus.mentioned()):,} entities mentioned"
    )
    tmp = args.tmp or Path(tempfile.mkdtemp(prefix="kg-load-bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    server = Server(args.uri, args.neo4j_home, args.http_port, args.heap, args.pagecache)
    b = Bench(args, corpus, ontology, server, tmp)
    skip = set(args.skip)
    try:
        prepare_server(b)
        if "ours" not in skip:
            if args.writers > 1:
                measure_ours(b, args.writers).close()
            store = measure_ours(b)
            if "second-load" not in skip:
                measure_second_load(b, "second-neo4j", store, "ours")
            store.close()
        if "naive" not in skip:
            measure_naive(b)
        if "rdflib-neo4j" not in skip:
            measure_rdflib_neo4j(b)
        if "bare" not in skip:
            measure_bare_one_writer(b)
            measure_bare_two_writers(b)
            measure_bare_with_properties(b)
        if "ours-rdf" not in skip:
            rdf = measure_ours_rdf(b)
            if "second-load" not in skip:
                measure_second_load(b, "second-rdf", rdf, "ours-rdf")
            rdf.close()
        if "import" not in skip:
            measure_export_import(b)
        shutil.rmtree(tmp / "oxigraph-ours", ignore_errors=True)
        if "bulk-load" not in skip:
            measure_bulk_load(b)
        summary(b)
    finally:
        if args.tmp is None:
            shutil.rmtree(tmp, ignore_errors=True)
        if b._driver is not None:
            try:
                empty_database(b.driver)  # leave none of the benchmark's data behind
            except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError) as exc:
                print(f"(could not empty the database at the end: {exc})")
            b.driver.close()
    print(f"\n(benchmark took {time.perf_counter() - started:.0f} s in all)")


if __name__ == "__main__":
    main()
