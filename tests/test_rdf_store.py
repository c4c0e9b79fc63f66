"""The embedded store: write, query, reload, replace and lock, on a real pyoxigraph store."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from etl import api
from etl.config import Settings
from etl.errors import StoreLockedError
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
