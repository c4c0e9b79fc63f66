"""Extraction throughput: kg-etl's pipeline against bare `nlp.pipe` of the same model.

    python bench/extract_speed.py [CORPUS.jsonl|FOLDER ...] [--repeat N] [--workers N]

Both sides process the same texts with the same process count; model loading is not
timed. Prints documents and characters per second for each, and their ratio.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import spacy

from etl.config import DEFAULT_MODEL
from etl.extraction import Extractor
from etl.models import Article
from etl.read import read_articles

DEFAULT_CORPUS = Path(__file__).parent.parent / "samples"


def _timed(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("paths", nargs="*", default=[str(DEFAULT_CORPUS)])
    ap.add_argument("--repeat", type=int, default=3, help="passes over the corpus per run")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=3, help="timed runs of each; the best counts")
    ap.add_argument("--model", default=DEFAULT_MODEL)
    args = ap.parse_args()

    articles = [a for a in read_articles(args.paths) if isinstance(a, Article)] * args.repeat
    texts = [a.text for a in articles]
    chars = sum(map(len, texts))
    bare = spacy.load(args.model)
    extractor = Extractor(args.model, workers=args.workers)

    # Alternate the two and keep each one's best of --rounds, so warm-up and noise from
    # other work on the machine do not favour either side.
    times: dict[str, list[float]] = {"bare nlp.pipe": [], "kg-etl extract": []}
    for _ in range(args.rounds):
        times["bare nlp.pipe"].append(
            _timed(lambda: list(bare.pipe(texts, n_process=args.workers, batch_size=64)))
        )
        times["kg-etl extract"].append(_timed(lambda: list(extractor.extract(articles))))
    t_bare, t_ours = min(times["bare nlp.pipe"]), min(times["kg-etl extract"])
    print(f"corpus: {len(texts)} documents, {chars:,} characters, {args.workers} process(es)")
    for name, seconds in (("bare nlp.pipe", t_bare), ("kg-etl extract", t_ours)):
        print(
            f"{name:15} {seconds:7.2f} s  {len(texts) / seconds:8.1f} docs/s  "
            f"{chars / seconds:10,.0f} chars/s"
        )
    print(f"kg-etl throughput / bare throughput: {t_bare / t_ours:.2f}")


if __name__ == "__main__":
    main()
