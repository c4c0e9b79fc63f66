"""Find the two ends of a fact around its trigger word in a dependency parse.

The rules (rules.py) say which words trigger which predicate and in which frame; this
module knows English syntax: active and passive voice, relative clauses, appositions,
coordination, participle modifiers ("Iran-backed"), light verbs ("carried out strikes")
and subjects shared along a chain of clauses ("..., targeting rebel positions").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from spacy.tokens import Span, Token

from etl.extraction.rules import Blockers, Role, Rule, WordLists

MODIFIER_DEPS = {"compound", "amod", "nmod", "poss", "npadvmod"}
RELATIVE_PRONOUNS = {"which", "who", "whom", "that", "whose", "where"}
NEGATORS = {"no", "not", "never", "n't"}
EXAMPLE_PREPS = {"including", "like"}
COMPANION_MARKERS = {"together", "jointly", "along"}
PARTICLES = {"back", "away", "down", "out", "over"}  # adverbs a verb's preposition hangs on
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
        words: WordLists | None = None,
        is_place: Callable[[Span], bool] = lambda ent: False,
    ):
        self.ent_of = ent_of
        self.light_verbs = light_verbs
        self.antecedent = antecedent
        self.offices = offices or set()
        self.is_site = is_site  # a place that is no actor (a city, not a country)
        self.is_place = is_place  # any place, countries included
        self.leading_verbs = leading_verbs  # "rebels led by HTS"
        self.words = words or WordLists()

    def ends(self, rule: Rule, trigger: Token) -> tuple[list[Candidate], list[Candidate]]:
        """Subject and object candidates of `rule` at `trigger`."""
        if rule.frame == "between":
            return self._between(trigger)
        if rule.frame == "companion":
            return self._companion(trigger)
        if rule.frame == "control_phrase":
            return self._control_phrase(trigger, rule.cues)
        if rule.frame == "mutual":
            return self._mutual(trigger)
        if rule.frame == "link":
            return self._link(trigger)
        if rule.object and "between" in rule.object.preps:
            parties = self._parties(trigger)
            if parties:  # "clashes between HTS and government troops"
                return parties[:1], parties[1:]
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
        if rule.frame == "event_noun":
            subjects, objects = self._event_ends(trigger, rule.object, subjects, objects)
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
        if tok.i in self.ent_of and depth < 4:  # "Daraa province, including the crossing"
            found += self._examples(tok, depth)
        for child in tok.children:
            if child.dep_ == "conj" and depth < 4:
                found += self.entities(child, depth + 1)
            if child.dep_ == "appos" and tok.i in self.ent_of and depth < 4:
                found += [  # "Aleppo, the largest city, and Hama": Hama hangs on "city"
                    c
                    for conj in child.children
                    if conj.dep_ == "conj" and conj.i in self.ent_of
                    for c in self.entities(conj, depth + 1)
                ]
        if depth < 4:
            found += self._direction_conjuncts(tok, depth)
        return _dedupe(found)

    def _direction_conjuncts(self, tok: Token, depth: int = 0) -> list[Candidate]:
        """ "Aleppo in the north and Hama in the centre", "the city of Hama to the north
        and Aleppo": the parser hangs the second place on the compass word."""
        return [
            c
            for o in _prep_objects(tok, ("in", "to"))
            if o.lemma_.lower() in self.words.directions
            for conj in o.children
            if conj.dep_ == "conj" and conj.i in self.ent_of
            for c in self.entities(conj, depth + 1)
        ]

    def _entities_here(self, tok: Token, depth: int, skip: int = -1) -> list[Candidate]:
        if tok.i in self.ent_of:
            return [(self.ent_of[tok.i], 1.0)]
        if tok.lower_ in RELATIVE_PRONOUNS and tok.tag_ in ("WDT", "WP", "WP$", "WRB"):
            head = _relative_head(tok)
            return self._entities_here(head, depth + 1) if head is not None and depth < 4 else []
        if depth >= 4:
            return []
        named = tok.lemma_.lower() not in self.words.place_nouns and any(
            c.dep_ in ("compound", "amod", "nmod") and c.i in self.ent_of for c in tok.children
        )  # "the Kurdish YPG militia, the backbone of the SDF": the YPG, not the SDF
        found = [
            c
            for child in tok.children
            if child.dep_ == "appos" and child.i != skip and not named
            for c in self.entities(child, depth + 1)  # "his supporters Iran and Hezbollah"
        ]
        found = found or self._agents(tok)  # "the offensive by the rebels", "... led by HTS"
        if not found:  # "rebel positions", "the Ras al-Ain area"; not "Syria's largest city",
            # nor "Russia's allies" (who are not Russia; "their Russian allies" are)
            partner = tok.lemma_.lower() in self.words.partner_nouns
            found = self._modifiers(tok, skip=("poss",) if partner else ())
            if tok.lemma_.lower() in self.words.place_nouns:
                found = [c for c in found if self.is_site(c[0]) or not self.is_place(c[0])]
        found = found or self._of_objects(tok, depth) or self._examples(tok, depth)
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
        places it lies in and who is based there, if the role lists such prepositions
        (`within`). A named site also brings the place it lies in ("the Al-Thawra
        neighbourhood of Idlib")."""
        if self._munition(tok):  # "shot down Israeli missiles" targets no Israel
            return []
        found = self.entities(tok)
        if not role.within:
            return found or self._misplaced_examples(tok)
        if found:
            if all(self.is_site(e) for e, _ in found):
                found += [
                    c
                    for o in _prep_objects(tok, ("of", *role.within))
                    for c in self.entities(o)
                    if self.is_site(c[0])
                ]
            return _dedupe(found)
        for node in (tok, *tok.conjuncts):
            found += [c for o in _prep_objects(node, role.within) for c in self.entities(o)]
            found += self._occupants(node)
        return _dedupe(found)

    def _munition(self, tok: Token) -> bool:
        """A weapon in flight, or a number of them ("most of the missiles")."""
        nouns = [tok] + [o for o in _prep_objects(tok, ("of",))]
        return any(n.lemma_.lower() in self.words.munitions for n in nouns)

    def _occupants(self, noun: Token) -> list[Candidate]:
        """Who is based at an unnamed target: "bases where Iranian forces are located",
        "positions that house Iranian troops"."""
        found = []
        for rel in noun.children:
            if rel.dep_ != "relcl" or rel.lemma_.lower() not in self.words.occupant_verbs:
                continue
            where = any(c.lower_ == "where" for c in rel.children)
            deps = ("nsubj", "nsubjpass") if where else ("dobj",)
            found += [c for o in rel.children if o.dep_ in deps for c in self.entities(o)]
        return found

    def _misplaced_examples(self, obj: Token) -> list[Candidate]:
        """ "Rebels seized major cities, including Aleppo and Hama": the parser often hangs
        the list of places on the subject or the verb instead of the object."""
        verb = obj.head
        if obj.dep_ != "dobj" or obj.i in self.ent_of:
            return []
        hosts = [verb] + [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
        found = [c for h in hosts for c in self._examples(h, 0)]
        return found if found and all(self.is_site(e) for e, _ in found) else []

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
        for prep in role.preps:  # where a thing happens names a target only if it is a site
            found += [
                c
                for h in heads
                for o in _prep_objects(h, (prep,))
                for c in self._target(o, role)
                if prep not in role.within or self.is_site(c[0])
            ]
        if "dobj" in role.deps:
            found += self._stray_objects(trigger)
        if not found and role.within and self._unnamed_object(trigger, role):
            found = [  # "killed ten civilians | in Idlib": the parser hangs the place on the verb
                c
                for o in _prep_objects(trigger, role.within)
                for c in self.entities(o)
                if self.is_site(c[0])
            ]
        if not found and role.host and trigger.dep_ == "pobj" and trigger.head.lower_ in role.host:
            found = self._host_actors(trigger.head.head)
        return _dedupe(found)

    def _unnamed_object(self, trigger: Token, role: Role) -> bool:
        """Whether the trigger takes an object that names no entity ("ten civilians")."""
        return any(
            child.dep_ in role.deps and not self.entities(child) and not self._munition(child)
            for child in trigger.children
        )

    def _host_actors(self, host: Token) -> list[Candidate]:
        """Who acts in what a phrase attaches to: the subject of a verb, the owner of an
        event noun, or a named actor ("the army, with Russian backing, ...")."""
        if host.i in self.ent_of:
            return self.entities(host)
        if host.pos_ in ("VERB", "AUX"):
            return self._clause_actors(host)
        return self._owner(host) if host.pos_ == "NOUN" else []

    def _stray_objects(self, verb: Token) -> list[Candidate]:
        """Objects the parser coordinated with the verb ("seizing territories near X and
        the Y airport") or with a compass word of the verb ("... to the north and Z")."""
        found = [
            c
            for child in verb.children
            if child.dep_ == "conj" and child.pos_ in ("NOUN", "PROPN") and child.i in self.ent_of
            for c in self.entities(child)
        ]
        return found + self._direction_conjuncts(verb)

    def _default_subject(self, frame: str, trigger: Token) -> list[Candidate]:
        if frame == "verb":
            return self.verb_subjects(trigger)
        if frame == "event_noun":
            return self._owner(trigger)
        return self.described(trigger)

    def _default_object(self, frame: str, trigger: Token) -> list[Candidate]:
        if frame != "verb":
            return []
        if _passive(trigger):
            if trigger.dep_ in PARTICIPLE_DEPS:  # "Iran-backed militias", "the HTS-held city"
                return self._modified(trigger.head)
            if trigger.dep_ == "advcl" and trigger.i < trigger.head.i:
                return self.verb_subjects(trigger.head)  # "Backed by Russia, the army took"
            return [
                c
                for child in trigger.children
                if child.dep_ == "nsubjpass"
                for c in self.entities(child)
            ]
        found = [
            c
            for child in trigger.children
            if child.dep_ in ("dobj", "attr")
            for c in self.entities(child) or self._misplaced_examples(child)
        ]
        if not found:  # "recaptured eastern Aleppo": the parser made the name after the
            found = [  # verb an adverb or a second subject
                (self.ent_of[c.i], 1.0)
                for c in trigger.children
                if c.dep_ in ("npadvmod", "nsubj") and c.i in self.ent_of and c.i > trigger.i
            ]
        return _dedupe(found + self._stray_objects(trigger))

    def _modified(self, noun: Token) -> list[Candidate]:
        """What a participle modifies: "regime-held west Aleppo" (through an adjective),
        "Latakia, a city once dominated by X" (through an apposition)."""
        if noun.i not in self.ent_of and noun.dep_ == "amod" and noun.head.i in self.ent_of:
            noun = noun.head
        found = self.entities(noun)
        if not found and noun.dep_ == "appos" and noun.head.i in self.ent_of:
            found = self.entities(noun.head)
        if not found and noun.dep_ == "dobj" and noun.head.lemma_ in self.light_verbs:
            found = self.verb_subjects(noun.head)  # "pressed a Russian-backed offensive"
        return found

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
            if agents or verb.dep_ not in PARTICIPLE_DEPS:
                return agents
            return self._modifiers(verb)  # "Iran-backed": Iran is npadvmod of backed
        subjects = [
            c
            for child in verb.children
            if child.dep_ in ("nsubj", "csubj")
            for c in (
                self.entities(child) + self._leaders(child) + self._companions(child)
                or self._act_owner(child)
            )
        ]
        if subjects:
            subjects += self._companions(verb)  # "X, jointly with Y, launched"
        if subjects or hops > 3:
            return _dedupe(subjects)
        head = verb.head
        if verb.dep_ == "pcomp" and head.dep_ == "prep":  # "achieved a triumph by capturing"
            helped = [
                c
                for o in head.head.children
                if o.dep_ == "dobj" and head.lower_ in ("of", "for", "in")
                for c in self.entities(o)
            ]
            if helped and head.lower_ != "in":  # "accused the regime of bombing"
                return helped
            if helped:  # "aided the army in recapturing": both act
                return _dedupe(helped + self.verb_subjects(head.head, hops + 1))
            head = head.head
        if verb.dep_ == "xcomp" and _passive(head):  # "rebels were reported to be advancing"
            raised = [c for s in head.children if s.dep_ == "nsubjpass" for c in self.entities(s)]
            if raised:
                return raised
        if verb.dep_ in ("xcomp", "advcl", "conj", "pcomp") and head.pos_ in ("VERB", "AUX"):
            return [(e, f * INHERITED) for e, f in self.verb_subjects(head, hops + 1)]
        if verb.dep_ == "acl" and head.pos_ == "NOUN":  # "airstrikes targeting X"
            return self._owner(head)
        return []

    def _act_owner(self, subj: Token) -> list[Candidate]:
        """The actor behind an act that is a clause's subject: "a surprise attack that
        killed soldiers" (the attackers of "took Aleppo in a surprise attack")."""
        noun = _relative_head(subj) if subj.lower_ in RELATIVE_PRONOUNS else subj
        if noun is None or noun.pos_ != "NOUN" or noun.i in self.ent_of:
            return []
        if noun.lemma_.lower() in self.words.partner_nouns:
            return []  # "Russia's allies captured ...": not Russia
        return self._owner(noun)

    def _companions(self, node: Token) -> list[Candidate]:
        """Who acts together with a subject or a verb: "Turkey, together with the FSA",
        "the Turkish army with militants" (a bare "with" only on a named subject)."""
        found = []
        for prep in node.children:
            if prep.dep_ != "prep" or prep.lower_ not in ("with", "alongside"):
                continue
            marked = any(c.lower_ in COMPANION_MARKERS for c in prep.children)
            if marked or prep.lower_ == "alongside" or node.i in self.ent_of:
                found += [c for o in prep.children if o.dep_ == "pobj" for c in self.entities(o)]
        return found

    def _agents(self, noun: Token) -> list[Candidate]:
        """Who performs what a noun names, by a phrase attached to it: "the offensive by the
        rebels", "the offensive led by HTS", "the blows delivered by Israel"."""
        found = [c for o in _prep_objects(noun, ("by",)) for c in self.entities(o)]
        found += self._leaders(noun)
        return found + self._participle_agents([noun], self.light_verbs)

    def _leaders(self, noun: Token) -> list[Candidate]:
        """Who leads or operates the actor a noun names: "rebels led by HTS", "a drone
        operated by the FSA". The guidelines accept either as the actor."""
        hosts = [noun] + [  # "an airstrike with contested responsibility perpetrated by"
            o for p in noun.children if p.dep_ == "prep" for o in p.children if o.dep_ == "pobj"
        ]
        return self._participle_agents(hosts, self.leading_verbs)

    def _participle_agents(self, hosts: list[Token], verbs: frozenset[str]) -> list[Candidate]:
        """The agents of participles of `verbs` modifying the hosts: "X led by Y", and
        "HTS-led fighters" (the name joined to the participle)."""
        found = [
            c
            for host in hosts
            for acl in host.children
            if acl.dep_ == "acl" and acl.tag_ == "VBN" and acl.lemma_.lower() in verbs
            for a in acl.children
            if a.dep_ == "agent"
            for o in a.children
            if o.dep_ == "pobj"
            for c in self.entities(o)
        ]
        return found + [  # not "the Kurdish-dominated city of Afrin": a place is no actor
            (self.ent_of[m.i], 1.0)
            for host in hosts
            if host.lemma_.lower() not in self.words.place_nouns
            for amod in host.children
            if amod.dep_ == "amod" and amod.lemma_.lower() in verbs and amod.i < host.i
            for m in amod.children
            if m.dep_ in ("npadvmod", "compound") and m.i in self.ent_of and m.i < amod.i
        ]

    def _owner(self, noun: Token) -> list[Candidate]:
        """Who performs the act an event noun names."""
        found = [c for c in self._modifiers(noun) if not self.is_site(c[0])]
        found += [c for o in _prep_objects(noun, ("by", "from")) for c in self.entities(o)]
        found += self._agents(noun)
        noun = self._counted(noun)
        head = noun.head
        if noun.dep_ in ("dobj", "nsubjpass") and head.lemma_ in self.light_verbs:
            # "SNA joined the offensive", "strikes were carried out by Russian aircraft"
            return _dedupe(found + self.verb_subjects(head))
        if found:
            return found
        if noun.dep_ == "pobj" and head.head.lemma_ in self.light_verbs:
            return self._clause_actors(head.head)  # "engaged in clashes with"
        if noun.dep_ == "conj" and head.pos_ == "NOUN":
            return self._owner(head)
        if noun.dep_ in ("dobj", "pobj"):
            verb = head if noun.dep_ == "dobj" else head.head
            if verb.lemma_.lower() in self.words.outcome_verbs:
                return self._cause(verb)  # "the offensive, which saw the fall of Aleppo"
            if noun.dep_ == "pobj" and head.lower_ in ("in", "during") and verb.pos_ == "VERB":
                return self._clause_actors(verb)  # "took Aleppo in a surprise attack"
        return []

    def _clause_actors(self, verb: Token) -> list[Candidate]:
        """Who acts in a clause: its subject, or the subject of a passive verb that takes
        no agent ("forces have been engaged in fighting")."""
        found = self.verb_subjects(verb)
        if not found and _passive(verb):
            found = [c for s in verb.children if s.dep_ == "nsubjpass" for c in self.entities(s)]
        return found

    def _cause(self, verb: Token) -> list[Candidate]:
        """The actor of the act that brought an outcome about: the owner of the verb's
        subject ("the rebels' offensive saw ...", "an offensive by the rebels, which saw")."""
        found = []
        for subj in verb.children:
            if subj.dep_ != "nsubj":
                continue
            if subj.lower_ in RELATIVE_PRONOUNS:
                subj = _relative_head(subj) or subj
            found += self.entities(subj) if subj.i in self.ent_of else self._owner(subj)
        return found

    def described(self, noun: Token) -> list[Candidate]:
        """What an agent noun refers to: "Russia, an ally of", "X is the leader of"."""
        head = self._apposed(noun)
        if noun.dep_ in ("appos", "compound"):
            if head.i in self.ent_of:
                return self.entities(head)
            return self._entities_here(head, 0, skip=noun.i)
        if noun.dep_ in ("attr", "acomp") and head.pos_ in ("AUX", "VERB"):
            return self.verb_subjects(head)
        if noun.dep_ == "pobj" and head.lower_ == "as" and head.head.pos_ in ("VERB", "AUX"):
            verb = head.head  # "X served as ...", "X was sworn in as president"
            return self.verb_subjects(verb) or [
                c for ch in verb.children if ch.dep_ == "nsubjpass" for c in self.entities(ch)
            ]
        return [c for child in noun.children if child.dep_ == "appos" for c in self.entities(child)]

    def _apposed(self, noun: Token) -> Token:
        """What a noun in apposition describes. After a phrase that ends in a place ("Qara,
        west of Kobani, another town under SDF control"; "between Tal Rifaat and Manbij,
        another area ...") the parser often hangs it higher up; the place next to it is
        meant."""
        before = noun.left_edge.i - 2
        if noun.dep_ == "appos" and before >= 0 and noun.doc[before + 1].text == ",":
            ent = self.ent_of.get(before)
            if ent is not None and ent.end - 1 == before and self.is_place(ent):
                return ent.root
        return noun.head

    def _event_object(self, noun: Token, role: Role | None) -> list[Candidate]:
        """Where an event noun's target stands when its own prepositions name none: a site
        that modifies it ("the Aleppo offensive"), a preposition the parser hung on the
        light verb ("carried out airstrikes | on X", "the blows delivered | against X"), a
        site where the reporting verb places it ("reported fire | in X"), or what the
        clause it happened in took ("took Aleppo in a surprise attack"). Sites and
        clause objects only for rules whose object may be a place (`within`)."""
        if not role:
            return []
        found = [c for c in self._modifiers(noun) if self.is_site(c[0])]  # "Aleppo offensive"
        if found and role.within:
            return found
        noun = self._counted(noun)
        head = noun.head
        hosts = [  # "the blows delivered by Israel against X"
            acl
            for acl in noun.children
            if acl.dep_ == "acl" and acl.tag_ == "VBN" and acl.lemma_.lower() in self.light_verbs
        ]
        if noun.dep_ == "compound":  # "its Operation Freedom Dawn, launched against X"
            hosts += [head] + [a for a in head.children if a.dep_ == "acl" and a.tag_ == "VBN"]
        if noun.dep_ == "dobj" and head.lemma_ in self.light_verbs:
            hosts.append(head)
        found = [
            c for h in hosts for o in _prep_objects(h, role.preps) for c in self._target(o, role)
        ]
        if not found and noun.dep_ == "dobj" and role.within:  # "reported fire in X"
            found = [
                c
                for o in _prep_objects(head, role.within)
                for c in self.entities(o)
                if self.is_site(c[0])
            ]
        if not found and role.within and noun.dep_ == "pobj" and head.lower_ in ("in", "during"):
            verb = head.head  # "took control of Aleppo in a surprise attack"
            if verb.pos_ == "VERB" and not _passive(verb):
                found = [
                    c
                    for o in (
                        *(c for c in verb.children if c.dep_ == "dobj"),
                        *_prep_objects(verb, ("of",)),
                    )
                    for c in self.entities(o)
                ]
        return found

    def _event_ends(
        self,
        noun: Token,
        role: Role | None,
        subjects: list[Candidate],
        objects: list[Candidate],
    ) -> tuple[list[Candidate], list[Candidate]]:
        """Where an event noun's ends stand when its own phrase does not say."""
        if not objects:
            objects = self._event_object(noun, role)
        if role and role.within:  # "Baghdadi was killed in a US raid"
            objects = _dedupe(objects + self._victims(noun))
        verb = noun.head.head  # "X and Y engaged in fierce combat": the two sides
        mutual = role and "between" in role.preps and verb.lemma_ in self.light_verbs
        if not objects and mutual and noun.dep_ == "pobj":
            return self._mutual(verb)
        if not objects and noun.dep_ in ("appos", "attr"):
            objects = self.described(noun)  # "Idlib, a rebel stronghold"
        return subjects, objects

    def _victims(self, noun: Token) -> list[Candidate]:
        """ "Baghdadi was killed in a US raid": who the act killed or hit was its target."""
        head = noun.head
        verb = head.head
        if not (
            noun.dep_ == "pobj"
            and head.lower_ in ("in", "by", "during")
            and verb.lemma_.lower() in self.words.victim_verbs
            and _passive(verb)
        ):
            return []
        return [c for ch in verb.children if ch.dep_ == "nsubjpass" for c in self.entities(ch)]

    def _counted(self, noun: Token) -> Token:
        """ "dozens of raids", "a wave of airstrikes": the count stands in the clause."""
        head = noun.head
        if (
            noun.dep_ == "pobj"
            and head.lower_ == "of"
            and head.head.lemma_.lower() in self.words.quantities
        ):
            return head.head
        return noun

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
        if marker.lower_ == "with" and not (  # a bare "with": "the Turkish army with militants"
            host.i in self.ent_of and host.dep_ in ("nsubj", "nsubjpass")
        ):
            return [], []
        if host.pos_ in ("VERB", "AUX"):
            return self.verb_subjects(host), objects
        return self.entities(host), objects

    def _mutual(self, verb: Token) -> tuple[list[Candidate], list[Candidate]]:
        """ "The YPG and IS fought over Kobani": coordinated subjects are the two sides,
        unless the verb takes an object or a phrase names a partner or a side ("fought
        alongside X", "fought for Assad", "on the side of the army"), and only when each
        conjunct names an actor (not "Russian and Syrian jets", which is one side)."""
        mutual = self.words.mutual_objects  # "exchanged fire", "traded blows"
        if any(c.dep_ == "dobj" and c.lemma_.lower() not in mutual for c in verb.children):
            return [], []
        for prep in (c for c in verb.children if c.dep_ == "prep"):
            if prep.lower_ in SIDE_PREPS:
                return [], []
            objects = [o for o in prep.children if o.dep_ in ("pobj", "pcomp")]
            if any(o.lemma_.lower() in ("side", "behalf") for o in objects) or any(
                not self.is_place(e) for o in objects for e, _ in self.entities(o)
            ):
                return [], []  # "fought for Assad", "on the side of the army"
        for subj in (c for c in verb.children if c.dep_ == "nsubj"):
            sides = [subj, *(c for c in subj.children if c.dep_ == "conj")]
            found = [self._entities_here(side, 0) for side in sides]
            if len(sides) > 1 and all(found):
                return found[0], [c for f in found[1:] for c in f]
        return [], []

    def _parties(self, trigger: Token) -> list[Candidate]:
        """The sides named by "between A and B" on a trigger, if there are two or more."""
        found = _dedupe([c for o in _prep_objects(trigger, ("between",)) for c in self.entities(o)])
        return found if len(found) > 1 else []

    def _control_phrase(
        self, noun: Token, cues: frozenset[str]
    ) -> tuple[list[Candidate], list[Candidate]]:
        """ "Kobani, a city under SDF control", "Idlib is under the control of HTS": the
        owner of the noun holds what the phrase describes. "HTS remains in control of
        Idlib": the clause's actor holds the noun's of-object. With `cues`, only when one
        of them modifies the phrase or is its verb ("now under X's control")."""
        prep = noun.head
        if noun.dep_ != "pobj" or prep.lower_ not in ("under", "in"):
            return [], []
        host = prep.head
        if cues and not (
            host.lemma_.lower() in cues
            or any(
                c.dep_ == "advmod" and c.lower_ in cues for n in (prep, host) for c in n.children
            )
        ):
            return [], []
        if prep.lower_ == "in" and noun.lemma_.lower() != "hand":  # "in the hands of X"
            held = [c for o in _prep_objects(noun, ("of", "over")) for c in self.entities(o)]
            return (self._holder(host) if held else []), held
        owners = self._modifiers(noun) + self._of_objects(noun, 0)
        return owners, (self._holder(host) if owners else [])

    def _holder(self, host: Token) -> list[Candidate]:
        """What a phrase attached to `host` describes: the entity itself, the subject of
        the verb, or what a noun in apposition stands for ("another area under ...")."""
        if host.i in self.ent_of:
            return self.entities(host)
        if host.pos_ in ("VERB", "AUX"):
            return self._clause_actors(host)
        return self.described(host) or self._entities_here(host, 0)

    def _link(self, verb: Token) -> tuple[list[Candidate], list[Candidate]]:
        """ "Manbij, a crossroads connecting Aleppo with Raqqa", "Khan Sheikhoun, on the
        road linking Hama to Idlib": the place described lies between the two joined."""
        ends = [c for child in verb.children if child.dep_ == "dobj" for c in self.entities(child)]
        ends += [c for o in _prep_objects(verb, ("to", "with")) for c in self.entities(o)]
        if len(ends) < 2:
            return [], []
        if verb.dep_ != "acl":
            return self.verb_subjects(verb), ends
        return self.described(verb.head) or self._on_the_way(verb.head), ends

    def _locates(self, noun: Token) -> bool:
        """Whether what a noun describes can lie between places: a place, a road, a link
        ("a town between", "the road between", "a link between"), not "the border" or
        "positions" on the way to a clause about something else."""
        return noun.lemma_.lower() in self.words.between_nouns or self._is_way(noun)

    def _is_way(self, tok: Token) -> bool:
        """A road or a river: what lies on it lies between the places it joins."""
        return tok.lemma_.lower() in self.words.way_nouns

    def _on_the_way(self, noun: Token) -> list[Candidate]:
        """What lies on a road or river: "Khan Sheikhoun, on the road ..."."""
        prep = noun.head
        if noun.dep_ == "pobj" and prep.lower_ in WAY_PREPS:
            return self.entities(prep.head)
        return []

    def _between(self, between: Token) -> tuple[list[Candidate], list[Candidate]]:
        objects = [c for o in between.children if o.dep_ == "pobj" for c in self.entities(o)]
        node = between.head
        if node.i in self.ent_of and node.dep_ == "pobj" and node.head.lower_ in WAY_PREPS:
            node = node.head.head  # "the dam lies on the Euphrates between A and B"
        elif node.i in self.ent_of and node.dep_ == "dobj" and self._is_way(node):
            node = node.head  # "X, which straddles the M5 highway between A and B"
        for _ in range(5):
            if node.i in self.ent_of:
                return [(self.ent_of[node.i], 1.0)], objects
            if node.pos_ in ("VERB", "AUX") or any(c.dep_ == "nsubj" for c in node.children):
                # "X lies between" (the tagger may call "lies" a noun), "X is seen as a link",
                # "X, located between"
                subjects = [
                    c
                    for child in node.children
                    if child.dep_ in ("nsubj", "nsubjpass")
                    for c in self.entities(child)
                ]
                if not subjects and node.dep_ == "acl":
                    subjects = self.entities(node.head)
                return subjects, objects
            if node.dep_ == "appos" or node.head.i == node.i:
                node = node.head
                if node.i in self.ent_of:
                    return [(self.ent_of[node.i], 1.0)], objects
            elif node.pos_ == "NOUN" and not self._locates(node):
                return [], objects  # "hitting positions along the border between A and B"
            node = node.head
        return [], objects

    # -- assertion -----------------------------------------------------------------------
    def asserted(self, trigger: Token, blockers: Blockers, frame: str = "verb") -> bool:
        """False for negated, denied, planned, modal or conditional statements. A relational
        noun that is a title before a name or an argument of the clause ("HTS leader
        al-Jolani could visit", "had not abandoned its Kurdish allies") states its fact
        whatever the clause says, so only its own words count; as a predicate ("is not an
        ally of") it is the clause's statement."""
        presupposed = frame == "agent_noun" and trigger.dep_ in PRESUPPOSING_DEPS
        chain = [trigger] if presupposed else list(_clause_chain(trigger))
        top = chain[-1]
        if top.dep_ == "acl" and any(  # "there is no sign that HTS is moving on Damascus"
            c.dep_ == "det" and c.lower_ in NEGATORS for c in top.head.children
        ):
            return False
        for tok in chain:
            for child in tok.children:
                if child.lower_ in NEGATORS and child.dep_ in ("neg", "det", "advmod"):
                    return False
                if child.dep_ == "advmod" and any(  # "no longer"
                    g.lower_ in NEGATORS for g in child.children if g.dep_ in ("neg", "advmod")
                ):
                    return False
                if child.dep_ == "aux" and child.lower_ in blockers.modals:
                    return False
                if child.dep_ == "mark" and child.lower_ in blockers.marks:
                    return False
                if child.dep_ == "amod" and child.lower_ in blockers.adjectives:
                    return False
                if child.dep_ == "advmod" and child.lower_ in blockers.adverbs:
                    return False
            if tok.i != trigger.i and {tok.lemma_.lower(), tok.lower_} & blockers.verbs:
                return False
        return True


WAY_PREPS = ("on", "along", "astride")  # what lies on a road or a river
SIDE_PREPS = ("with", "alongside", "beside", "against", "between")  # a partner or a side
PARTICIPLE_DEPS = ("amod", "acl", "compound")  # "the HTS-held city", "HTS-run Idlib"
PRESUPPOSING_DEPS = ("compound", "dobj", "pobj", "nsubj", "nsubjpass")


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
    if verb.tag_ == "VBN" and any(c.dep_ == "agent" for c in verb.children):
        return True  # "Backed by Russia, the army ..."
    if any(  # "the airstrikes targeted X", "the airstrikes targeted and destroyed X"
        c.dep_ == "dobj" or (c.dep_ == "conj" and any(d.dep_ == "dobj" for d in c.children))
        for c in verb.children
    ):
        return False
    hyphenated = verb.i > 0 and verb.doc[verb.i - 1].text == "-"  # "HTS-run", tagged VB
    return (verb.tag_ == "VBN" or hyphenated) and verb.dep_ in PARTICIPLE_DEPS


def _prep_objects(tok: Token, preps: tuple[str, ...]) -> Iterator[Token]:
    """Objects of the given prepositions, also behind a particle ("closing in on X",
    "fell back to X") and in a coordinated preposition ("in A and in B")."""
    for child in tok.children:
        if child.dep_ in ("prep", "dative") and child.lower_ in preps:  # dative: "sent X to Y"
            yield from (o for o in child.children if o.dep_ in ("pobj", "pcomp"))
            for conj in child.children:
                if conj.dep_ == "conj" and conj.pos_ == "ADP" and conj.lower_ in preps:
                    yield from (o for o in conj.children if o.dep_ in ("pobj", "pcomp"))
        elif child.dep_ == "prt" or (
            child.dep_ in ("advmod", "prep") and child.lower_ in PARTICLES
        ):  # "fell back to X", "drove IS out of X"
            yield from _prep_objects(child, preps)
        elif child.dep_ == "acl" and child.lower_ in preps:  # "an offensive targeting X"
            yield from (o for o in child.children if o.dep_ == "dobj")


def _dedupe(found: list[Candidate]) -> list[Candidate]:
    best: dict[tuple[int, int], Candidate] = {}
    for ent, factor in found:
        key = (ent.start, ent.end)
        if key not in best or best[key][1] < factor:
            best[key] = (ent, factor)
    return list(best.values())
