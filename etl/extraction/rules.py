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
FRAMES = (
    "verb",
    "event_noun",
    "agent_noun",
    "between",
    "companion",
    "control_phrase",
    "mutual",
    "link",
)


@dataclass(frozen=True)
class Role:
    """Where one end of a fact stands relative to its trigger."""

    deps: tuple[str, ...] = ()
    preps: tuple[str, ...] = ()
    via: tuple[str, ...] = ()
    within: tuple[str, ...] = ()
    host: tuple[str, ...] = ()  # "bombed Idlib with Russian support": the bomber


@dataclass(frozen=True)
class Rule:
    predicate: str
    frame: str
    lemmas: frozenset[str]
    confidence: float
    subject: Role | None = None
    object: Role | None = None
    cues: frozenset[str] = frozenset()  # the rule applies only with one of these adverbs
    # the trigger's own determiners and adjectives: "a senior commander" is no leader
    with_words: frozenset[str] = frozenset()  # the rule needs one of these
    without_words: frozenset[str] = frozenset()  # the rule does not apply with any


@dataclass(frozen=True)
class Blockers:
    """Words that turn a statement into a negation, denial, plan or condition."""

    modals: frozenset[str]
    verbs: frozenset[str]
    marks: frozenset[str]
    adjectives: frozenset[str] = frozenset()  # "potential clashes", "a possible offensive"
    adverbs: frozenset[str] = frozenset()  # "clashed diplomatically": no fight


@dataclass(frozen=True)
class WordLists:
    """Word classes the syntax frames need (relations.yaml, `words`)."""

    place_nouns: frozenset[str] = frozenset()  # "Syria's largest city" names no Syria
    occupant_verbs: frozenset[str] = frozenset()  # "bases where Iranian forces are located"
    outcome_verbs: frozenset[str] = frozenset()  # "the offensive, which saw the fall of X"
    directions: frozenset[str] = frozenset()  # "Aleppo in the north and Hama in the centre"
    munitions: frozenset[str] = frozenset()  # "shot down Israeli missiles" targets no Israel
    quantities: frozenset[str] = frozenset()  # "carried out dozens of raids on X"
    partner_nouns: frozenset[str] = frozenset()  # "Russia's allies" are not Russia
    way_nouns: frozenset[str] = frozenset()  # "X straddles the M5 highway between A and B"
    between_nouns: frozenset[str] = frozenset()  # "X is the only town between A and B"
    mutual_objects: frozenset[str] = frozenset()  # "X and Y exchanged fire"
    victim_verbs: frozenset[str] = frozenset()  # "X was killed in a US raid": X targeted


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    blockers: Blockers
    light_verbs: frozenset[str]
    leading_verbs: frozenset[str] = frozenset()
    words: WordLists = field(default_factory=WordLists)
    identity: Rule | None = None  # "Assad, an Alawite": the person belongs to the group
    identity_classes: tuple[str, ...] = ()


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
    if not isinstance(raw, dict) or set(raw) - {"deps", "preps", "via", "within", "host"}:
        raise DataFileError(f"{where}: a role takes only deps, preps, via, within and host")
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
                cues=frozenset(raw.get("cues") or ()),
                with_words=frozenset(raw.get("with") or ()),
                without_words=frozenset(raw.get("without") or ()),
            )
        )
    b = data.get("blockers", {})
    blockers = Blockers(
        *(frozenset(b.get(k, ())) for k in ("modals", "verbs", "marks", "adjectives", "adverbs"))
    )
    identity, classes = _identity(data.get("identity"), ontology, f"{path}: identity")
    return RuleSet(
        tuple(rules),
        blockers,
        frozenset(data.get("light_verbs", ())),
        frozenset(data.get("leading_verbs", ())),
        _words(data.get("words") or {}, f"{path}: words"),
        identity,
        classes,
    )


def _identity(raw: Any, ontology: Ontology, where: str) -> tuple[Rule | None, tuple[str, ...]]:
    """The rule for a person described as one of a group, and the groups' classes."""
    if not raw:
        return None, ()
    if raw.get("predicate") not in ontology.properties:
        raise DataFileError(f"{where}: predicate is not an ontology property")
    classes = tuple(ontology.check_class(c, where) for c in raw.get("classes", ()))
    rule = Rule(raw["predicate"], "identity", frozenset(), float(raw.get("confidence", 0.7)))
    return rule, classes


def _words(raw: dict[str, Any], where: str) -> WordLists:
    known = set(WordLists.__dataclass_fields__)
    if set(raw) - known:
        raise DataFileError(f"{where}: unknown lists {sorted(set(raw) - known)}")
    return WordLists(**{k: frozenset(str(w) for w in v) for k, v in raw.items()})


@dataclass(frozen=True)
class LinkingSettings:
    ner_classes: dict[str, str]
    military_nouns: frozenset[str]
    state_forces: dict[str, str]
    not_entities: frozenset[str]
    name_of_event: frozenset[str]  # "Operation Olive Branch": names after these name no entity
    shared_areas: dict[str, str]  # "Hama and Homs provinces": plural noun -> singular
    titles: frozenset[str]
    split_prefixes: frozenset[str]
    anaphora: dict[str, tuple[str, ...]]
    office_titles: frozenset[str] = frozenset()
    office_holders: dict[str, str] = field(default_factory=dict)  # person label → state label
    furniture: tuple[re.Pattern[str], ...] = ()
    collectives: frozenset[str] = frozenset()
    non_state_modifiers: frozenset[str] = frozenset()  # "Kurdish Syrian forces"
    unnamed_partners: frozenset[str] = frozenset()  # "their Syrian allies": no country
    place_heads: dict[str, str] = field(default_factory=dict)  # "the town of X": X a Town
    unnamed_actors: dict[str, str] = field(default_factory=dict)  # "government air strikes"


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
        name_of_event=frozenset(w.lower() for w in data.get("name_of_event", ())),
        shared_areas={k.lower(): v for k, v in data.get("shared_areas", {}).items()},
        titles=frozenset(t.lower() for t in data.get("titles", ())),
        split_prefixes=frozenset(p.lower() for p in data.get("split_prefixes", ())),
        anaphora=anaphora,
        office_titles=frozenset(t.lower() for t in offices.get("titles", ())),
        office_holders=holders,
        furniture=tuple(_regex(p, f"{path}: furniture") for p in data.get("furniture", ())),
        collectives=frozenset(
            _known(n, labels, f"{path}: collectives") for n in data.get("collectives", ())
        ),
        non_state_modifiers=frozenset(m.lower() for m in data.get("non_state_modifiers", ())),
        unnamed_partners=frozenset(m.lower() for m in data.get("unnamed_partners", ())),
        place_heads={
            k.lower(): ontology.check_class(v, f"{path}: place_heads.{k}")
            for k, v in data.get("place_heads", {}).items()
        },
        unnamed_actors={
            w.lower(): _known(label, labels, f"{path}: unnamed_actors.{w}")
            for w, label in data.get("unnamed_actors", {}).items()
        },
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
