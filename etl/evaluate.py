"""Score `etl extract --format jsonl` output against a hand-annotated gold set.

Users annotate their own articles in the gold format of the shared evaluation (one JSON
object per article: "id", "entities" by canonical name, "triples" with lists of
acceptable subjects and objects, some marked "optional") and measure the extractor on
them. The rules are those of the shared scorer, so numbers from both agree:

- Facts and entities are sets per document: a knowledge graph holds a fact once, however
  often the article repeats it.
- Any one listed alternative of a gold subject or object counts; an "optional" gold fact
  is neither missed when absent nor wrong when found.
- alliedWith and foughtWith (the ontology's symmetric properties) match in either
  direction, and predicting both directions is one fact.
- Predicate names compare without case and separators (captured, CAPTURED, located_between).
- Names compare after normalising case, accents, apostrophes, hyphens and punctuation and
  a leading "the"; an alias table maps them to canonical names. Without an aliases file
  the knowledge base is the table (each entry's label and its aliases).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from etl.errors import DataFileError, InputError
from etl.ontology import Ontology, load_ontology

Fact = tuple[str, str, str]  # (predicate, subject, object), all normalised / canonical


# -- names -----------------------------------------------------------------------------


def normalize_name(text: str) -> str:
    """The form two names are compared in: 'The Al-Nusra Front' → 'al nusra front'."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"['`\u2018\u2019]", "", text)
    text = re.sub(r"[-_/.,()\"]+", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"^the ", "", text)


def normalize_predicate(name: str) -> str:
    """'locatedBetween', 'LOCATED_BETWEEN' and 'located-between' all become 'locatedbetween'."""
    return re.sub(r"[^a-z]", "", name.lower())


class AliasTable:
    """Maps any known name or alias to its canonical name; unknown names to their normal form."""

    def __init__(self, aliases: Mapping[str, Iterable[str]]):
        self._table: dict[str, str] = {}
        for canonical, names in aliases.items():
            for name in (canonical, *names):
                self._table.setdefault(normalize_name(name), canonical)
        self._canonical = set(self._table.values())

    @classmethod
    def from_file(cls, path: Path) -> AliasTable:
        """An aliases JSON file: {"Canonical name": ["alias", ...], ...}."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise DataFileError(f"{path}: cannot read the aliases file: {exc}") from exc
        except json.JSONDecodeError as exc:
            raise DataFileError(f"{path}:{exc.lineno}: not JSON: {exc.msg}") from exc
        if not isinstance(data, dict) or not all(
            isinstance(v, list) and all(isinstance(a, str) for a in v) for v in data.values()
        ):
            raise DataFileError(f'{path}: expected {{"Canonical name": ["alias", ...], ...}}')
        return cls(data)

    @classmethod
    def from_knowledge_base(cls, ontology: Ontology) -> AliasTable:
        """The knowledge base as a table: each entry's label and its aliases."""
        return cls({e.label: e.aliases for e in ontology.entries})

    def canonical(self, name: str) -> str:
        key = normalize_name(name)
        return self._table.get(key, key)

    def of_node(self, node: Mapping[str, Any]) -> set[str]:
        """The canonical names a predicted entity may stand for.

        Its label, surface text and name are tried in that order; the first that the table
        knows decides. When none is known, each of their normal forms is a candidate.
        """
        found = set()
        for key in ("label", "text", "name"):
            value = node.get(key)
            if isinstance(value, str) and value.strip():
                name = self.canonical(value)
                if name in self._canonical:
                    return {name}
                found.add(name)
        return found


# -- scores ----------------------------------------------------------------------------


@dataclass
class Scores:
    """True positives, false positives and false negatives, with P, R and F1 from them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Scores) -> Scores:
        return Scores(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def as_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
        }


@dataclass
class DocumentErrors:
    """What one document got wrong: predicted facts not in the gold, gold facts not found."""

    doc: str
    wrong: list[Fact] = field(default_factory=list)
    missed: list[tuple[str, list[str], list[str]]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "doc": self.doc,
            "wrong": [list(f) for f in self.wrong],
            "missed": [list(m) for m in self.missed],
        }


@dataclass
class EvaluationReport:
    """Entity and fact scores over a gold set, per predicate, for the core set and for all."""

    entities: Scores = field(default_factory=Scores)
    relations: dict[str, Scores] = field(default_factory=dict)
    core: Scores = field(default_factory=Scores)
    all: Scores = field(default_factory=Scores)
    documents: list[DocumentErrors] = field(default_factory=list)  # only those with errors

    def rows(self) -> list[tuple[str, Scores]]:
        """The lines of a summary table: entities, each predicate, core, all."""
        return [
            ("entities", self.entities),
            *sorted(self.relations.items()),
            ("core relations", self.core),
            ("all relations", self.all),
        ]

    def as_dict(self, details: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "entities": self.entities.as_dict(),
            "relations": {p: s.as_dict() for p, s in sorted(self.relations.items())},
            "core": self.core.as_dict(),
            "all": self.all.as_dict(),
        }
        if details:
            data["details"] = [d.as_dict() for d in self.documents]
        return data


# -- reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GoldFact:
    predicate: str  # normalised
    subjects: frozenset[str]
    objects: frozenset[str]
    optional: bool


@dataclass(frozen=True)
class GoldDoc:
    id: str
    entities: frozenset[str]
    facts: tuple[GoldFact, ...]


def _jsonl(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(`file:line`, object) for each non-blank line; anything else is an InputError."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: not JSON: {exc.msg} (column {exc.colno})") from exc
        if not isinstance(record, dict):
            raise InputError(f"{where}: expected a JSON object, found {type(record).__name__}")
        yield where, record


def _names(value: Any, where: str, what: str) -> list[str]:
    """A list of names (a single string is accepted as a list of one)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise InputError(f"{where}: {what} must be a non-empty list of names")
    return value


def _gold_fact(raw: Any, where: str, table: AliasTable) -> GoldFact:
    if not isinstance(raw, dict) or not isinstance(raw.get("p"), str):
        raise InputError(f'{where}: each triple needs "p", "s" and "o"')
    return GoldFact(
        predicate=normalize_predicate(raw["p"]),
        subjects=frozenset(table.canonical(n) for n in _names(raw.get("s"), where, '"s"')),
        objects=frozenset(table.canonical(n) for n in _names(raw.get("o"), where, '"o"')),
        optional=bool(raw.get("optional", False)),
    )


def read_gold(path: Path, table: AliasTable) -> list[GoldDoc]:
    """The gold documents, with names already canonical."""
    docs: dict[str, GoldDoc] = {}
    for where, record in _jsonl(path):
        if not isinstance(record.get("id"), str | int):
            raise InputError(f'{where}: a gold record needs an "id"')
        doc_id = str(record["id"])
        if doc_id in docs:
            raise InputError(f"{where}: document {doc_id!r} appears twice")
        entities = record.get("entities", [])
        triples = record.get("triples", [])
        if not isinstance(entities, list) or not all(isinstance(e, str) for e in entities):
            raise InputError(f'{where}: "entities" must be a list of names')
        if not isinstance(triples, list):
            raise InputError(f'{where}: "triples" must be a list')
        docs[doc_id] = GoldDoc(
            id=doc_id,
            entities=frozenset(table.canonical(e) for e in entities),
            facts=tuple(_gold_fact(t, where, table) for t in triples),
        )
    return list(docs.values())


def read_predictions(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Entity and relation records by document id; records of other kinds are ignored."""
    by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for where, record in _jsonl(path):
        if record.get("doc") is None:
            raise InputError(f'{where}: a prediction needs a "doc" id')
        if record.get("kind") == "relation":
            if not isinstance(record.get("predicate"), str):
                raise InputError(f'{where}: a relation needs a "predicate"')
            if not all(isinstance(record.get(k), dict) for k in ("subject", "object")):
                raise InputError(f'{where}: a relation needs "subject" and "object" objects')
        by_doc[str(record["doc"])].append(record)
    return by_doc


# -- scoring ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """What the scorer needs from the ontology, by normalised predicate name."""

    names: Mapping[str, str]  # normalised → ontology name, for the report
    symmetric: frozenset[str]
    core: frozenset[str]

    @classmethod
    def from_ontology(cls, ontology: Ontology) -> Rules:
        props = ontology.properties.values()
        return cls(
            names={normalize_predicate(p.name): p.name for p in props},
            symmetric=frozenset(normalize_predicate(p.name) for p in props if p.symmetric),
            core=frozenset(normalize_predicate(p.name) for p in props if p.core),
        )

    def name(self, predicate: str) -> str:
        """The ontology's spelling of a normalised predicate (unknown ones stay as they are)."""
        return self.names.get(predicate, predicate)

    def matches(self, fact: Fact, gold: GoldFact) -> bool:
        p, s, o = fact
        if p != gold.predicate:
            return False
        if s in gold.subjects and o in gold.objects:
            return True
        return p in self.symmetric and o in gold.subjects and s in gold.objects


def _predicted(records: list[dict[str, Any]], table: AliasTable) -> tuple[set[str], set[Fact]]:
    """The document's predicted entities (relation ends included) and facts, as sets."""
    entities: set[str] = set()
    facts: set[Fact] = set()
    for r in records:
        if r.get("kind") == "entity":
            entities |= table.of_node(r)
        elif r.get("kind") == "relation":
            subjects, objects = table.of_node(r["subject"]), table.of_node(r["object"])
            entities |= subjects | objects
            p = normalize_predicate(r["predicate"])
            facts |= {(p, s, o) for s in subjects for o in objects}
    return entities, facts


def _score_facts(
    gold: GoldDoc, facts: set[Fact], rules: Rules, counts: dict[str, Scores]
) -> DocumentErrors:
    """Add one document's fact counts to `counts`; return its wrong and missed facts."""
    errors = DocumentErrors(gold.id)
    used: set[Fact] = set()
    for g in gold.facts:
        hits = {f for f in facts if rules.matches(f, g)}
        used |= hits
        if g.optional:
            continue
        if hits:
            counts[g.predicate].tp += 1
        else:
            counts[g.predicate].fn += 1
            errors.missed.append((rules.name(g.predicate), sorted(g.subjects), sorted(g.objects)))
    for p, s, o in sorted(facts - used):
        if p in rules.symmetric and ((p, o, s) in used or (s > o and (p, o, s) in facts)):
            continue  # the same symmetric fact, seen from its other end
        counts[p].fp += 1
        errors.wrong.append((rules.name(p), s, o))
    return errors


def score(
    gold: list[GoldDoc],
    predictions: Mapping[str, list[dict[str, Any]]],
    table: AliasTable,
    rules: Rules,
) -> EvaluationReport:
    """Compare predictions with the gold, document by document; other documents are ignored."""
    report = EvaluationReport()
    counts: dict[str, Scores] = defaultdict(Scores)
    for doc in gold:
        entities, facts = _predicted(list(predictions.get(doc.id, [])), table)
        report.entities += Scores(
            tp=len(doc.entities & entities),
            fp=len(entities - doc.entities),
            fn=len(doc.entities - entities),
        )
        errors = _score_facts(doc, facts, rules, counts)
        if errors.wrong or errors.missed:
            report.documents.append(errors)
    report.relations = {rules.name(p): s for p, s in counts.items()}
    report.core = sum((s for p, s in counts.items() if p in rules.core), Scores())
    report.all = sum(counts.values(), Scores())
    return report


def evaluate(gold: Path, predictions: Path, aliases: Path | None = None) -> EvaluationReport:
    """Score a predictions JSONL file against a gold JSONL file.

    Without `aliases` the knowledge base supplies the names, so predictions labelled with
    KB entries match gold records that use the KB's labels or any of their aliases.
    """
    ontology = load_ontology()
    table = AliasTable.from_file(aliases) if aliases else AliasTable.from_knowledge_base(ontology)
    return score(
        read_gold(gold, table), read_predictions(predictions), table, Rules.from_ontology(ontology)
    )
