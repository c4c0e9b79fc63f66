"""kg-etl's spaCy components, registered so a pipeline config can name them.

- `kg_sentence_breaks` (before the parser): a line break ends a sentence, so headlines and
  captions never run into the next line.
- `kg_linker` (after NER): gives every entity span an ontology class as its label and an
  individual's IRI as its `kb_id_`, minting IRIs for names the knowledge base lacks.
- `kg_relations` (last): applies the relation rules and stores facts in `doc._.kg_facts`.
"""

from __future__ import annotations

import re
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from etl.extraction.rules import LinkingSettings, RuleSet, load_linking, load_rules
from etl.extraction.syntax import Frames
from etl.ontology import Ontology, entity_iri, load_ontology

DEMONYM = "|demonym"  # suffix of ruler pattern ids that name a country by its demonym

Doc.set_extension("kg_facts", default=None, force=True)
Doc.set_extension("kg_names", default=None, force=True)
Doc.set_extension("kg_offices", default=None, force=True)  # token indices of office titles


def _ontology(directory: str) -> Ontology:
    return load_ontology(Path(directory) if directory else None)


# A dateline opens a line: an upper-case place, maybe ", Country" and "(Agency)", then a
# colon or dash ("BEIRUT (Reuters) -", "RAS AL-AIN, Syria:"), after a date stamp if any.
DATELINE = re.compile(
    r"^(?:date [\d-]+(?: [\d:]+)*\s+)?[A-Z][A-Z'.\-]+(?: [A-Z][A-Z'.\-]+)*"
    r"(?:, [A-Z][\w'.\-]*(?: [A-Z][\w'.\-]*)*)?(?: \([^)]{1,40}\))?"
    r"\s*[:\-\u2013\u2014]\s",
    re.MULTILINE,
)


def dateline_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of datelines, which are page furniture, not text."""
    return [(m.start(), m.end()) for m in DATELINE.finditer(text)]


@Language.component("kg_sentence_breaks")
def sentence_breaks(doc: Doc) -> Doc:
    """A line break ends a sentence, and so does a dateline, so that the parser sees the
    story's first sentence on its own."""
    for tok in doc[1:]:
        prev = doc[tok.i - 1]
        if "\n" in prev.text or "\n" in prev.whitespace_:
            tok.is_sent_start = True
    for _, end in dateline_ranges(doc.text):
        span = doc.char_span(end, end + 1, alignment_mode="expand")
        if span is not None and span.start > 0:
            doc[span.start].is_sent_start = True
    return doc


class Linker:
    """Links entity spans to ontology individuals."""

    def __init__(self, ontology: Ontology, settings: LinkingSettings):
        self.ontology = ontology
        self.settings = settings
        self.by_name: dict[str, str] = {}
        for entry in ontology.entries:
            for name in (entry.label, *entry.aliases):
                self.by_name.setdefault(normalise(name), entry.iri)
        self.label_of = {e.label: e.iri for e in ontology.entries}
        self.collectives = {self.label_of[c] for c in settings.collectives}

    def __call__(self, doc: Doc) -> Doc:
        names: dict[str, str] = {}
        local: dict[str, tuple[str, str]] = {}  # abbreviations and surnames seen in this doc
        furniture = furniture_ranges(doc, self.settings.furniture) + dateline_ranges(doc.text)
        spans = []
        for ent in doc.ents:
            if any(start <= ent.start_char < end for start, end in furniture):
                continue
            linked = self._link(ent, local, names)
            if linked is not None:
                iri, cls = linked
                spans.append(Span(doc, ent.start, ent.end, label=cls, kb_id=iri))
                self._remember(ent, iri, cls, local)
        spans = [self._in_shared_area(s) for s in spans]
        spans += self._unnamed_actors(doc, spans)
        spans = self._same_as_abbreviation(doc, spans)
        spans = [s for s in spans if not self._modified_collective(doc, s, spans)]
        offices = self._offices(doc, spans)
        doc.ents = sorted(spans + offices, key=lambda s: s.start)
        doc._.kg_names = names
        doc._.kg_offices = sorted({s.end - 1 for s in offices})  # a list: docs cross processes
        return doc

    def _not_the_states(self, ent: Span, head: Token, iri: str | None = None) -> bool:
        """ "Kurdish Syrian forces", "Syrian opposition forces": a word outside the name
        makes the forces someone other than the state's."""
        if iri is not None and not self.ontology.is_a(self.ontology.by_iri[iri].type, "Government"):
            return False
        return any(
            c.lower_ in self.settings.non_state_modifiers
            for c in head.children
            if c.dep_ in ("amod", "compound", "npadvmod") and not (ent.start <= c.i < ent.end)
        )

    def _unnamed_actors(self, doc: Doc, spans: list[Span]) -> list[Span]:
        """ "government air strikes", "army units", "coalition warplanes": a bare word that
        modifies a military noun names the actor of the story's war it stands for."""
        actors = self.settings.unnamed_actors
        taken = {i for s in spans for i in range(s.start, s.end)}
        found = []
        for tok in doc:
            head = tok.head
            if (
                tok.lower_ in actors
                and tok.i not in taken
                and tok.dep_ in ("compound", "amod", "nmod", "npadvmod")
                and head.i > tok.i
                and (
                    {head.lemma_.lower(), head.lower_} & self.settings.military_nouns
                    or _hyphen_participle(tok, head)  # "government-held", "government-run"
                )
                and not any(c.dep_ in ("amod", "compound", "poss") for c in tok.children)
                and not (tok.i > 0 and tok.i - 1 in taken)
            ):
                iri = self.label_of[actors[tok.lower_]]
                found.append(
                    Span(doc, tok.i, tok.i + 1, label=self.ontology.by_iri[iri].type, kb_id=iri)
                )
        return found

    def _same_as_abbreviation(self, doc: Doc, spans: list[Span]) -> list[Span]:
        """ "Kurdish Syrian forces (SDF)": a name and the known abbreviation in brackets
        right after it are one entity, the abbreviation's."""
        at = {s.start: s for s in spans}
        out = []
        for span in spans:
            abbr = at.get(span.end + 1)
            if (
                abbr is not None
                and doc[span.end].text == "("
                and abbr.end < len(doc)
                and doc[abbr.end].text == ")"
                and abbr.kb_id_ in self.ontology.by_iri
                and abbr.kb_id_ != span.kb_id_
            ):
                span = Span(doc, span.start, span.end, label=abbr.label_, kb_id=abbr.kb_id_)
            out.append(span)
        return out

    def _modified_collective(self, doc: Doc, span: Span, spans: list[Span]) -> bool:
        """ "IS militants", "HTS rebels": the collective is the named actor's fighters."""
        if span.kb_id_ not in self.collectives or span.start == 0:
            return False
        before = doc[span.start - 1]
        return (
            any(
                s.end == span.start
                and s.kb_id_ not in self.collectives
                and self.ontology.is_a(s.label_, "Actor")
                for s in spans
            )
            and before.head.i >= span.start
        )

    def _offices(self, doc: Doc, spans: list[Span]) -> list[Span]:
        """A bare title before a head of state ("President Assad") names the state."""
        taken = {i for s in spans for i in range(s.start, s.end)}
        found = []
        for span in spans:
            holder = self.settings.office_holders.get(
                self.ontology.by_iri[span.kb_id_].label
                if span.kb_id_ in self.ontology.by_iri
                else ""
            )
            if holder is None:
                continue
            for size in (2, 1):
                start = span.start - size
                if start < 0 or any(i in taken for i in range(start - 1, span.start)):
                    continue
                title = " ".join(t.lower_ for t in doc[start : span.start])
                if title in self.settings.office_titles:
                    iri = self.label_of[holder]
                    found.append(
                        Span(
                            doc, start, span.start, label=self.ontology.by_iri[iri].type, kb_id=iri
                        )
                    )
                    taken.update(range(start, span.start))
                    break
        return found

    def _link(
        self, ent: Span, local: dict[str, tuple[str, str]], names: dict[str, str]
    ) -> tuple[str, str] | None:
        if ent.ent_id_:  # the knowledge-base ruler matched it
            iri = ent.ent_id_
            if iri.endswith(DEMONYM):
                forces = self._state_forces(ent, iri[: -len(DEMONYM)])
                if forces is None:
                    return None
                iri = forces
            if self._not_the_states(ent, ent.root, iri):
                return None
            return iri, self.ontology.by_iri[iri].type
        text = normalise(ent.text)
        if text in self.settings.not_entities or not re.search(r"[A-Za-z]", text):
            return None
        if self._names_event(ent):
            return None
        if text in self.by_name:
            iri = self.by_name[text]
            return iri, self.ontology.by_iri[iri].type
        if text in local:
            return local[text]
        place = self._place_by_context(ent)
        cls = place or self.settings.ner_classes.get(ent.label_)
        if cls is None:
            return None
        name = clean_name(ent.text)
        if not _looks_like_name(name) or (len(ent) == 1 and ent[0].pos_ in NOT_NAME_POS):
            return None  # "Fierce fighting broke out": a capitalised adjective is no name
        iri = entity_iri(name)
        names[iri] = name
        if place:  # later mentions of the name are the same place
            local.setdefault(text, (iri, cls))
        return iri, cls

    def _place_by_context(self, ent: Span) -> str | None:
        """ "the town of Khan Touman", "Khan Touman, a village near Aleppo": the noun says
        what kind of place a name is, whatever the model's NER label."""
        root = ent.root
        heads = self.settings.place_heads
        if root.dep_ == "pobj" and root.head.lower_ == "of":
            noun = root.head.head
            if noun.lemma_.lower() in heads and noun.i < ent.start:
                return heads[noun.lemma_.lower()]
        for child in root.children:
            if child.dep_ == "appos" and child.lemma_.lower() in heads:
                return heads[child.lemma_.lower()]
        return None

    def _in_shared_area(self, span: Span) -> Span:
        """ "Hama and Homs provinces": each name stands for its province, when the
        knowledge base knows one."""
        tok = span.root
        for _ in range(3):
            if tok.dep_ not in ("compound", "conj", "nmod", "amod") or tok.head.i == tok.i:
                return span
            tok = tok.head
            area = self.settings.shared_areas.get(tok.lower_)
            if area is not None and tok.i >= span.end:
                iri = self.by_name.get(normalise(f"{span.text} {area}"))
                if iri is None or iri == span.kb_id_:
                    return span
                entry = self.ontology.by_iri[iri]
                return Span(span.doc, span.start, span.end, label=entry.type, kb_id=iri)
        return span

    def _names_event(self, ent: Span) -> bool:
        """ "Operation Olive Branch", "the operation Peace Spring", "the Euphrates Shield
        and Olive Branch operations": an event's name. A one-word name before the noun is
        more often a place ("the Saraqeb operation")."""
        words = self.settings.name_of_event
        before = ent.doc[ent.start - 1].lower_ if ent.start > 0 else ""
        if ent[0].lower_ in words or before in words:
            return True
        if len([t for t in ent if t.is_alpha and t.lower_ != "the"]) < 2:
            return False
        tok = ent.root
        while tok.dep_ in ("compound", "conj", "nmod") and tok.head.i != tok.i:
            tok = tok.head
            if tok.lemma_.lower() in words and tok.i >= ent.end:
                return True
        return False

    def _remember(self, ent: Span, iri: str, cls: str, local: dict[str, tuple[str, str]]) -> None:
        """Let later mentions use an abbreviation defined here or a person's surname."""
        doc = ent.doc
        if ent.end + 2 < len(doc) and doc[ent.end].text == "(" and doc[ent.end + 2].text == ")":
            local.setdefault(normalise(doc[ent.end + 1].text), (iri, cls))
        if cls == "Person" and len(ent) > 1:
            local.setdefault(normalise(ent[-1].text), (iri, cls))

    def _state_forces(self, ent: Span, country_iri: str) -> str | None:
        """ "Syrian troops" names the Syrian government; "Syrian city" the country;
        "Kurdish Syrian forces" neither (the forces are not the state's)."""
        head = ent.root
        while head.dep_ == "conj" and head.head.i != head.i:
            head = head.head
        head = head.head
        if {head.lemma_.lower(), head.lower_} & self.settings.military_nouns and (
            self._not_the_states(ent, head)
        ):
            return None
        label = self.ontology.by_iri[country_iri].label
        forces = self.settings.state_forces.get(label)
        if forces and {head.lemma_.lower(), head.lower_} & self.settings.unnamed_partners:
            return None  # "Turkish troops and their Syrian allies": which Syrians, unsaid
        if forces and {head.lemma_.lower(), head.lower_} & self.settings.military_nouns:
            return self.label_of.get(forces, country_iri)
        return country_iri


def furniture_ranges(doc: Doc, patterns: tuple[re.Pattern[str], ...]) -> list[tuple[int, int]]:
    """Character ranges of page furniture: from where a pattern matches (at the start of a
    sentence or after a " - " separator) to the end of the sentence; a sentence that ends
    in a bare label ("From:") takes the next sentence with it."""
    ranges: list[tuple[int, int]] = []
    carry = False
    for sent in doc.sents:
        text = sent.text
        if carry and text.strip():
            ranges.append((sent.start_char, sent.end_char))
            carry = False
            continue
        for seg in re.finditer(r"(?:^|\s[-\u2013\u2014]\s)\s*", text):
            if any(p.match(text, seg.end()) for p in patterns):
                ranges.append((sent.start_char + seg.end(), sent.end_char))
                carry = text.rstrip().endswith(":")
                break
    return ranges


def _hyphen_participle(tok: Token, head: Token) -> bool:
    """ "government-held": the word is joined by a hyphen to the participle it modifies."""
    return head.i == tok.i + 2 and tok.nbor(1).text == "-" and head.pos_ == "VERB"


def _looks_like_name(name: str) -> bool:
    """A minted name is capitalised somewhere, has no digits and no dangling punctuation."""
    return (
        bool(re.search(r"[A-Z]", name))
        and not re.search(r"\d", name)
        and not re.search(r"[-/]$", name)
    )


def normalise(name: str) -> str:
    """Lower case, no leading article, no possessive, single spaces."""
    text = re.sub(r"['\u2019]s$", "", name.strip()).lower()
    text = re.sub(r"^the\s+", "", text)
    return re.sub(r"\s+", " ", text).strip(" .,\"'")


def clean_name(text: str) -> str:
    """The name to mint an IRI and a label from: no article, possessive or line breaks."""
    text = re.sub(r"\s+", " ", text).strip(" .,\"'")
    text = re.sub(r"['\u2019]s$", "", text)
    return re.sub(r"^[Tt]he\s+", "", text)


@Language.factory("kg_linker", default_config={"ontology_dir": ""})
def make_linker(nlp: Language, name: str, ontology_dir: str) -> Linker:
    ontology = _ontology(ontology_dir)
    return Linker(ontology, load_linking(ontology))


class RelationExtractor:
    """Finds facts between linked entities with the rules of relations.yaml."""

    def __init__(self, ontology: Ontology, rules: RuleSet, settings: LinkingSettings):
        self.ontology = ontology
        self.rules = rules
        self.settings = settings
        self.by_lemma: dict[str, list] = {}
        for rule in rules.rules:
            for lemma in rule.lemmas:
                self.by_lemma.setdefault(lemma, []).append(rule)

    def __call__(self, doc: Doc) -> Doc:
        ent_of = {i: ent for ent in doc.ents for i in range(ent.start, ent.end)}
        offices = set(doc._.kg_offices or ())
        frames = Frames(
            ent_of,
            self.rules.light_verbs,
            lambda tok: self._antecedent(doc, tok),
            offices,
            self._is_site,
            self.rules.leading_verbs,
            self.rules.words,
            lambda ent: self.ontology.is_a(ent.label_, "Place"),
        )
        facts: dict[tuple, tuple] = {}
        for tok in doc:
            for rule in self._rules_for(tok, ent_of, offices):
                if not frames.asserted(tok, self.rules.blockers, rule.frame):
                    continue
                subjects, objects = frames.ends(rule, tok)
                for subj, fs in subjects:
                    for obj, fo in objects:
                        self._add(facts, rule, tok, subj, obj, fs * fo)
        self._identities(doc, frames, facts)
        doc._.kg_facts = list(facts.values())
        return doc

    def _identities(self, doc: Doc, frames: Frames, facts: dict[tuple, tuple]) -> None:
        """ "Assad, an Alawite, ...", "Sharaa is a Sunni Muslim": a person described as
        one of a group belongs to it (relations.yaml, `identity`)."""
        rule = self.rules.identity
        if rule is None:
            return
        for ent in doc.ents:
            root = ent.root
            if (
                root.dep_ in ("appos", "attr")
                and any(self.ontology.is_a(ent.label_, c) for c in self.rules.identity_classes)
                and frames.asserted(root, self.rules.blockers)
            ):
                for subj, factor in frames.described(root):
                    self._add(facts, rule, root, subj, ent, factor)

    def _rules_for(self, tok: Token, ent_of: dict[int, Span], offices: set[int]) -> list:
        """Rules triggered by `tok`: its lemma, its form, or a two-word lemma ending in it
        ("prime minister"). Entity tokens trigger nothing unless they are an office title."""
        if tok.i in ent_of and tok.i not in offices:
            return []
        lemma = tok.lemma_.lower()
        rules = self.by_lemma.get(lemma) or self.by_lemma.get(tok.lower_) or []
        if tok.i > 0:
            rules = rules + self.by_lemma.get(f"{tok.doc[tok.i - 1].lower_} {lemma}", [])
        if not rules:
            return []
        pos = tok.pos_
        if pos == "ADJ" and tok.dep_ in NOUN_DEPS:  # "launched an offensive", tagged ADJ
            pos = "NOUN"
        words = {
            c.lower_ for c in tok.children if c.dep_ in ("det", "amod", "advmod", "prt", "prep")
        }
        return [
            r
            for r in rules
            if pos in FRAME_POS[r.frame]
            and (not r.with_words or words & r.with_words)
            and not words & r.without_words
        ]

    def _add(self, facts: dict, rule, tok: Token, subj: Span, obj: Span, factor: float) -> None:
        prop = self.ontology.properties[rule.predicate]
        if subj.kb_id_ == obj.kb_id_ or self._own_state(rule.predicate, subj, obj):
            return
        if not (
            self.ontology.is_a(subj.label_, prop.domain)
            and self.ontology.is_a(obj.label_, prop.range)
        ):
            return
        sent = tok.sent
        key = (rule.predicate, subj.kb_id_, obj.kb_id_, sent.start_char)
        confidence = round(rule.confidence * factor, 3)
        if key not in facts or facts[key][-1] < confidence:
            facts[key] = (
                rule.predicate,
                subj.start_char,
                subj.end_char,
                obj.start_char,
                obj.end_char,
                sent.start_char,
                sent.end_char,
                confidence,
            )

    def _own_state(self, predicate: str, subj: Span, obj: Span) -> bool:
        """A head of state is not the ally of the state he leads (that is leaderOf)."""
        if predicate != "alliedWith":
            return False
        holders = self.settings.office_holders
        labels = [
            self.ontology.by_iri[e.kb_id_].label if e.kb_id_ in self.ontology.by_iri else ""
            for e in (subj, obj)
        ]
        return holders.get(labels[0]) == labels[1] or holders.get(labels[1]) == labels[0]

    def _is_site(self, ent: Span) -> bool:
        """A place that is not also an actor: a city or a province, not a country."""
        return self.ontology.is_a(ent.label_, "Place") and not self.ontology.is_a(
            ent.label_, "Actor"
        )

    def _antecedent(self, doc: Doc, tok: Token) -> Span | None:
        """The last entity before `tok` whose class fits the pronoun."""
        key = tok.lower_
        if any(c.dep_ == "det" and c.lower_ == "the" for c in tok.children):
            key = f"the {key}"
        classes = self.settings.anaphora.get(key)
        if not classes:
            return None
        fits = [
            ent
            for ent in doc.ents
            if ent.end <= tok.i
            and tok.i - ent.end < 80
            and any(self.ontology.is_a(ent.label_, c) for c in classes)
        ]
        if not fits:
            return None
        if key.startswith("the "):  # "the town": a town first, then a city, then any place
            for cls in classes:
                if any(self.ontology.is_a(e.label_, cls) for e in fits):
                    fits = [e for e in fits if self.ontology.is_a(e.label_, cls)]
                    break
        # Prefer an actor in subject position: of the pronoun's own sentence, else of
        # the sentence before; only then the nearest compatible mention.
        sent = tok.sent
        here = [e for e in fits if e.start >= sent.start and _in_subject(e)]
        if here:
            return here[-1]
        before = [e for e in fits if e.start < sent.start]
        if before:
            last_sent = before[-1].sent
            subjects = [e for e in before if e.sent == last_sent and _in_subject(e)]
            if subjects and not any(e.start >= sent.start for e in fits):
                return subjects[0]
        return fits[-1]


@Language.factory("kg_relations", default_config={"ontology_dir": ""})
def make_relations(nlp: Language, name: str, ontology_dir: str) -> RelationExtractor:
    ontology = _ontology(ontology_dir)
    return RelationExtractor(ontology, load_rules(ontology), load_linking(ontology))


SUBJECT_DEPS = {"nsubj", "nsubjpass", "csubj"}
FRAME_POS = {  # the parts of speech a trigger of each frame may have
    "verb": ("VERB", "AUX"),
    "event_noun": ("NOUN", "PROPN", "VERB"),
    "agent_noun": ("NOUN", "PROPN"),
    "between": ("ADP",),
    "companion": ("ADP", "ADV"),
    "control_phrase": ("NOUN",),
    "mutual": ("VERB",),
    "link": ("VERB",),
}
NOT_NAME_POS = {"ADJ", "ADV", "VERB", "AUX", "DET", "PRON", "ADP", "CCONJ", "SCONJ"}
NOUN_DEPS = {"nsubj", "nsubjpass", "dobj", "pobj"}  # where an "adjective" is a noun


def _in_subject(ent: Span) -> bool:
    """Whether a mention is (part of) the subject or the by-agent of its clause:
    "Russian jets", "the United States and Turkey", "delivered by Israel"."""
    tok = ent.root
    for _ in range(4):
        if tok.dep_ in SUBJECT_DEPS:
            return True
        if tok.dep_ == "pobj" and tok.head.dep_ == "agent":
            return True
        if tok.dep_ not in ("compound", "amod", "nmod", "poss", "conj", "appos"):
            return False
        tok = tok.head
    return False
