"""A deterministic synthetic corpus for the loading benchmark.

`make_corpus(facts, entities, articles, seed)` returns GraphDocs as the mapping stage
would hand them to the stores: KB-like entities typed with an ontology class and its
lineage, facts whose predicates are the ontology's properties (subjects and objects
drawn from their domain and range), each an Edge with a short sentence and a confidence,
spread evenly over articles. Entity popularity is skewed (a few hubs, a long tail), as
in news, so the same fact is sometimes stated by several articles.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from dataclasses import dataclass
from functools import cached_property

from etl.models import Article, Edge, GraphDoc, Node
from etl.ontology import Ontology, entity_iri

# Share of entities per most specific class; each also gets the class's superclasses.
CLASS_MIX = {
    "Person": 20,
    "ArmedGroup": 20,
    "Government": 5,
    "Country": 3,
    "EthnoReligiousGroup": 2,
    "NewsOrganization": 2,
    "City": 20,
    "Town": 15,
    "Region": 8,
    "Facility": 5,
}
# Share of facts per predicate (all nine properties of the ontology).
PREDICATE_MIX = {
    "captured": 20,
    "targeted": 20,
    "foughtWith": 12,
    "controls": 10,
    "memberOf": 10,
    "alliedWith": 8,
    "advancingTowards": 8,
    "leaderOf": 7,
    "locatedBetween": 5,
}
VERBS = {
    "captured": "captured",
    "targeted": "shelled",
    "foughtWith": "clashed with",
    "controls": "controls",
    "memberOf": "is a commander in",
    "alliedWith": "joined forces with",
    "advancingTowards": "advanced towards",
    "leaderOf": "leads",
    "locatedBetween": "lies between the road to",
}
SYLLABLES = (  # noqa: SIM905 (one line of syllables reads better than a column)
    "al ar ba da fa ha ja ka kha la ma na qa ra sa sha ta wa ya za "
    "bin dir hal jab kaf mar nab qas rab sal tal zah mun har"
).split()
SUFFIX = {
    "Person": "",
    "ArmedGroup": " Brigade",
    "Government": " Council",
    "Country": "stan",
    "EthnoReligiousGroup": " people",
    "NewsOrganization": " News",
    "City": "",
    "Town": "",
    "Region": " Province",
    "Facility": " Airbase",
}


@dataclass
class Corpus:
    """The generated documents, and the entities once each (in generation order)."""

    docs: list[GraphDoc]
    nodes: list[Node]

    @cached_property
    def articles(self) -> list[Article]:
        return [d.article for d in self.docs]

    @cached_property
    def edges(self) -> list[Edge]:
        return [e for d in self.docs for e in d.edges]

    def mentioned(self) -> list[Node]:
        """The entities some fact uses (what every loader ends up with), in order."""
        used = {iri for d in self.docs for iri in (n.iri for n in d.nodes)}
        return [n for n in self.nodes if n.iri in used]


def _name(rng: random.Random, cls: str, index: int) -> str:
    word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
    return f"{word}{SUFFIX[cls]} {index}"


def _nodes(rng: random.Random, ontology: Ontology, count: int) -> list[Node]:
    classes = list(CLASS_MIX)
    picked = rng.choices(classes, weights=list(CLASS_MIX.values()), k=count)
    nodes = []
    for i, cls in enumerate(picked):
        name = _name(rng, cls, i)
        aliases = tuple(f"{name} ({n})" for n in range(rng.choice((0, 0, 1, 2))))
        wikidata = f"Q{rng.randrange(10**6, 10**8)}" if rng.random() < 0.3 else None
        nodes.append(Node(entity_iri(name), name, ontology.lineage(cls), aliases, wikidata))
    return nodes


class _Picker:
    """Draws entities of a class (or any) with a Zipf-like skew: rank r weighs 1/(r+1)^s."""

    def __init__(self, nodes: list[Node], skew: float):
        self.nodes = nodes
        self.skew = skew
        self._pools: dict[str | None, tuple[list[Node], list[float]]] = {}

    def _pool(self, cls: str | None) -> tuple[list[Node], list[float]]:
        if cls not in self._pools:
            pool = [n for n in self.nodes if cls is None or cls in n.classes]
            if not pool:
                raise ValueError(f"no synthetic entity of class {cls}; raise --entities")
            weights = (1.0 / (rank + 1) ** self.skew for rank in range(len(pool)))
            self._pools[cls] = (pool, list(itertools.accumulate(weights)))
        return self._pools[cls]

    def draw(self, rng: random.Random, cls: str | None, k: int) -> list[Node]:
        pool, cumulative = self._pool(cls)
        return rng.choices(pool, cum_weights=cumulative, k=k)


def make_corpus(
    facts: int,
    entities: int,
    articles: int,
    seed: int = 20261201,
    skew: float = 0.6,
    ontology: Ontology | None = None,
) -> Corpus:
    """`facts` edges over `entities` nodes, spread evenly over `articles` documents."""
    if ontology is None:
        from etl.ontology import load_ontology

        ontology = load_ontology()
    rng = random.Random(seed)
    nodes = _nodes(rng, ontology, entities)
    picker = _Picker(nodes, skew)
    predicates = rng.choices(list(PREDICATE_MIX), weights=list(PREDICATE_MIX.values()), k=facts)

    # Draw subjects and objects per predicate in bulk (fast), then deal them out in order.
    ends: dict[str, tuple[list[Node], list[Node]]] = {}
    for name, count in sorted(Counter(predicates).items()):
        prop = ontology.property(name)
        ends[name] = (
            picker.draw(rng, prop.domain, count),
            picker.draw(rng, prop.range, count),
        )
    cursor = dict.fromkeys(ends, 0)

    docs = []
    articles = max(1, min(articles, facts))
    for a in range(articles):
        lo, hi = facts * a // articles, facts * (a + 1) // articles
        edges, mentioned, sentences, offset = [], {}, [], 0
        for name in predicates[lo:hi]:
            i = cursor[name]
            cursor[name] += 1
            subject, obj = ends[name][0][i], ends[name][1][i]
            while obj is subject:  # no self-loops: redraw the object
                obj = picker.draw(rng, ontology.property(name).range, 1)[0]
            sentence = f"{subject.name} {VERBS[name]} {obj.name}."
            edges.append(
                Edge(
                    subject.iri,
                    name,
                    obj.iri,
                    sentence,
                    offset,
                    offset + len(sentence),
                    round(rng.uniform(0.55, 0.99), 2),
                )
            )
            mentioned[subject.iri] = subject
            mentioned[obj.iri] = obj
            sentences.append(sentence)
            offset += len(sentence) + 1
        article = Article(
            id=f"bench-{a:07d}",
            text=" ".join(sentences),
            title=f"Synthetic report {a}",
            url=f"https://news.example.org/bench/{a}",
            published=f"2024-{1 + a % 12:02d}-{1 + a % 28:02d}",
            source="synthetic",
        )
        docs.append(GraphDoc(article, list(mentioned.values()), edges))
    return Corpus(docs, nodes)
