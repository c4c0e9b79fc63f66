"""Extraction: articles in, `Extraction`s (linked mentions and facts) out.

Long articles are cut into chunks at line breaks so memory stays bounded and spaCy's
length limit never trips; offsets are mapped back onto the whole article.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from etl.models import Article, Entity, Extraction, Fact, Mention
from etl.ontology import Ontology, load_ontology

if TYPE_CHECKING:
    from spacy.tokens import Doc

CHUNK_CHARS = 5_000
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Extractor:
    """Runs the kg-etl spaCy pipeline over articles."""

    def __init__(
        self, model: str, ontology: Ontology | None = None, workers: int = 1, batch_size: int = 64
    ):
        from etl.extraction.pipeline import build_pipeline

        self.ontology = ontology or load_ontology()
        self.nlp = build_pipeline(model, self.ontology)
        self.workers = max(1, workers)
        self.batch_size = batch_size

    def extract(self, articles: Iterable[Article]) -> Iterator[Extraction]:
        """One `Extraction` per article, in input order, streaming."""
        pending: dict[int, tuple[Article, int]] = {}  # article number → (article, chunks)

        def chunks() -> Iterator[tuple[str, tuple[int, int]]]:
            for number, article in enumerate(articles):
                parts = list(split_text(CONTROL.sub(" ", article.text)))
                pending[number] = (article, len(parts))
                for offset, part in parts:
                    yield part, (number, offset)

        current: Extraction | None = None
        seen = 0
        docs = self.nlp.pipe(
            chunks(), as_tuples=True, batch_size=self.batch_size, n_process=self.workers
        )
        for doc, (number, offset) in docs:
            article, total = pending[number]
            if current is None or current.article is not article:
                current, seen = Extraction(article), 0
            self._collect(doc, offset, current)
            seen += 1
            if seen == total:
                del pending[number]
                yield current

    def _collect(self, doc: Doc, offset: int, into: Extraction) -> None:
        names = doc._.kg_names or {}
        by_span: dict[tuple[int, int], Mention] = {}
        for ent in doc.ents:
            entry = self.ontology.by_iri.get(ent.kb_id_)
            label = entry.label if entry else names.get(ent.kb_id_, ent.text)
            mention = Mention(
                Entity(ent.kb_id_, label, ent.label_),
                ent.text,
                offset + ent.start_char,
                offset + ent.end_char,
            )
            by_span[(ent.start_char, ent.end_char)] = mention
            into.mentions.append(mention)
        for pred, ss, se, os_, oe, start, end, conf in doc._.kg_facts or ():
            into.facts.append(
                Fact(
                    pred,
                    by_span[(ss, se)],
                    by_span[(os_, oe)],
                    doc.text[start:end].strip(),
                    offset + start,
                    offset + end,
                    conf,
                )
            )


def split_text(text: str, limit: int = CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """(offset, chunk) pairs of at most `limit` characters, cut at line breaks if possible."""
    if not text:
        yield 0, text
    start = 0
    while start < len(text):
        end = min(len(text), start + limit)
        if end < len(text):
            cut = text.rfind("\n", start, end)
            if cut <= start:
                cut = text.rfind(" ", start, end)
            end = cut + 1 if cut > start else end
        yield start, text[start:end]
        start = end
