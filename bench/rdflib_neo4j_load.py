"""Load an N-Triples file into Neo4j with Neo4j Labs' rdflib-neo4j store (batching on).

    python bench/rdflib_neo4j_load.py TRIPLES.nt --uri bolt://127.0.0.1:7687

Runs in its own venv (bench/.venv-rdflib-neo4j) so rdflib-neo4j never becomes a
dependency of kg-etl; it imports neither etl nor anything of the benchmark. The file's
lines are turned into rdflib terms first (not timed: kg-etl's loaders also start from
objects in memory); then each triple is added to a Graph backed by the store and the
graph is closed (the last batches are committed). Prints one JSON line: seconds, triples,
and this process's peak resident memory.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import time
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib_neo4j import HANDLE_VOCAB_URI_STRATEGY, Neo4jStore, Neo4jStoreConfig

# The file is written by load_bench.py: `<s> <p> <o> .` or `<s> <p> "text" .`, no escapes.
LINE = re.compile(r'<([^>]*)> <([^>]*)> (?:<([^>]*)>|"([^"]*)") \.')


def read_triples(path: Path) -> list[tuple[URIRef, URIRef, URIRef | Literal]]:
    triples = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            m = LINE.fullmatch(line.rstrip("\n"))
            if m is None:
                raise ValueError(f"{path}: not a triple this reader knows: {line!r}")
            s, p, o, text = m.groups()
            triples.append((URIRef(s), URIRef(p), URIRef(o) if o is not None else Literal(text)))
    return triples


def peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("triples", type=Path)
    ap.add_argument("--uri", default="bolt://127.0.0.1:7687")
    ap.add_argument("--database", default="neo4j")
    ap.add_argument("--batch-size", type=int, default=5000, help="the store's default")
    args = ap.parse_args()

    parse_start = time.perf_counter()
    triples = read_triples(args.triples)
    parse_seconds = time.perf_counter() - parse_start

    # The server runs without authentication; the store insists on all four keys and
    # the server accepts any credentials then.
    config = Neo4jStoreConfig(
        auth_data={"uri": args.uri, "database": args.database, "user": "neo4j", "pwd": "unused"},
        handle_vocab_uri_strategy=HANDLE_VOCAB_URI_STRATEGY.IGNORE,
        batching=True,
        batch_size=args.batch_size,
    )
    chatter = io.StringIO()  # the store prints on open and close
    start = time.perf_counter()
    with contextlib.redirect_stdout(chatter):
        graph = Graph(store=Neo4jStore(config=config))
        for triple in triples:
            graph.add(triple)
        graph.close(True)
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "seconds": seconds,
                "triples": len(triples),
                "parse_seconds": parse_seconds,
                "peak_mb": peak_mb(),
                "store_said": " | ".join(x.strip() for x in chatter.getvalue().splitlines() if x),
            }
        )
    )


if __name__ == "__main__":
    main()
