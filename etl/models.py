"""Plain dataclasses handed from one stage to the next: read → extract → map → load."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class Article:
    """One news article as read from a file, a JSONL line or stdin."""

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    published: str | None = None
    source: str = ""  # where it was read from, "file" or "file:line", for messages

    @cached_property  # asked by every store for every article: hash the text once
    def content_hash(self) -> str:
        """sha256 over everything that changes what the article says."""
        h = hashlib.sha256()
        for part in (self.title, self.url, self.published, self.text):
            h.update((part or "").encode("utf-8"))
            h.update(b"\x00")
        return h.hexdigest()


@dataclass(frozen=True)
class ReadProblem:
    """An input that could not be read, reported as `source: reason`."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


@dataclass(frozen=True)
class Entity:
    """An ontology individual: a KB entry, or a new one minted from a name."""

    iri: str
    label: str
    type: str  # local name of its most specific ontology class


@dataclass(frozen=True)
class Mention:
    """A span of the article text that names an entity."""

    entity: Entity
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Fact:
    """A statement `subject predicate object` with the sentence that supports it."""

    predicate: str  # local name of the ontology property
    subject: Mention
    object: Mention
    sentence: str
    start: int  # character offsets of the sentence in the article text
    end: int
    confidence: float


@dataclass
class Extraction:
    """What the extractor found in one article."""

    article: Article
    mentions: list[Mention] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)

    @property
    def entities(self) -> list[Entity]:
        """Distinct entities, in order of first mention."""
        return list(dict.fromkeys(m.entity for m in self.mentions))

    def records(self) -> list[dict[str, object]]:
        """The JSONL records of `etl extract --format jsonl` (read by eval/score.py)."""
        doc = self.article.id

        def end(m: Mention) -> dict[str, object]:
            return {
                "iri": m.entity.iri,
                "label": m.entity.label,
                "type": m.entity.type,
                "text": m.text,
            }

        rows: list[dict[str, object]] = [
            {"doc": doc, "kind": "entity", **end(m), "start": m.start, "end": m.end}
            for m in self.mentions
        ]
        rows += [
            {
                "doc": doc,
                "kind": "relation",
                "predicate": f.predicate,
                "subject": end(f.subject),
                "object": end(f.object),
                "sentence": f.sentence,
                "start": f.start,
                "end": f.end,
                "confidence": f.confidence,
            }
            for f in self.facts
        ]
        return rows


@dataclass(frozen=True)
class Node:
    """An entity as the stores hold it."""

    iri: str
    name: str
    classes: tuple[str, ...]  # most specific first, then every superclass
    aliases: tuple[str, ...] = ()
    wikidata: str | None = None


@dataclass(frozen=True)
class Edge:
    """One piece of evidence for a fact, as the stores hold it."""

    subject: str
    predicate: str  # property local name
    object: str
    sentence: str
    start: int
    end: int
    confidence: float


@dataclass
class GraphDoc:
    """One article mapped onto the ontology: its entities and its facts."""

    article: Article
    nodes: list[Node]
    edges: list[Edge]


@dataclass
class LoadReport:
    """What one store received in a run."""

    store: str
    documents: int = 0
    entities: set[str] = field(default_factory=set)
    facts: Counter[str] = field(default_factory=Counter)
    skipped: int = 0  # unchanged documents
    detail: dict[str, int] = field(default_factory=dict)

    def count(self, doc: GraphDoc) -> None:
        """Add a written document: its entities, and each distinct fact by predicate."""
        self.documents += 1
        self.entities.update(n.iri for n in doc.nodes)
        self.facts.update(p for _, p, _ in {(e.subject, e.predicate, e.object) for e in doc.edges})

    def as_dict(self) -> dict[str, object]:
        return {
            "store": self.store,
            "documents": self.documents,
            "skipped": self.skipped,
            "entities": len(self.entities),
            "facts": dict(sorted(self.facts.items())),
            **self.detail,
        }
