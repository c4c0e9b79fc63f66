"""Readers: every good document comes through, every bad one is named with its reason."""

from __future__ import annotations

import io
from pathlib import Path

from etl.models import Article, ReadProblem
from etl.read import read_articles


def _split(items):
    return (
        [i for i in items if isinstance(i, Article)],
        [i for i in items if isinstance(i, ReadProblem)],
    )


def test_text_and_markdown_files_use_the_stem_as_id(tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_text("Rebels entered the town.", encoding="utf-8")
    (tmp_path / "two.md").write_text("# Title\nTroops withdrew.", encoding="utf-8")
    articles, problems = _split(list(read_articles([tmp_path])))
    assert sorted(a.id for a in articles) == ["one", "two"]
    assert problems == []


def test_jsonl_keeps_good_lines_and_reports_bad_ones_with_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_text(
        '{"id": "a", "text": "First.", "title": "T", "url": "https://example.org/a"}\n'
        '{"id": "b", "text": broken\n'
        "\n"
        '{"id": "c"}\n'
        '{"id": "d", "text": "Fourth.", "published": "2024-12-08"}\n',
        encoding="utf-8",
    )
    articles, problems = _split(list(read_articles([path])))
    assert [a.id for a in articles] == ["a", "d"]
    assert articles[0].title == "T" and articles[1].published == "2024-12-08"
    assert [p.source for p in problems] == [f"{path}:2", f"{path}:4"]
    assert "malformed JSON" in problems[0].reason
    assert "missing 'text'" in problems[1].reason


def test_missing_empty_and_binary_files_are_reported(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"\x89PNG\x00\x01\x02")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Caf\xe9".encode("latin-1"))
    missing = tmp_path / "nowhere.txt"
    _, problems = _split(list(read_articles([missing, empty, binary, latin])))
    reasons = {Path(p.source).name: p.reason for p in problems}
    assert reasons["nowhere.txt"] == "no such file or directory"
    assert reasons["empty.txt"].startswith("empty document")
    assert reasons["blob.txt"].startswith("binary file")
    assert reasons["latin.txt"].startswith("not UTF-8")


def test_stdin_reads_plain_text_or_jsonl() -> None:
    articles, _ = _split(list(read_articles(["-"], stdin=io.StringIO("Plain words."))))
    assert [(a.id, a.text) for a in articles] == [("stdin", "Plain words.")]
    stream = io.StringIO('{"id": "x", "text": "One."}\n{"id": "y", "text": "Two."}\n')
    articles, _ = _split(list(read_articles(["-"], stdin=stream)))
    assert [a.id for a in articles] == ["x", "y"]


def test_content_hash_changes_with_the_text() -> None:
    a = Article(id="a", text="One.")
    assert a.content_hash == Article(id="a", text="One.").content_hash
    assert a.content_hash != Article(id="a", text="Two.").content_hash


def test_jsonl_is_read_a_line_at_a_time_so_one_bad_line_costs_only_itself(
    tmp_path: Path,
) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        b'\xef\xbb\xbf{"id": "a", "text": "Shelling resumed \xe2\x80\xa8 at dawn."}\n'
        b'{"id": "b", "text": "Caf\xe9 shelled."}\n'
        b'{"id": "c", "text": "Ni\x00ght raid."}\n'
        b'{"id": "d", "text": "Last one."}\r\n'
    )
    articles, problems = _split(list(read_articles([path])))
    # a raw U+2028 inside a JSON string is not a line break
    assert [a.id for a in articles] == ["a", "d"]
    assert [(p.source, p.reason.split(" (")[0]) for p in problems] == [
        (f"{path}:2", "not UTF-8 text"),
        (f"{path}:3", "binary file"),
    ]


def test_a_binary_file_named_jsonl_is_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "archive.jsonl"
    path.write_bytes(b"PK\x03\x04\x00\x00\n" * 50)
    _, problems = _split(list(read_articles([path])))
    assert len(problems) == 1 and problems[0].reason.startswith("binary file")


def test_stdin_jsonl_after_blank_lines_keeps_line_numbers() -> None:
    stream = io.StringIO('\n\n{"id": "x", "text": "One."}\n{"id": broken\n')
    articles, problems = _split(list(read_articles(["-"], stdin=stream)))
    assert [a.id for a in articles] == ["x"]
    assert [p.source for p in problems] == ["<stdin>:4"]
