"""Relation rules and linking settings, read from the YAML files in etl/extraction/data/.

Rules are checked against the ontology when they are read, so a typo in a predicate or a
frame fails at start-up with the file and rule number, not halfway through a corpus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from etl.errors import DataFileError
from etl.ontology import Ontology

DATA = Path(__file__).parent / "data"
FRAMES = ("verb", "event_noun", "agent_noun", "between", "companion")


@dataclass(frozen=True)
class Role:
    """Where one end of a fact stands relative to its trigger."""

    deps: tuple[str, ...] = ()
    preps: tuple[str, ...] = ()
    via: tuple[str, ...] = ()
    within: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    predicate: str
    frame: str
    lemmas: frozenset[str]
    confidence: float
    subject: Role | None = None
    object: Role | None = None


@dataclass(frozen=True)
class Blockers:
    """Words that turn a statement into a negation, denial, plan or condition."""

    modals: frozenset[str]
    verbs: frozenset[str]
    marks: frozenset[str]


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    blockers: Blockers
    light_verbs: frozenset[str]
    leading_verbs: frozenset[str] = frozenset()


def _yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataFileError(f"{path}: cannot read: {exc}") from exc
    if not isinstance(data, dict):
        raise DataFileError(f"{path}: expected a mapping at the top level")
    return data


def _role(raw: Any, where: str) -> Role | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) - {"deps", "preps", "via", "within"}:
        raise DataFileError(f"{where}: a role takes only deps, preps, via and within")
    for key, values in raw.items():
        bad = [v for v in values if not isinstance(v, str)]
        if bad:  # YAML reads a bare on/off/yes/no as a boolean
            raise DataFileError(f'{where}: {key} must be words; quote {bad} (e.g. "on")')
    return Role(**{k: tuple(v) for k, v in raw.items()})


def load_rules(ontology: Ontology, path: Path = DATA / "relations.yaml") -> RuleSet:
    data = _yaml(path)
    rules = []
    for number, raw in enumerate(data.get("rules", []), 1):
        where = f"{path}: rule {number} ({raw.get('predicate', '?')})"
        if raw.get("predicate") not in ontology.properties:
            raise DataFileError(
                f"{where}: predicate is not an ontology property with a "
                f"relationship type ({', '.join(sorted(ontology.properties))})"
            )
        if raw.get("frame") not in FRAMES:
            raise DataFileError(f"{where}: frame must be one of {', '.join(FRAMES)}")
        confidence = float(raw.get("confidence", 0.7))
        if not 0 <= confidence <= 1:
            raise DataFileError(f"{where}: confidence must lie in [0, 1]")
        rules.append(
            Rule(
                predicate=raw["predicate"],
                frame=raw["frame"],
                lemmas=frozenset(raw.get("lemmas") or ()),
                confidence=confidence,
                subject=_role(raw.get("subject"), where),
                object=_role(raw.get("object"), where),
            )
        )
    b = data.get("blockers", {})
    blockers = Blockers(*(frozenset(b.get(k, ())) for k in ("modals", "verbs", "marks")))
    return RuleSet(
        tuple(rules),
        blockers,
        frozenset(data.get("light_verbs", ())),
        frozenset(data.get("leading_verbs", ())),
    )


@dataclass(frozen=True)
class LinkingSettings:
    ner_classes: dict[str, str]
    military_nouns: frozenset[str]
    state_forces: dict[str, str]
    not_entities: frozenset[str]
    titles: frozenset[str]
    split_prefixes: frozenset[str]
    anaphora: dict[str, tuple[str, ...]]
    office_titles: frozenset[str] = frozenset()
    office_holders: dict[str, str] = field(default_factory=dict)  # person label → state label
    furniture: tuple[re.Pattern[str], ...] = ()
    collectives: frozenset[str] = frozenset()


def load_linking(ontology: Ontology, path: Path = DATA / "linking.yaml") -> LinkingSettings:
    data = _yaml(path)
    classes = {
        k: ontology.check_class(v, f"{path}: ner_classes.{k}")
        for k, v in data.get("ner_classes", {}).items()
    }
    anaphora = {
        k: tuple(ontology.check_class(c, f"{path}: anaphora.{k}") for c in v)
        for k, v in data.get("anaphora", {}).items()
    }
    labels = {e.label for e in ontology.entries}
    offices = data.get("offices", {})
    holders = {
        _known(p, labels, f"{path}: offices"): _known(g, labels, f"{path}: offices")
        for p, g in offices.get("holders", {}).items()
    }
    return LinkingSettings(
        ner_classes=classes,
        military_nouns=frozenset(data.get("military_nouns", ())),
        state_forces=dict(data.get("state_forces", {})),
        not_entities=frozenset(n.lower() for n in data.get("not_entities", ())),
        titles=frozenset(t.lower() for t in data.get("titles", ())),
        split_prefixes=frozenset(p.lower() for p in data.get("split_prefixes", ())),
        anaphora=anaphora,
        office_titles=frozenset(t.lower() for t in offices.get("titles", ())),
        office_holders=holders,
        furniture=tuple(_regex(p, f"{path}: furniture") for p in data.get("furniture", ())),
        collectives=frozenset(
            _known(n, labels, f"{path}: collectives") for n in data.get("collectives", ())
        ),
    )


def _known(label: str, labels: set[str], where: str) -> str:
    if label not in labels:
        raise DataFileError(f"{where}: {label!r} is not the label of a knowledge-base entry")
    return label


def _regex(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise DataFileError(f"{where}: bad pattern {pattern!r}: {exc}") from exc
