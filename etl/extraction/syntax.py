"""Find the two ends of a fact around its trigger word in a dependency parse.

The rules (rules.py) say which words trigger which predicate and in which frame; this
module knows English syntax: active and passive voice, relative clauses, appositions,
coordination, participle modifiers ("Iran-backed"), light verbs ("carried out strikes")
and subjects shared along a chain of clauses ("..., targeting rebel positions").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from spacy.tokens import Span, Token

from etl.extraction.rules import Blockers, Role, Rule

MODIFIER_DEPS = {"compound", "amod", "nmod", "poss", "npadvmod"}
RELATIVE_PRONOUNS = {"which", "who", "whom", "that", "whose", "where"}
NEGATORS = {"no", "not", "never", "n't"}
EXAMPLE_PREPS = {"including", "like"}
# Hops after which the discount of a subject shared along clauses applies.
INHERITED = 0.85
PRONOUN = 0.85

Candidate = tuple[Span, float]  # an entity and the factor its confidence is scaled by


class Frames:
    """Applies rules to the tokens of one parsed document."""

    def __init__(
        self,
        ent_of: dict[int, Span],
        light_verbs: frozenset[str],
        antecedent: Callable[[Token], Span | None],
        offices: set[int] | None = None,
        is_site: Callable[[Span], bool] = lambda ent: False,
        leading_verbs: frozenset[str] = frozenset(),
    ):
        self.ent_of = ent_of
        self.light_verbs = light_verbs
        self.antecedent = antecedent
        self.offices = offices or set()
        self.is_site = is_site  # a place that is no actor (a city, not a country)
        self.leading_verbs = leading_verbs  # "rebels led by HTS"

    def ends(self, rule: Rule, trigger: Token) -> tuple[list[Candidate], list[Candidate]]:
        """Subject and object candidates of `rule` at `trigger`."""
        if rule.frame == "between":
            return self._between(trigger)
        if rule.frame == "companion":
            return self._companion(trigger)
        subjects = (
            self._role(trigger, rule.subject)
            if rule.subject
            else self._default_subject(rule.frame, trigger)
        )
        objects = (
            self._role(trigger, rule.object)
            if rule.object
            else self._default_object(rule.frame, trigger)
        )
        if rule.frame == "event_noun" and not objects:
            objects = self._event_object(trigger, rule.object)
        if not objects and rule.frame != "verb" and trigger.dep_ in ("appos", "attr"):
            objects = self._described(trigger)  # "Idlib, a rebel stronghold"
        if rule.frame == "agent_noun" and not objects:
            possessors = self._possessors(trigger)
            if possessors:  # "his Russian and Iranian supporters", "Syria's president"
                subjects = _dedupe(subjects + self._described_inside(trigger))
                objects = possessors
            else:
                objects = self._modifiers(trigger)  # "HTS leader", "Syrian President"
        if not objects and trigger.i in self.offices:  # "President Assad": the title names
            objects = [(self.ent_of[trigger.i], 1.0)]  # the state he heads
        return subjects, objects

    # -- entities at a token -----------------------------------------------------------
    def entities(self, tok: Token, depth: int = 0) -> list[Candidate]:
        """The entities a token stands for, with its coordinated tokens."""
        found = self._entities_here(tok, depth)
        for child in tok.children:
            if child.dep_ == "conj" and depth < 4:
                found += self.entities(child, depth + 1)
        return _dedupe(found)

    def _entities_here(self, tok: Token, depth: int) -> list[Candidate]:
        if tok.i in self.ent_of:
            return [(self.ent_of[tok.i], 1.0)]
        if tok.lower_ in RELATIVE_PRONOUNS and tok.tag_ in ("WDT", "WP", "WP$", "WRB"):
            head = _relative_head(tok)
            return self._entities_here(head, depth + 1) if head is not None and depth < 4 else []
        if depth >= 4:
            return []
        found = [
            c
            for child in tok.children
            if child.dep_ == "appos"
            for c in self._entities_here(child, depth + 1)
        ]
        found = found or self._modifiers(tok) or self._of_objects(tok, depth)
        found = found or self._examples(tok, depth)
        if not found and tok.pos_ == "PRON" and tok.dep_ == "nsubj":
            found = self._reporter(tok)  # "the rebels said they had taken ..."
        if not found and tok.pos_ in ("PRON", "NOUN"):  # "it", "the group"
            ent = self.antecedent(tok)
            found = [(ent, PRONOUN)] if ent is not None else []
        return found

    def _reporter(self, pronoun: Token) -> list[Candidate]:
        """The subject of "X said/announced that PRONOUN ...": a pronoun subject of a
        reported clause most often refers back to who reports it."""
        verb = pronoun.head
        if verb.dep_ != "ccomp" or verb.head.pos_ not in ("VERB", "AUX"):
            return []
        return [
            (e, PRONOUN)
            for child in verb.head.children
            if child.dep_ == "nsubj" and child.i in self.ent_of
            for e, _ in self.entities(child)
        ]

    def _modifiers(self, tok: Token, skip: tuple[str, ...] = ()) -> list[Candidate]:
        """Entities that modify a noun: "rebel positions", "Russian and Syrian jets",
        "their capture" (a possessive pronoun stands for its antecedent)."""
        found = []
        for child in tok.children:
            if child.dep_ not in MODIFIER_DEPS or child.dep_ in skip:
                continue
            if child.i in self.ent_of:
                found.append((self.ent_of[child.i], 1.0))
                found += [(self.ent_of[c.i], 1.0) for c in child.conjuncts if c.i in self.ent_of]
            elif child.dep_ == "poss" and child.pos_ == "PRON":
                ent = self.antecedent(child)
                found += [(ent, PRONOUN)] if ent is not None else []
        return _dedupe(found)

    def _of_objects(self, tok: Token, depth: int) -> list[Candidate]:
        """ "the province of Idlib", "fighters from HTS" """
        return [
            c
            for p in tok.children
            if p.dep_ == "prep" and p.lower_ in ("of", "from")
            for o in p.children
            if o.dep_ == "pobj"
            for c in self.entities(o, depth + 1)
        ]

    def _examples(self, tok: Token, depth: int) -> list[Candidate]:
        """ "major cities, including Aleppo and Hama": the examples a noun lists."""
        return [
            c
            for p in tok.children
            if p.dep_ == "prep" and p.lower_ in EXAMPLE_PREPS
            for o in p.children
            if o.dep_ == "pobj"
            for c in self.entities(o, depth + 1)
        ]

    def _target(self, tok: Token, role: Role) -> list[Candidate]:
        """What an object token names; for an unnamed target ("weapons depots in X"), the
        places it lies in, if the role lists such prepositions (`within`)."""
        found = self.entities(tok)
        if found or not role.within:
            return found
        for node in (tok, *tok.conjuncts):
            found += [c for o in _prep_objects(node, role.within) for c in self.entities(o)]
        return _dedupe(found)

    # -- roles ---------------------------------------------------------------------------
    def _role(self, trigger: Token, role: Role) -> list[Candidate]:
        heads = [trigger]
        if role.via:  # "took control of X"; the parser often hangs "of X" on the verb
            heads = [c for c in trigger.children if c.lemma_.lower() in role.via]
            heads += [trigger] if heads else []
        found = [
            c
            for h in heads
            for child in h.children
            if child.dep_ in role.deps
            for c in self._target(child, role)
        ]
        found += [
            c for h in heads for o in _prep_objects(h, role.preps) for c in self._target(o, role)
        ]
        return _dedupe(found)

    def _default_subject(self, frame: str, trigger: Token) -> list[Candidate]:
        if frame == "verb":
            return self.verb_subjects(trigger)
        if frame == "event_noun":
            return self._owner(trigger)
        return self._described(trigger)

    def _default_object(self, frame: str, trigger: Token) -> list[Candidate]:
        if frame != "verb":
            return []
        if _passive(trigger):
            if trigger.dep_ in ("amod", "acl"):  # "Iran-backed militias", "the HTS-held city"
                return self.entities(trigger.head)
            return [
                c
                for child in trigger.children
                if child.dep_ == "nsubjpass"
                for c in self.entities(child)
            ]
        return [
            c
            for child in trigger.children
            if child.dep_ in ("dobj", "attr")
            for c in self.entities(child)
        ]

    def verb_subjects(self, verb: Token, hops: int = 0) -> list[Candidate]:
        """Who does what `verb` says, following shared subjects up a chain of clauses."""
        if _passive(verb):
            agents = [
                c
                for a in verb.children
                if a.dep_ == "agent"
                for o in a.children
                if o.dep_ == "pobj"
                for c in self.entities(o)
            ]
            if agents or verb.dep_ not in ("amod", "acl"):
                return agents
            return self._modifiers(verb)  # "Iran-backed": Iran is npadvmod of backed
        subjects = [
            c
            for child in verb.children
            if child.dep_ in ("nsubj", "csubj")
            for c in self.entities(child) + self._leaders(child)
        ]
        if subjects or hops > 3:
            return _dedupe(subjects)
        head = verb.head
        if verb.dep_ == "pcomp" and head.dep_ == "prep":  # "achieved a triumph by capturing"
            head = head.head
        if verb.dep_ in ("xcomp", "advcl", "conj", "pcomp") and head.pos_ in ("VERB", "AUX"):
            return [(e, f * INHERITED) for e, f in self.verb_subjects(head, hops + 1)]
        if verb.dep_ == "acl" and head.pos_ == "NOUN":  # "airstrikes targeting X"
            return self._owner(head)
        return []

    def _leaders(self, noun: Token) -> list[Candidate]:
        """Who leads or operates the actor a noun names: "rebels led by HTS", "a drone
        operated by the FSA". The guidelines accept either as the actor."""
        return [
            c
            for acl in noun.children
            if acl.dep_ == "acl" and acl.tag_ == "VBN" and acl.lemma_.lower() in self.leading_verbs
            for a in acl.children
            if a.dep_ == "agent"
            for o in a.children
            if o.dep_ == "pobj"
            for c in self.entities(o)
        ]

    def _owner(self, noun: Token) -> list[Candidate]:
        """Who performs the act an event noun names."""
        found = [c for c in self._modifiers(noun) if not self.is_site(c[0])]
        found += [c for o in _prep_objects(noun, ("by",)) for c in self.entities(o)]
        found += self._leaders(noun)
        if found:
            return found
        head = noun.head
        if noun.dep_ == "dobj" and head.lemma_ in self.light_verbs:
            return self.verb_subjects(head)
        if noun.dep_ == "pobj" and head.head.lemma_ in self.light_verbs:
            return self.verb_subjects(head.head)  # "engaged in clashes with"
        if noun.dep_ == "conj" and head.pos_ == "NOUN":
            return self._owner(head)
        return []

    def _described(self, noun: Token) -> list[Candidate]:
        """What an agent noun refers to: "Russia, an ally of", "X is the leader of"."""
        head = noun.head
        if noun.dep_ in ("appos", "compound"):
            return self.entities(head) if head.i in self.ent_of else self._entities_here(head, 0)
        if noun.dep_ in ("attr", "acomp") and head.pos_ in ("AUX", "VERB"):
            return self.verb_subjects(head)
        if noun.dep_ == "pobj" and head.lower_ == "as" and head.head.pos_ in ("VERB", "AUX"):
            return self.verb_subjects(head.head)
        return [c for child in noun.children if child.dep_ == "appos" for c in self.entities(child)]

    def _event_object(self, noun: Token, role: Role | None) -> list[Candidate]:
        """Where an event noun's target stands when its own prepositions name none: a site
        that modifies it ("the Aleppo offensive"), or a preposition the parser hung on the
        light verb ("carried out airstrikes | on X")."""
        found = [c for c in self._modifiers(noun) if self.is_site(c[0])]
        head = noun.head
        if not found and role and noun.dep_ == "dobj" and head.lemma_ in self.light_verbs:
            found = [c for o in _prep_objects(head, role.preps) for c in self._target(o, role)]
        return found

    def _possessors(self, noun: Token) -> list[Candidate]:
        """The owner of a relational noun: "Assad's allies", "his supporters"."""
        return [
            c
            for child in noun.children
            if child.dep_ == "poss"
            for c in self._entities_here(child, 0)
        ]

    def _described_inside(self, noun: Token) -> list[Candidate]:
        """Who a possessed relational noun names inside its own phrase: its other modifiers
        and appositions ("his Russian supporters", "Assad's allies Russia and Iran")."""
        found = [c for c in self._modifiers(noun, skip=("poss",))]
        return found + [
            c for child in noun.children if child.dep_ == "appos" for c in self.entities(child)
        ]

    def _companion(self, marker: Token) -> tuple[list[Candidate], list[Candidate]]:
        """ "X, together with Y, launched ...", "X along with Y", "X fought alongside Y":
        X and Y act jointly. The marker is the adverb or preposition of the trigger."""
        prep = marker
        if marker.dep_ == "advmod" and marker.head.dep_ == "prep":
            prep = marker.head  # "together with": "together" hangs under "with"
        else:
            prep = next((c for c in marker.children if c.dep_ == "prep"), marker)
        objects = [c for o in prep.children if o.dep_ == "pobj" for c in self.entities(o)]
        host = prep.head
        if host.i == marker.i:
            host = marker.head
        if host.pos_ in ("VERB", "AUX"):
            return self.verb_subjects(host), objects
        return self.entities(host), objects

    def _between(self, between: Token) -> tuple[list[Candidate], list[Candidate]]:
        objects = [c for o in between.children if o.dep_ == "pobj" for c in self.entities(o)]
        node = between.head
        for _ in range(5):
            if node.i in self.ent_of:
                return [(self.ent_of[node.i], 1.0)], objects
            if node.pos_ in ("VERB", "AUX"):  # "X lies between", "X is seen as a link between"
                return [
                    c
                    for child in node.children
                    if child.dep_ in ("nsubj", "nsubjpass")
                    for c in self.entities(child)
                ], objects
            if node.dep_ == "appos" or node.head.i == node.i:
                node = node.head
                if node.i in self.ent_of:
                    return [(self.ent_of[node.i], 1.0)], objects
            node = node.head
        return [], objects

    # -- assertion -----------------------------------------------------------------------
    def asserted(self, trigger: Token, blockers: Blockers) -> bool:
        """False for negated, denied, planned, modal or conditional statements."""
        for tok in _clause_chain(trigger):
            for child in tok.children:
                if child.lower_ in NEGATORS and child.dep_ in ("neg", "det", "advmod"):
                    return False
                if child.dep_ == "aux" and child.lower_ in blockers.modals:
                    return False
                if child.dep_ == "mark" and child.lower_ in blockers.marks:
                    return False
            if tok.i != trigger.i and tok.lemma_.lower() in blockers.verbs:
                return False
        return True


def _clause_chain(tok: Token) -> Iterator[Token]:
    """The trigger and the words it depends on, up to the root of its own statement."""
    yield tok
    while tok.head.i != tok.i and tok.dep_ not in ("relcl", "appos", "acl", "amod"):
        tok = tok.head
        yield tok


def _relative_head(tok: Token) -> Token | None:
    node = tok
    while node.head.i != node.i:
        if node.dep_ == "relcl":
            return node.head
        node = node.head
    return None


def _passive(verb: Token) -> bool:
    if any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children):
        return True
    return verb.tag_ == "VBN" and verb.dep_ in ("amod", "acl")


def _prep_objects(tok: Token, preps: tuple[str, ...]) -> Iterator[Token]:
    """Objects of the given prepositions, also behind a particle ("closing in on X")."""
    for child in tok.children:
        if child.dep_ == "prep" and child.lower_ in preps:
            yield from (o for o in child.children if o.dep_ in ("pobj", "pcomp"))
        elif child.dep_ == "prt":
            yield from _prep_objects(child, preps)


def _dedupe(found: list[Candidate]) -> list[Candidate]:
    best: dict[tuple[int, int], Candidate] = {}
    for ent, factor in found:
        key = (ent.start, ent.end)
        if key not in best or best[key][1] < factor:
            best[key] = (ent, factor)
    return list(best.values())
