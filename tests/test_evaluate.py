"""`etl evaluate`: entity and fact scores against a small gold set written here.

The names are made up (Northern Brigade, Qasr, ...) so that an aliases file written by
each test decides what they mean; one test uses the knowledge base instead.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from etl.errors import DataFileError, InputError
from etl.evaluate import EvaluationReport, evaluate, normalize_name, normalize_predicate

ALIASES = {
    "Northern Brigade": ["NB", "Brigade of the North"],
    "River Front": ["RF"],
    "Eastern Front": [],
    "Rebel Coalition": ["the rebels"],
    "Qasr": ["Al-Qasr"],
    "Tell Hamra": [],
}


def _jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _ent(doc: str, label: str, text: str | None = None) -> dict[str, Any]:
    return {"doc": doc, "kind": "entity", "label": label, "text": text or label}


def _rel(doc: str, p: str, s: str | dict[str, str], o: str | dict[str, str]) -> dict[str, Any]:
    def end(x: str | dict[str, str]) -> dict[str, str]:
        return x if isinstance(x, dict) else {"label": x, "text": x}

    return {"doc": doc, "kind": "relation", "predicate": p, "subject": end(s), "object": end(o)}


def _triple(p: str, s: str | list[str], o: str | list[str], **kw: Any) -> dict[str, Any]:
    return {
        "p": p,
        "s": [s] if isinstance(s, str) else s,
        "o": [o] if isinstance(o, str) else o,
        **kw,
    }


def _run(
    tmp_path: Path,
    gold: list[dict[str, Any]],
    preds: list[dict[str, Any]],
    aliases: dict[str, list[str]] | None = None,
) -> EvaluationReport:
    alias_file = tmp_path / "aliases.json"
    alias_file.write_text(json.dumps(ALIASES if aliases is None else aliases), encoding="utf-8")
    return evaluate(
        _jsonl(tmp_path / "gold.jsonl", gold), _jsonl(tmp_path / "pred.jsonl", preds), alias_file
    )


def test_perfect_predictions_score_one(tmp_path: Path) -> None:
    gold = [
        {
            "id": "d1",
            "entities": ["Northern Brigade", "Qasr", "River Front"],
            "triples": [
                _triple("captured", "Northern Brigade", "Qasr"),
                _triple("alliedWith", "Northern Brigade", "River Front"),
            ],
        }
    ]
    preds = [
        _ent("d1", "Northern Brigade", "NB"),
        _ent("d1", "Qasr"),
        _ent("d1", "River Front"),
        _rel("d1", "captured", "Northern Brigade", "Qasr"),
        _rel("d1", "alliedWith", "Northern Brigade", "River Front"),
    ]
    report = _run(tmp_path, gold, preds)
    for name, scores in report.rows():
        assert (scores.precision, scores.recall, scores.f1) == (1.0, 1.0, 1.0), name
    assert (report.core.tp, report.core.fp, report.core.fn) == (2, 0, 0)
    assert report.documents == []


def test_wrong_object_is_one_fp_and_one_fn(tmp_path: Path) -> None:
    gold = [
        {
            "id": "d1",
            "entities": ["Northern Brigade", "Qasr"],
            "triples": [_triple("captured", "Northern Brigade", "Qasr")],
        }
    ]
    preds = [_rel("d1", "captured", "Northern Brigade", "Tell Hamra")]
    report = _run(tmp_path, gold, preds)
    captured = report.relations["captured"]
    assert (captured.tp, captured.fp, captured.fn) == (0, 1, 1)
    assert captured.f1 == 0.0
    # entities come from the relation ends: Northern Brigade right, Tell Hamra wrong, Qasr missed
    assert (report.entities.tp, report.entities.fp, report.entities.fn) == (1, 1, 1)
    assert report.entities.precision == 0.5
    [doc] = report.documents
    assert doc.wrong == [("captured", "Northern Brigade", "Tell Hamra")]
    assert doc.missed == [("captured", ["Northern Brigade"], ["Qasr"])]


def test_alternatives_and_optional_triples(tmp_path: Path) -> None:
    triples = [
        _triple("captured", ["Northern Brigade", "Rebel Coalition"], "Qasr"),
        _triple("targeted", "Eastern Front", "Qasr", optional=True),
    ]
    gold = [
        {"id": "found", "entities": [], "triples": triples},
        {"id": "absent", "entities": [], "triples": triples},
    ]
    preds = [
        # either alternative counts, and predicting both is not an error
        _rel("found", "captured", "Rebel Coalition", "Qasr"),
        _rel("found", "captured", "Northern Brigade", "Qasr"),
        # an optional fact found is not wrong ...
        _rel("found", "targeted", "Eastern Front", "Qasr"),
    ]
    report = _run(tmp_path, gold, preds)
    captured = report.relations["captured"]
    assert (captured.tp, captured.fp, captured.fn) == (1, 0, 1)  # "absent" misses it
    # ... and an optional fact not found is not missed: targeted is never counted
    assert "targeted" not in report.relations
    assert [d.doc for d in report.documents] == ["absent"]


def test_symmetric_facts_match_either_way(tmp_path: Path) -> None:
    gold = [
        {
            "id": "d1",
            "entities": [],
            "triples": [
                _triple("alliedWith", "Northern Brigade", "River Front"),
                _triple("foughtWith", "Eastern Front", "Rebel Coalition"),
                _triple("captured", "Northern Brigade", "Qasr"),
            ],
        }
    ]
    preds = [
        _rel("d1", "alliedWith", "River Front", "Northern Brigade"),  # reversed: right
        _rel("d1", "foughtWith", "Rebel Coalition", "Eastern Front"),  # both ways: one fact
        _rel("d1", "foughtWith", "Eastern Front", "Rebel Coalition"),
        _rel("d1", "foughtWith", "Qasr", "Tell Hamra"),  # both ways, not in gold: one fp
        _rel("d1", "foughtWith", "Tell Hamra", "Qasr"),
        _rel("d1", "captured", "Qasr", "Northern Brigade"),  # not symmetric: wrong and missed
    ]
    report = _run(tmp_path, gold, preds)
    counts = {p: (s.tp, s.fp, s.fn) for p, s in report.relations.items()}
    assert counts == {"alliedWith": (1, 0, 0), "foughtWith": (1, 1, 0), "captured": (0, 1, 1)}


def test_aliases_spellings_and_predicate_forms(tmp_path: Path) -> None:
    gold = [
        {
            "id": "d1",
            "entities": ["Northern Brigade", "Qasr", "Tell Hamra"],
            "triples": [
                _triple("captured", "Northern Brigade", "Qasr"),
                _triple("locatedBetween", "Qasr", "Tell Hamra"),
            ],
        }
    ]
    preds = [
        # an unknown label falls back to the surface text, which is an alias
        _rel("d1", "CAPTURED", {"label": "N.B. forces", "text": "NB"}, "al-Qásr"),
        _rel("d1", "located_between", "The Brigade of the North", "Tell Hamra"),
        _rel("d1", "located-between", "Al Qasr", "tell  hamra"),
    ]
    report = _run(tmp_path, gold, preds)
    assert (report.all.tp, report.all.fp, report.all.fn) == (2, 1, 0)
    assert report.documents[0].wrong == [("locatedBetween", "Northern Brigade", "Tell Hamra")]
    assert report.entities.as_dict()["recall"] == 1.0


def test_hand_computed_scores(tmp_path: Path) -> None:
    gold = [
        {
            "id": "d1",
            "entities": ["Northern Brigade", "Qasr", "Tell Hamra", "River Front", "Eastern Front"],
            "triples": [
                _triple("captured", ["Northern Brigade", "Rebel Coalition"], "Qasr"),
                _triple("alliedWith", "Northern Brigade", "River Front"),
                _triple("locatedBetween", "Qasr", "Tell Hamra"),
                _triple("controls", "Eastern Front", "Tell Hamra"),
                _triple("targeted", "Eastern Front", "Qasr", optional=True),
            ],
        },
        {
            "id": "d2",
            "entities": ["Eastern Front", "Tell Hamra"],
            "triples": [_triple("captured", "Eastern Front", "Tell Hamra")],
        },
    ]
    preds = [
        *(_ent("d1", n) for n in ("NB", "Qasr", "Tell Hamra", "Eastern Front", "Mill Village")),
        _rel("d1", "captured", "the rebels", "Qasr"),  # alternative subject: tp
        _rel("d1", "alliedWith", "River Front", "Northern Brigade"),  # reversed: tp
        _rel("d1", "controls", "Eastern Front", "Qasr"),  # wrong object: fp + fn
        _rel("d1", "targeted", "Eastern Front", "Qasr"),  # optional: nothing
        # locatedBetween not predicted: fn
        _rel("d2", "captured", "Eastern Front", "Tell Hamra"),  # tp
        _rel("d2", "foughtWith", "Eastern Front", "Northern Brigade"),  # fp, once
        _rel("d2", "foughtWith", "Northern Brigade", "Eastern Front"),
        _rel("d9", "captured", "Eastern Front", "Qasr"),  # not a gold document: ignored
    ]
    report = _run(tmp_path, gold, preds)
    data = report.as_dict(details=True)
    # entities: d1 predicts 7 (5 right, Mill Village and Rebel Coalition wrong), d2 3 (2 right)
    entities = {"tp": 7, "fp": 3, "fn": 0, "precision": 0.7, "recall": 1.0, "f1": 0.824}
    assert data["entities"] == entities
    assert {p: (m["tp"], m["fp"], m["fn"]) for p, m in data["relations"].items()} == {
        "alliedWith": (1, 0, 0),
        "captured": (2, 0, 0),
        "controls": (0, 1, 1),
        "foughtWith": (0, 1, 0),
        "locatedBetween": (0, 0, 1),
    }
    # core = alliedWith + captured + locatedBetween (+ targeted, not counted): 3/3 right, 3/4 found
    assert data["core"] == {
        "tp": 3,
        "fp": 0,
        "fn": 1,
        "precision": 1.0,
        "recall": 0.75,
        "f1": 0.857,
    }
    assert data["all"] == {"tp": 3, "fp": 2, "fn": 2, "precision": 0.6, "recall": 0.6, "f1": 0.6}
    assert report.core.f1 == pytest.approx(6 / 7)
    assert data["details"] == [
        {
            "doc": "d1",
            "wrong": [["controls", "Eastern Front", "Qasr"]],
            "missed": [
                ["locatedBetween", ["Qasr"], ["Tell Hamra"]],
                ["controls", ["Eastern Front"], ["Tell Hamra"]],
            ],
        },
        {"doc": "d2", "wrong": [["foughtWith", "Eastern Front", "Northern Brigade"]], "missed": []},
    ]


def test_knowledge_base_is_the_default_alias_table(tmp_path: Path) -> None:
    gold = _jsonl(
        tmp_path / "gold.jsonl",
        [
            {
                "id": "k1",
                "entities": ["HTS", "Qasr"],
                "triples": [_triple("captured", "HTS", "Qasr")],
            }
        ],
    )
    preds = _jsonl(
        tmp_path / "pred.jsonl",
        [_rel("k1", "captured", {"label": "Hayat Tahrir al-Sham", "text": "the group"}, "Qasr")],
    )
    report = evaluate(gold, preds)
    assert (report.all.tp, report.all.fp, report.all.fn) == (1, 0, 0)
    assert (report.entities.tp, report.entities.fp, report.entities.fn) == (2, 0, 0)


def test_name_and_predicate_normalisation() -> None:
    assert normalize_name("The  Al-Qásr  (old town)") == "al qasr old town"
    assert normalize_name("Shi\u2019ites") == normalize_name("Shi'ites") == "shiites"
    assert normalize_name("Theodore") == "theodore"
    assert normalize_predicate("LOCATED_BETWEEN") == normalize_predicate("locatedBetween")


def test_malformed_lines_name_file_and_line(tmp_path: Path) -> None:
    good = _jsonl(tmp_path / "good.jsonl", [{"id": "d1", "entities": [], "triples": []}])
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": "d1", "triples": []}\n\n{"id": "d2", "triples": [\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"gold\.jsonl:3: not JSON"):
        evaluate(gold, good)
    gold.write_text('{"id": "d1", "triples": [{"p": "captured", "s": [], "o": ["Qasr"]}]}\n')
    with pytest.raises(InputError, match=r'gold\.jsonl:1: "s" must be a non-empty list'):
        evaluate(gold, good)
    preds = tmp_path / "pred.jsonl"
    preds.write_text(
        json.dumps(_ent("d1", "Qasr")) + "\n" + '{"doc": "d1", "kind": "relation"}\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r'pred\.jsonl:2: a relation needs a "predicate"'):
        evaluate(good, preds)
    preds.write_text("[1, 2]\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"pred\.jsonl:1: expected a JSON object"):
        evaluate(good, preds)


def test_bad_aliases_file(tmp_path: Path) -> None:
    good = _jsonl(tmp_path / "good.jsonl", [{"id": "d1", "entities": [], "triples": []}])
    aliases = tmp_path / "aliases.json"
    aliases.write_text('{"Qasr": "Al-Qasr"}', encoding="utf-8")
    with pytest.raises(DataFileError, match=r"aliases\.json: expected"):
        evaluate(good, good, aliases)
