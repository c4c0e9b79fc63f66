"""Extraction with the real spaCy model on sentences written for these tests."""

from __future__ import annotations

import pytest

from etl.models import Article, Extraction
from tests.conftest import MODEL

pytestmark = pytest.mark.model


def _run(extractor, text: str) -> Extraction:
    return next(extractor.extract([Article(id="t", text=text)]))


def _facts(extractor, text: str) -> set[tuple[str, str, str]]:
    return {
        (f.predicate, f.subject.entity.label, f.object.entity.label)
        for f in _run(extractor, text).facts
    }


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        (
            "Hayat Tahrir al-Sham fighters captured Saraqeb on Sunday.",
            ("captured", "Hayat Tahrir al-Sham", "Saraqeb"),
        ),
        (
            "Aleppo, which HTS had seized days earlier, was quiet on Monday.",
            ("captured", "Hayat Tahrir al-Sham", "Aleppo"),
        ),
        (
            "Russia, a close ally of Bashar al-Assad, sent more aircraft.",
            ("alliedWith", "Russia", "Bashar al-Assad"),
        ),
        (
            "Homs sits on the main road between Hama and Damascus.",
            ("locatedBetween", "Homs", "Hama"),
        ),
        (
            "Homs sits on the main road between Hama and Damascus.",
            ("locatedBetween", "Homs", "Damascus"),
        ),
        (
            "The Syrian Democratic Forces still control Raqqa.",
            ("controls", "Syrian Democratic Forces", "Raqqa"),
        ),
        (
            "Farms in the Israeli-occupied Golan Heights were closed to visitors.",
            ("controls", "Israel", "Golan Heights"),
        ),
        (
            "Syrian Democratic Forces spokesman Farhad Shami said the road was open.",
            ("memberOf", "Farhad Shami", "Syrian Democratic Forces"),
        ),
        (  # the modal is the analysts' guess, not the title's
            "Analysts say the fighting could weaken President Bashar al-Assad's government.",
            ("leaderOf", "Bashar al-Assad", "Syrian government"),
        ),
        (  # the parser hangs the place on the verb, not on the unnamed victims
            "Russian airstrikes killed ten civilians in Saraqeb on Monday.",
            ("targeted", "Russia", "Saraqeb"),
        ),
        (
            "Islamic State lost Raqqa to the SDF in 2017.",
            ("captured", "Syrian Democratic Forces", "Raqqa"),
        ),
        (
            "Islamic State lost Raqqa to the SDF in 2017.",
            ("controls", "Islamic State", "Raqqa"),
        ),
        (
            "Kurdish-led forces drove Islamic State out of Manbij.",
            ("captured", "Syrian Democratic Forces", "Manbij"),
        ),
        (
            "HTS was once affiliated with al-Qaeda.",
            ("alliedWith", "Hayat Tahrir al-Sham", "al-Qaeda"),
        ),
        (  # the count stands where the act would
            "Russian and Syrian aircraft carried out dozens of raids on Idlib.",
            ("targeted", "Syrian government", "Idlib"),
        ),
        (
            "The government-held city of Latakia is home to many Alawites.",
            ("controls", "Syrian government", "Latakia"),
        ),
        (  # the tagger calls "run" a verb in its base form
            "HTS-run Idlib has seen protests against the group.",
            ("controls", "Hayat Tahrir al-Sham", "Idlib"),
        ),
        (
            "HTS fighters battled government troops on the edges of Hama.",
            ("foughtWith", "Hayat Tahrir al-Sham", "Syrian government"),
        ),
        (
            "HTS and government forces exchanged fire near Saraqeb.",
            ("foughtWith", "Hayat Tahrir al-Sham", "Syrian government"),
        ),
        (  # coordinated subjects fight each other
            "The YPG and Islamic State clashed over Kobani.",
            ("foughtWith", "People's Protection Units", "Islamic State"),
        ),
        (
            "Heavy fighting erupted between Hezbollah and rebels near Qusayr.",
            ("foughtWith", "Hezbollah", "Syrian rebels"),
        ),
        (
            "Hezbollah fought for Assad in Qusayr.",
            ("alliedWith", "Hezbollah", "Bashar al-Assad"),
        ),
        (
            "Moscow has stood by Assad throughout the war.",
            ("alliedWith", "Russia", "Bashar al-Assad"),
        ),
        (  # the parser calls "to" a dative
            "The United States has provided weapons to the SDF.",
            ("alliedWith", "United States", "Syrian Democratic Forces"),
        ),
        (
            "Aleppo fell to HTS-led fighters within days.",
            ("captured", "Hayat Tahrir al-Sham", "Aleppo"),
        ),
        (
            "The flag flew over the Kurdish-dominated city of Afrin.",
            ("controls", "Kurds", "Afrin"),
        ),
        (
            "Daraa is under government control, but rebels remain active.",
            ("controls", "Syrian government", "Daraa"),
        ),
        (  # a person described as one of a group
            "Assad, an Alawite, relied on his own community.",
            ("memberOf", "Bashar al-Assad", "Alawites"),
        ),
        (
            "Mazloum Abdi is a Kurd.",
            ("memberOf", "Mazloum Abdi", "Kurds"),
        ),
        (  # positions of the state's forces are the government's
            "Israeli jets struck Syrian positions near Quneitra.",
            ("targeted", "Israel", "Syrian government"),
        ),
        (
            "Manbij is a strategic crossroads connecting Aleppo with Raqqa.",
            ("locatedBetween", "Manbij", "Raqqa"),
        ),
        (
            "The town of Khan Sheikhoun, on the road linking Hama to Idlib, was shelled.",
            ("locatedBetween", "Khan Sheikhoun", "Hama"),
        ),
        (  # what lies on the river lies between, not the river
            "The Tishreen Dam lies on the Euphrates between Manbij and Kobani.",
            ("locatedBetween", "Tishreen Dam", "Kobani"),
        ),
        (
            "Saraqeb, located between Idlib and Aleppo, sits at a junction.",
            ("locatedBetween", "Saraqeb", "Aleppo"),
        ),
        (
            "HTS joined forces with the SNA.",
            ("alliedWith", "Hayat Tahrir al-Sham", "Syrian National Army"),
        ),
        (
            "Abu Bakr al-Baghdadi, Islamic State's self-proclaimed caliph, was killed in 2019.",
            ("leaderOf", "Abu Bakr al-Baghdadi", "Islamic State"),
        ),
        (
            "Under Jolani's leadership, HTS cut ties with al-Qaeda.",
            ("leaderOf", "Abu Mohammed al-Jolani", "Hayat Tahrir al-Sham"),
        ),
        (
            "Deir ez-Zor city remains in the hands of the Syrian army.",
            ("controls", "Syrian government", "Deir ez-Zor"),
        ),
        (
            "Kobani has been under SDF administration since 2015.",
            ("controls", "Syrian Democratic Forces", "Kobani"),
        ),
        (  # the NER label does not matter: the noun says it is a place
            "Army units had seized the town of Khan Touman.",
            ("captured", "Syrian government", "Khan Touman"),
        ),
        (
            "HTS fighters ambushed an army convoy near Saraqeb.",
            ("targeted", "Hayat Tahrir al-Sham", "Syrian government"),
        ),
        (  # the parser made the place an adverb
            "The Syrian government recaptured eastern Aleppo after a long siege.",
            ("captured", "Syrian government", "eastern Aleppo"),
        ),
        (
            "Assad, who relies heavily on Moscow, visited Aleppo.",
            ("alliedWith", "Bashar al-Assad", "Russia"),
        ),
        (
            "US troops work with the SDF against IS remnants.",
            ("alliedWith", "United States", "Syrian Democratic Forces"),
        ),
        (  # the ally's nationality names the country
            "Government forces and their Russian allies have bombed Idlib hospitals.",
            ("targeted", "Russia", "Idlib"),
        ),
        (
            "Russian warplanes pounded areas around Idlib.",
            ("targeted", "Russia", "Idlib"),
        ),
        (  # what lies on the road lies between, not the road
            "Maarat al-Numan, which straddles the M5 highway between Hama and Aleppo, fell.",
            ("locatedBetween", "Maarat al-Numan", "Hama"),
        ),
        (  # the named militia acts, not what the apposition calls it part of
            "The Kurdish YPG militia, the backbone of the SDF, took control of Kobani.",
            ("captured", "People's Protection Units", "Kobani"),
        ),
        (
            "A coalition airstrike destroyed an Islamic State command centre in Raqqa.",
            ("targeted", "US-led coalition", "Islamic State"),
        ),
        (  # who the act killed was its target
            "Baghdadi was killed in a US raid in Idlib province.",
            ("targeted", "United States", "Abu Bakr al-Baghdadi"),
        ),
        (
            "ISIS militants were pushed out of Deir ez-Zor city by the Syrian army.",
            ("captured", "Syrian government", "Deir ez-Zor"),
        ),
        (
            "Ahmed al-Sharaa was sworn in as Syria's interim president.",
            ("leaderOf", "Abu Mohammed al-Jolani", "Syria"),
        ),
        (  # a fronted participle: the main clause's subject was backed
            "Backed by Russian air power, government troops retook Palmyra.",
            ("alliedWith", "Russia", "Syrian government"),
        ),
        (  # the parser made the place a second subject
            "Government forces, backed by Iranian militias, recaptured Khan Sheikhoun.",
            ("captured", "Syrian government", "Khan Sheikhoun"),
        ),
        (
            "Dozens of strikes on HTS positions were carried out by Russian aircraft.",
            ("targeted", "Russia", "Hayat Tahrir al-Sham"),
        ),
        (
            "A suicide bombing claimed by Islamic State killed dozens in Damascus.",
            ("targeted", "Islamic State", "Damascus"),
        ),
        (
            "Turkish soldiers and YPG militants engaged in fierce combat outside Afrin.",
            ("foughtWith", "Turkey", "People's Protection Units"),
        ),
        (
            "Kobani was defended by the YPG against a months-long Islamic State siege.",
            ("foughtWith", "People's Protection Units", "Islamic State"),
        ),
        (
            "Government warplanes pounded Saraqeb as rebels consolidated their hold on Aleppo.",
            ("controls", "Syrian rebels", "Aleppo"),
        ),
        (  # the backer of an act backs its actor
            "Government forces are pressing a Russian-backed offensive in Idlib.",
            ("alliedWith", "Russia", "Syrian government"),
        ),
        (  # the tagger calls "lies" a noun
            "Saraqeb lies between Aleppo and Idlib on the M5 highway.",
            ("locatedBetween", "Saraqeb", "Idlib"),
        ),
        (
            "Hezbollah, which is allied with Iran, sent fighters to Syria.",
            ("alliedWith", "Hezbollah", "Iran"),
        ),
        (
            "Government helicopters dropped barrel bombs on Daraa.",
            ("targeted", "Syrian government", "Daraa"),
        ),
        (
            "Hezbollah fired rockets at Israel on Monday.",
            ("targeted", "Hezbollah", "Israel"),
        ),
        (  # the tagger calls "offensive" an adjective; "targeting" acts as a preposition
            "On Friday armed anti-regime groups launched an offensive targeting Saraqeb.",
            ("targeted", "Syrian rebels", "Saraqeb"),
        ),
        (  # the parser hangs the apposition on Qara, not on the place next to it
            "A drone struck the village of Qara, west of Kobani, another town under SDF control.",
            ("controls", "Syrian Democratic Forces", "Kobani"),
        ),
        (  # the parser hangs Hama on the apposition
            "The offensive by the rebels saw the fall of Aleppo, the largest city, and Hama.",
            ("captured", "Syrian rebels", "Hama"),
        ),
    ],
)
def test_states_the_fact(extractor, text: str, fact: tuple[str, str, str]) -> None:
    assert fact in _facts(extractor, text)


def test_coordinated_attackers_give_one_fact_each(extractor) -> None:
    facts = _facts(extractor, "Russian and Syrian jets struck rebel positions in Idlib.")
    assert ("targeted", "Russia", "Syrian rebels") in facts
    assert ("targeted", "Syrian government", "Syrian rebels") in facts


@pytest.mark.parametrize(
    "text",
    [
        "Turkey denied backing the Syrian National Army.",
        "The rebels may try to take Damascus next month.",
        "HTS did not capture Hama.",
        "If the rebels seize Homs, the road to the coast will be cut.",
        "HTS is no longer aligned with al-Qaeda.",
        "Government forces are expected to launch an assault on Daraa.",
        "There is no sign that HTS is moving towards Damascus.",
        "Assad is not a Sunni Muslim.",
        "Turkey and Russia clashed diplomatically over Idlib.",
        "Russian and Syrian jets fought over Idlib.",  # one side, not two
        "Turkey and Russia exchanged prisoners near Idlib.",
        "Rebels had hoped to push into Latakia province.",  # "hoped", lemmatised "hop"
    ],
)
def test_negated_denied_and_hypothetical_statements_give_no_fact(extractor, text: str) -> None:
    assert _facts(extractor, text) == set()


def test_what_lies_between_must_be_a_place_the_phrase_describes(extractor) -> None:
    text = "Turkish jets hit SDF positions along the border between Ras al-Ain and Tal Abyad."
    assert {f for f in _facts(extractor, text) if f[0] == "locatedBetween"} == set()
    facts = _facts(extractor, "Saraqeb is the only town between Aleppo and Idlib.")
    assert ("locatedBetween", "Saraqeb", "Idlib") in facts


def test_a_definite_description_refers_back(extractor) -> None:
    text = (
        "Rebels held Eastern Ghouta for years. "
        "In February, government troops launched an offensive on the enclave."
    )
    assert ("targeted", "Syrian government", "Eastern Ghouta") in _facts(extractor, text)


def test_sides_fighting_together_are_allies_not_enemies(extractor) -> None:
    facts = _facts(extractor, "Hezbollah and Iranian advisers fought on the side of the army.")
    facts |= _facts(extractor, "Russia and Iran fought alongside the Syrian army.")
    assert ("alliedWith", "Iran", "Syrian government") in facts
    assert not {f for f in facts if f[0] == "foughtWith"}


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("SDF commander Mazloum Abdi met US officials.", "leaderOf"),
        ("Mazloum Abdi, the commander of the SDF, met US officials.", "leaderOf"),
        ("A senior SDF commander, Mazloum Abdi, met US officials.", "memberOf"),
    ],
)
def test_the_commander_leads_a_senior_commander_is_a_member(extractor, text, fact) -> None:
    facts = _facts(extractor, text)
    assert {f[0] for f in facts if f[1:] == ("Mazloum Abdi", "Syrian Democratic Forces")} == {fact}


def test_allies_of_unnamed_nationality_are_no_country(extractor) -> None:
    facts = _facts(extractor, "Afrin was seized by Turkish troops and their Syrian allies.")
    assert facts == {("captured", "Turkey", "Afrin")}
    assert _facts(extractor, "Russia's allies captured Palmyra.") == set()


def test_a_title_states_its_fact_in_a_modal_clause_that_states_none(extractor) -> None:
    facts = _facts(extractor, "HTS leader Abu Mohammed al-Jolani could capture Hama soon.")
    assert facts == {("leaderOf", "Abu Mohammed al-Jolani", "Hayat Tahrir al-Sham")}


def test_allies_named_in_a_negated_clause_are_still_allies(extractor) -> None:
    facts = _facts(extractor, "The envoy said Washington has not abandoned its Kurdish allies.")
    assert facts & {
        ("alliedWith", "United States", "Kurds"),
        ("alliedWith", "Kurds", "United States"),
    }
    assert _facts(extractor, "Russia is not an ally of Turkey.") == set()


def test_entities_are_linked_to_the_knowledge_base(extractor) -> None:
    extraction = _run(
        extractor,
        "The Syrian Observatory for Human Rights said HTS fighters reached the outskirts of Hama.",
    )
    labels = {m.entity.label: m.entity.type for m in extraction.mentions}
    assert labels["Hayat Tahrir al-Sham"] == "ArmedGroup"
    assert labels["Hama"] == "City"
    assert labels["Syrian Observatory for Human Rights"] == "Organization"


def test_names_that_share_a_plural_area_noun_name_the_areas(extractor) -> None:
    facts = _facts(extractor, "Russian jets struck Aleppo and Idlib provinces on Sunday.")
    assert facts == {
        ("targeted", "Russia", "Aleppo province"),
        ("targeted", "Russia", "Idlib province"),
    }


@pytest.mark.parametrize(
    "text",
    [
        "Turkey began Operation Spring Shield at dawn.",
        "Fighters held land taken in the Spring Shield and Olive Branch operations.",
    ],
)
def test_the_name_of_an_operation_is_no_entity(extractor, text: str) -> None:
    names = {m.text for m in _run(extractor, text).mentions}
    assert not {n for n in names if "Shield" in n or "Olive" in n}


@pytest.mark.parametrize(
    "text",
    [
        "Fierce fighting broke out near Manbij.",  # a capitalised adjective
        "The Army said it had repelled an attack near Manbij.",  # whose army?
        "The shelling of Manbij began at 04:00 GMT.",
    ],
)
def test_words_that_name_no_entity(extractor, text: str) -> None:
    assert [m.entity.label for m in _run(extractor, text).mentions] == ["Manbij"]


def test_unknown_names_get_a_stable_iri_typed_by_ner(extractor) -> None:
    text = "Commander Yusuf Haddad met reporters in Aleppo."
    first, second = _run(extractor, text), _run(extractor, text)
    person = [m.entity for m in first.mentions if m.entity.type == "Person"]
    assert person and person[0].iri.endswith("/yusuf-haddad")
    assert person == [m.entity for m in second.mentions if m.entity.type == "Person"]


def test_evidence_offsets_point_into_the_article(extractor) -> None:
    text = "Headline without a verb\nRebels captured Maarat al-Numan after heavy fighting."
    extraction = _run(extractor, text)
    fact = next(f for f in extraction.facts if f.predicate == "captured")
    assert text[fact.start : fact.end].strip() == fact.sentence
    assert fact.sentence.startswith("Rebels captured")
    assert 0 < fact.confidence <= 1
    for mention in extraction.mentions:
        assert text[mention.start : mention.end] == mention.text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "\x00\x01\x02 control \x1b[31m characters",
        "?? !! ..",
        "Die Rebellen haben die Stadt eingenommen.",
        "ÂÃ¤Ã¶Ã¼ garbled Ã©",
    ],
)
def test_odd_input_does_not_crash(extractor, text: str) -> None:
    extraction = _run(extractor, text)
    assert extraction.article.id == "t"


def test_a_very_long_article_is_processed_in_chunks(extractor) -> None:
    sentence = "HTS captured Saraqeb after clashes with government troops. "
    text = sentence * 2000  # about 120,000 characters, several chunks
    extraction = _run(extractor, text)
    assert ("captured", "Hayat Tahrir al-Sham", "Saraqeb") in {
        (f.predicate, f.subject.entity.label, f.object.entity.label) for f in extraction.facts
    }
    assert max(f.end for f in extraction.facts) > 100_000


def test_two_worker_processes_give_the_same_extraction(extractor, ontology) -> None:
    from etl.extraction import Extractor

    articles = [
        Article(id=f"w{n}", text=f"HTS captured {town} after clashes with government troops.")
        for n, town in enumerate(["Saraqeb", "Morek", "Kafr Nabl", "Talbiseh"])
    ]
    parallel = Extractor(MODEL, ontology, workers=2)
    assert [e.records() for e in parallel.extract(articles)] == [
        e.records() for e in extractor.extract(articles)
    ]
