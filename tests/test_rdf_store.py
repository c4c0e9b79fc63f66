"""The embedded store: write, query, reload, replace and lock, on a real pyoxigraph store."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from etl import api
from etl.config import Settings
from etl.errors import StoreLockedError
from etl.models import Article, Edge, GraphDoc, LoadReport, Node
from etl.ontology import entity_iri
from etl.stores.oxigraph import OxigraphStore

pytestmark = pytest.mark.model

CAPTURED = """
SELECT ?who ?place WHERE {
  ?a kg:captured ?p . ?a skos:prefLabel ?who . ?p skos:prefLabel ?place }
ORDER BY ?who ?place"""


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _count(store: Path) -> int:
    rows = api.query(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", settings=Settings(store=store)
    ).rows
    return int(rows[0]["n"])


def test_load_then_query_each_fact_once(settings: Settings, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    _write(docs, "a.txt", "HTS captured Saraqeb on Sunday.")
    _write(docs, "b.txt", "On Sunday HTS captured Saraqeb, a town on the M5 highway.")
    result = api.load([docs], settings)
    assert result.ok and result.reports[0].documents == 2
    rows = api.query(CAPTURED, settings=settings).rows
    assert rows == [{"who": "Hayat Tahrir al-Sham", "place": "Saraqeb"}]


def test_provenance_names_articles_and_sentences(settings: Settings, tmp_path: Path) -> None:
    path = _write(tmp_path, "a.txt", "Calm returned.\nHTS captured Saraqeb on Sunday.")
    api.load([path], settings)
    rows = api.query(
        """
        SELECT ?article ?sentence WHERE { GRAPH ?g {
          ?ev kg:factSubject kgr:hayat-tahrir-al-sham ; kg:factPredicate kg:captured ;
              kg:factObject kgr:saraqeb ; kg:sentence ?sentence ;
              kg:fromArticle/kg:articleId ?article } }""",
        settings=settings,
    ).rows
    assert rows == [{"article": "a", "sentence": "HTS captured Saraqeb on Sunday."}]


def test_reloading_unchanged_articles_changes_nothing(settings: Settings) -> None:
    samples = Path(__file__).parent.parent / "samples"
    first = api.load([samples], settings)
    before = _count(settings.store)
    second = api.load([samples], settings)
    assert second.reports[0].documents == 0
    assert second.reports[0].skipped == first.reports[0].documents
    assert _count(settings.store) == before


def test_a_changed_article_replaces_its_facts(settings: Settings, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    _write(docs, "a.txt", "HTS captured Saraqeb on Sunday.")
    _write(docs, "b.txt", "Rebels captured Hama after days of fighting.")
    api.load([docs], settings)
    _write(docs, "a.txt", "HTS captured Khan Shaykhun on Sunday.")
    _write(docs, "b.txt", "Rebels captured Hama after days of fighting. HTS seized Saraqeb too.")
    api.load([docs / "a.txt"], settings)
    rows = {(r["who"], r["place"]) for r in api.query(CAPTURED, settings=settings).rows}
    assert ("Hayat Tahrir al-Sham", "Khan Sheikhoun") in rows
    assert ("Hayat Tahrir al-Sham", "Saraqeb") not in rows  # b.txt's new text is not loaded
    api.load([docs / "b.txt"], settings)
    rows = {(r["who"], r["place"]) for r in api.query(CAPTURED, settings=settings).rows}
    assert ("Hayat Tahrir al-Sham", "Saraqeb") in rows


def test_a_second_writer_gets_a_clear_error(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store")
    try:
        code = (
            "from etl.stores.oxigraph import OxigraphStore\n"
            f"OxigraphStore({str(tmp_path / 'store')!r})"
        )
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert run.returncode != 0
        assert StoreLockedError.__name__ in run.stderr
        assert "in use by another process" in run.stderr
    finally:
        store.close()


def test_reading_a_store_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="no embedded store here"):
        api.query("ASK { ?s ?p ?o }", settings=Settings(store=tmp_path / "none"))


def test_symmetric_facts_answer_from_both_ends(settings: Settings, tmp_path: Path) -> None:
    path = _write(tmp_path, "a.txt", "Russia, a close ally of Bashar al-Assad, sent aircraft.")
    api.load([path], settings)
    ask = (
        "ASK { kgr:russia kg:alliedWith kgr:bashar-al-assad . "
        "kgr:bashar-al-assad kg:alliedWith kgr:russia }"
    )
    assert api.query(ask, settings=settings).rows == [{"result": True}]
    api.load([_write(tmp_path, "a.txt", "Nothing happened today.")], settings)
    assert api.query("ASK { ?a kg:alliedWith ?b }", settings=settings).rows == [{"result": False}]


def _doc(doc_id: str, facts: list[tuple[str, str, str, int]]) -> GraphDoc:
    """An article stating `subject predicate object` facts, each with its sentence offset."""
    names = sorted({name for s, _, o, _ in facts for name in (s, o)})
    return GraphDoc(
        Article(doc_id, " ".join(f"{s} {p} {o}." for s, p, o, _ in facts)),
        [Node(entity_iri(name), name, ("ArmedGroup", "Actor")) for name in names],
        [
            Edge(entity_iri(s), p, entity_iri(o), f"{s} {p} {o}.", at, at + 20, 0.9)
            for s, p, o, at in facts
        ],
    )


class _CrashBeforeMarkers:
    """A pyoxigraph store that dies where write() adds the content markers."""

    def __init__(self, store: Any) -> None:
        self._store = store

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def __contains__(self, quad: object) -> bool:
        return quad in self._store

    def extend(self, quads: object) -> None:
        raise OSError("killed")


def _evidence(store: OxigraphStore) -> int:
    rows = store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?ev a kg:Evidence } }").rows
    return int(rows[0]["n"])


def _holds(store: OxigraphStore, s: str, p: str, o: str) -> bool:
    ask = f"ASK {{ <{entity_iri(s)}> kg:{p} <{entity_iri(o)}> }}"
    return bool(store.query(ask).rows[0]["result"])


def test_an_article_written_without_its_marker_is_replaced_on_rerun(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store")
    try:
        first = _doc("a", [("Alpha", "captured", "Saraqeb", 0), ("Alpha", "controls", "Idlib", 30)])
        raw, store.store = store.store, _CrashBeforeMarkers(store.store)
        with pytest.raises(OSError, match="killed"):
            store.write([first], LoadReport("rdf"))
        store.store = raw
        assert store.unchanged([first.article]) == set()  # its graph is in, unmarked
        assert _evidence(store) == 2 and _holds(store, "Alpha", "controls", "Idlib")
        rerun = _doc("a", [("Alpha", "captured", "Saraqeb", 5)])  # changed since
        store.write([rerun], LoadReport("rdf"))
        assert store.unchanged([rerun.article]) == {"a"}
        assert _evidence(store) == 1
        assert _holds(store, "Alpha", "captured", "Saraqeb")
        assert not _holds(store, "Alpha", "controls", "Idlib")
    finally:
        store.close()


def test_literals_keep_quotes_backslashes_and_line_breaks(tmp_path: Path) -> None:
    sentence = 'He said "Alpha \\ Beta"\r\nand left\t\u2028 é 😀.'
    doc = _doc("a", [("Alpha", "captured", "Saraqeb", 0)])
    doc = GraphDoc(
        Article("a", "text", title='The "title"\n'),
        doc.nodes,
        [replace(doc.edges[0], sentence=sentence)],
    )
    store = OxigraphStore(tmp_path / "store")
    try:
        store.write([doc], LoadReport("rdf"))
        rows = store.query(
            "SELECT ?s ?t WHERE { GRAPH ?g { ?ev kg:sentence ?s . ?a dcterms:title ?t } }"
        ).rows
        assert rows == [{"s": sentence, "t": 'The "title"\n'}]
    finally:
        store.close()
