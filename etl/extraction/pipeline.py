"""Build the spaCy pipeline: the model, then kg-etl's ruler, linker and relation components."""

from __future__ import annotations

import re
from typing import Any

import spacy
from spacy.language import Language

from etl.errors import ConfigError
from etl.extraction import components  # noqa: F401  (registers the factories)
from etl.extraction.components import DEMONYM
from etl.extraction.rules import load_linking
from etl.ontology import Ontology

# Parts of the stock pipelines kg-etl has no use for.
UNUSED = ["textcat", "textcat_multilabel", "spancat", "entity_linker", "coref"]


def load_model(name: str) -> Language:
    """Load a spaCy pipeline by package name or path, with a message that says what to do."""
    try:
        return spacy.load(name, exclude=UNUSED)
    except OSError as exc:
        raise ConfigError(
            f"cannot load the spaCy model {name!r}: install it (the default is "
            "`pip install -r requirements/model.txt`) or set ETL_MODEL / --model to an "
            f"installed English pipeline such as en_core_web_sm ({exc.__class__.__name__})"
        ) from exc


def build_pipeline(model: str, ontology: Ontology) -> Language:
    nlp = load_model(model)
    if "parser" not in nlp.pipe_names or "ner" not in nlp.pipe_names:
        raise ConfigError(f"the spaCy model {model!r} needs a parser and an NER component")
    _split_dotted_prefixes(nlp, ontology)
    nlp.add_pipe("kg_sentence_breaks", before="parser")
    # The knowledge-base ruler runs after the model's NER and overwrites what overlaps, so
    # known names win; running it before NER gave the same entities on the dev set but
    # slowed NER (bench/extract_speed.py: 0.63 of bare nlp.pipe before, 0.88 after).
    ruler = nlp.add_pipe(
        "entity_ruler",
        name="kg_ruler",
        after="ner",
        config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True},
    )
    ruler.add_patterns(ruler_patterns(ontology, nlp))  # type: ignore[attr-defined]
    nlp.add_pipe("kg_linker", after="kg_ruler")
    nlp.add_pipe("kg_relations", last=True)
    nlp.max_length = 10**7  # articles are split into chunks before they reach the pipeline
    return nlp


def ruler_patterns(ontology: Ontology, nlp: Language) -> list[dict[str, Any]]:
    """One pattern per KB name. Acronyms match case-sensitively, other names in any case.

    Names that would swallow a relation are left to their parts: a person's name with a
    title ("Russian President Vladimir Putin" states leaderOf) and "X-backed Y" when Y is a
    name of the same entry ("Turkish-backed SNA" states alliedWith). A name written with a
    straight apostrophe also matches the typographic one (U+2019).
    """
    settings = load_linking(ontology)
    patterns: list[dict[str, Any]] = []
    for entry in ontology.entries:
        names = {entry.label, *entry.aliases}
        for name in sorted(names):
            if name != entry.label and (
                _has_title(name, settings.titles, entry.type == "Person")
                or _relation_prefix(name, names, settings.split_prefixes)
            ):
                continue
            for variant in {name, name.replace("'", "\u2019")}:
                patterns.append(_pattern(variant, entry.type, entry.iri, nlp))
        for demonym in entry.demonyms:
            patterns.append(_pattern(demonym, entry.type, entry.iri + DEMONYM, nlp))
    return patterns


def _split_dotted_prefixes(nlp: Language, ontology: Ontology) -> None:
    """The tokenizer keeps "U.S.-backed" in one piece; split it like "US-backed" so that
    the name and the participle are separate words."""
    participles = load_linking(ontology).split_prefixes | {"led", "held", "controlled"}
    dotted = {
        n
        for e in ontology.entries
        for n in (e.label, *e.aliases)
        if re.fullmatch(r"(?:[A-Z]\.){2,}", n)
    }
    for name in dotted:
        for word in participles:
            for form in (word, word.capitalize()):
                nlp.tokenizer.add_special_case(  # type: ignore[union-attr]
                    f"{name}-{form}", [{"ORTH": name}, {"ORTH": "-"}, {"ORTH": form}]
                )


def _has_title(name: str, titles: frozenset[str], anywhere: bool) -> bool:
    """A title opens the name, or (for people) stands anywhere before the last word."""
    lowered = name.lower()
    if any(lowered.startswith(t + " ") for t in titles):
        return True
    return anywhere and any(
        f" {t} " in f" {lowered} " and not lowered.endswith(" " + t) for t in titles
    )


def _relation_prefix(name: str, names: set[str], participles: frozenset[str]) -> bool:
    """ "Turkish-backed SNA" or "occupied Golan" when "SNA" or "Golan" is another name of
    the same entry."""
    match = re.match(r"^(?:\S+?-)?(\w+) (.+)$", name)
    return bool(match and match.group(1).lower() in participles and match.group(2) in names)


def _pattern(name: str, label: str, iri: str, nlp: Language) -> dict[str, Any]:
    if re.search(r"[a-z]", name) and len(name) > 3:
        return {"label": label, "pattern": name, "id": iri}
    tokens = [{"ORTH": t.text} for t in nlp.make_doc(name)]
    return {"label": label, "pattern": tokens, "id": iri}
