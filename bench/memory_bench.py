"""Peak memory of `etl load` against corpus size: does loading stream?

    .venv/bin/python bench/memory_bench.py [--sizes 1000 10000 100000] [--seed 7]
        [--batch-size 500] [--limit-gb 1.5] [--keep DIR]

For each size N, writes N short synthetic news articles to a JSONL file in a temporary
folder (deterministic from --seed), then runs `etl load FILE --store DIR --format json`
(embedded RDF store only, no Neo4j) in a fresh store as a child process. Every 0.5 s it
reads VmHWM (the kernel's high-water mark of resident memory) from /proc/<pid>/status of
the child and of all its descendants; the child's own rusage peak from wait4 is taken in
too, so growth in the last half second is not missed. The peak of a run is the sum over
the process tree of each process's high-water mark (with no worker processes, which is
the default, that is simply the CLI's own peak).

Articles are 2-4 sentences from a few templates of our own ("X fighters captured Y on
Tuesday after clashes with Z."), naming people, armed groups and towns made of random
syllables (new names keep appearing as the corpus grows, as in news: about N/5 names of
each kind) mixed with places and groups the knowledge base knows (Aleppo, Idlib, Hayat
Tahrir al-Sham...), so the linker and the relation rules fire.

Prints one row per size (articles, seconds, articles/s, facts loaded, peak RSS MB) and
whether the peak at the largest size is within --limit-gb, and how it grew from the
smallest size to the largest. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from synthetic import SYLLABLES

REPO = Path(__file__).resolve().parent.parent
ETL = REPO / ".venv" / "bin" / "etl"

# Names the knowledge base knows (ontology/kb/places.ttl, armed-groups.ttl).
KB_PLACES = (
    "Aleppo",
    "Idlib",
    "Hama",
    "Homs",
    "Damascus",
    "Latakia",
    "Daraa",
    "Raqqa",
    "Deir ez-Zor",
    "Qamishli",
    "Eastern Ghouta",
    "Jabal al-Zawiya",
)
KB_GROUPS = (
    "Hayat Tahrir al-Sham",
    "Syrian National Army",
    "Syrian Democratic Forces",
    "Islamic State",
    "Free Syrian Army",
    "Ahrar al-Sham",
    "Jaysh al-Islam",
    "Hezbollah",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
GROUP_FORMS = ("{} Brigade", "{} Front", "{} Battalion", "Liwa {}")
# Our own sentence templates: g = armed group, p = person, t = place.
TEMPLATES = (
    "{g1} fighters captured {t1} on {day} after clashes with {g2}.",
    "{p1}, the commander of {g1}, said his forces had shelled {t1}.",
    "{g1} advanced towards {t1} late on {day}, residents said.",
    "{g1} and {g2} joined forces outside {t1} on {day}.",
    "Shells fired by {g1} hit {t1} overnight, killing {n} civilians.",
    "{g1} still controls {t1}, according to local monitors.",
    "{p1}, a senior figure in {g1}, told reporters the road to {t1} was cut.",
    "Fighting between {g1} and {g2} near {t1} continued into {day}.",
)
SAMPLE_EVERY = 0.5  # seconds


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


@dataclass
class Names:
    """Pools of synthetic names; draws mix in KB names with probability `kb_share`."""

    people: list[str]
    groups: list[str]
    places: list[str]
    kb_share: float = 0.4

    @classmethod
    def make(cls, rng: random.Random, per_kind: int) -> Names:
        people = [f"{_word(rng)} {_word(rng)}" for _ in range(per_kind)]
        groups = [rng.choice(GROUP_FORMS).format(_word(rng)) for _ in range(per_kind)]
        places = [_word(rng) for _ in range(per_kind)]
        return cls(people, groups, places)

    def group(self, rng: random.Random) -> str:
        return rng.choice(KB_GROUPS if rng.random() < self.kb_share else self.groups)

    def place(self, rng: random.Random) -> str:
        return rng.choice(KB_PLACES if rng.random() < self.kb_share else self.places)


def _sentence(rng: random.Random, names: Names) -> str:
    g1 = names.group(rng)
    g2 = names.group(rng)
    while g2 == g1:
        g2 = names.group(rng)
    return rng.choice(TEMPLATES).format(
        g1=g1,
        g2=g2,
        p1=rng.choice(names.people),
        t1=names.place(rng),
        day=rng.choice(DAYS),
        n=rng.randint(2, 40),
    )


def write_corpus(path: Path, articles: int, seed: int) -> int:
    """N articles as JSONL at `path`, the same for the same (articles, seed); its bytes."""
    rng = random.Random(f"{seed}-{articles}")
    names = Names.make(rng, max(200, articles // 5))
    with path.open("w", encoding="utf-8") as out:
        for a in range(articles):
            text = " ".join(_sentence(rng, names) for _ in range(rng.randint(2, 4)))
            record = {
                "id": f"mem-{a:07d}",
                "title": f"Clashes reported near {names.place(rng)}",
                "url": f"https://news.example.org/mem/{a}",
                "published": f"2024-{1 + a % 12:02d}-{1 + a % 28:02d}",
                "text": text,
            }
            out.write(json.dumps(record) + "\n")
    return path.stat().st_size


def _status_kb(pid: int, key: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _descendants(root: int) -> set[int]:
    """`root` and every process below it, from the parent ids in /proc/*/stat."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = {root}, [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in tree:
                tree.add(child)
                todo.append(child)
    return tree


class TreePeak:
    """Samples VmHWM of a process tree every `every` seconds; `mb` is the summed peaks."""

    def __init__(self, root: int, every: float = SAMPLE_EVERY):
        self.root, self.every = root, every
        self.hwm_kb: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.every)

    def sample(self) -> None:
        for pid in _descendants(self.root):
            kb = _status_kb(pid, "VmHWM")
            if kb is not None:
                self.hwm_kb[pid] = max(kb, self.hwm_kb.get(pid, 0))

    def stop(self, root_maxrss_kb: int) -> None:
        self._stop.set()
        self._thread.join()
        # wait4's ru_maxrss covers the root's final peak, after the last sample.
        self.hwm_kb[self.root] = max(root_maxrss_kb, self.hwm_kb.get(self.root, 0))

    @property
    def mb(self) -> float:
        return sum(self.hwm_kb.values()) / 1024

    @property
    def processes(self) -> int:
        return len(self.hwm_kb)


@dataclass
class Run:
    articles: int
    corpus_mb: float
    seconds: float
    peak_mb: float
    processes: int
    facts: int | None
    entities: int | None
    documents: int | None


def _summary(stdout: str) -> dict[str, Any] | None:
    try:
        return json.loads(stdout[stdout.index("{") :])
    except ValueError:
        return None


def run_load(articles: int, seed: int, batch_size: int, folder: Path) -> Run:
    corpus = folder / f"news-{articles}.jsonl"
    size = write_corpus(corpus, articles, seed)
    store = folder / f"store-{articles}"
    out_path, err_path = folder / f"out-{articles}.txt", folder / f"err-{articles}.txt"
    command = [str(ETL), "load", str(corpus), "--store", str(store), "--format", "json"]
    command += ["--batch-size", str(batch_size)]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "ETL_STORE"))}
    with out_path.open("w") as out, err_path.open("w") as err:
        start = time.perf_counter()
        pid = os.posix_spawn(command[0], command, env, file_actions=_redirect(out, err))
        peak = TreePeak(pid)
        _, status, usage = os.wait4(pid, 0)
        seconds = time.perf_counter() - start
        peak.stop(usage.ru_maxrss)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"etl load exited with {code} at {articles} articles:\n{err_path.read_text()}")
    summary = _summary(out_path.read_text())
    facts = entities = documents = None
    if summary and summary.get("stores"):
        rdf = summary["stores"][0]
        facts = sum(rdf.get("facts", {}).values())
        entities, documents = rdf.get("entities"), rdf.get("documents")
    return Run(articles, size / 2**20, seconds, peak.mb, peak.processes, facts, entities, documents)


def _redirect(out: IO[str], err: IO[str]) -> list[tuple[int, int, int]]:
    return [(os.POSIX_SPAWN_DUP2, out.fileno(), 1), (os.POSIX_SPAWN_DUP2, err.fileno(), 2)]


def _print_table(runs: list[Run]) -> None:
    header = (
        f"{'articles':>9} {'corpus MB':>9} {'seconds':>9} {'articles/s':>10} "
        f"{'facts':>9} {'entities':>9} {'peak RSS MB':>11} {'procs':>5}"
    )
    print(header)
    print("-" * len(header))
    for r in runs:
        print(
            f"{r.articles:>9} {r.corpus_mb:>9.1f} {r.seconds:>9.1f} "
            f"{r.articles / r.seconds:>10.1f} {r.facts if r.facts is not None else '?':>9} "
            f"{r.entities if r.entities is not None else '?':>9} "
            f"{r.peak_mb:>11.1f} {r.processes:>5}"
        )


def _verdict(runs: list[Run], limit_gb: float) -> None:
    small, large = min(runs, key=lambda r: r.articles), max(runs, key=lambda r: r.articles)
    limit_mb = limit_gb * 1024
    within = "within" if large.peak_mb <= limit_mb else "OVER"
    print(
        f"\npeak at {large.articles} articles: {large.peak_mb:.1f} MB, "
        f"{within} the {limit_gb:g} GB limit ({limit_mb:.0f} MB)"
    )
    if large is not small:
        growth = large.peak_mb - small.peak_mb
        ratio = large.articles / small.articles
        per_k = growth / (large.articles - small.articles) * 1000
        print(
            f"from {small.articles} to {large.articles} articles (x{ratio:g}): peak "
            f"{small.peak_mb:.1f} -> {large.peak_mb:.1f} MB ({growth:+.1f} MB, "
            f"x{large.peak_mb / small.peak_mb:.2f}; {per_k:+.2f} MB per 1000 articles)"
        )
    for r in runs:
        if r.documents is not None and r.documents != r.articles:
            print(f"note: {r.articles} articles but {r.documents} documents written")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--limit-gb", type=float, default=1.5)
    parser.add_argument("--keep", type=Path, help="folder to keep corpora and stores in")
    args = parser.parse_args()
    runs = []
    with tempfile.TemporaryDirectory(prefix="memory-bench-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for n in sorted(args.sizes):
            print(f"loading {n} articles...", file=sys.stderr, flush=True)
            runs.append(run_load(n, args.seed, args.batch_size, folder))
            r = runs[-1]
            print(
                f"  {r.seconds:.1f} s, peak {r.peak_mb:.1f} MB, {r.facts} facts",
                file=sys.stderr,
                flush=True,
            )
    _print_table(runs)
    _verdict(runs, args.limit_gb)


if __name__ == "__main__":
    main()
