"""Read articles from .txt/.md files, .jsonl files, directories and stdin.

Readers yield an `Article` for every good document and a `ReadProblem` for every bad one,
so one broken file never stops a batch.
"""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from etl.models import Article, ReadProblem

TEXT_SUFFIXES = {".txt", ".md"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
OPTIONAL_FIELDS = ("title", "url", "published")
BOM = b"\xef\xbb\xbf"

Item = Article | ReadProblem


def read_articles(paths: Iterable[str | Path], stdin: IO[str] | None = None) -> Iterator[Item]:
    """Every article under `paths`; `-` reads stdin (JSONL when it starts with `{`)."""
    for raw in paths:
        if str(raw) == "-":
            yield from _read_stdin(stdin or sys.stdin)
            continue
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in TEXT_SUFFIXES | JSONL_SUFFIXES:
                    yield from _read_file(child)
        elif path.exists():
            yield from _read_file(path)
        else:
            yield ReadProblem(str(path), "no such file or directory")


def _read_file(path: Path) -> Iterator[Item]:
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES | JSONL_SUFFIXES:
        yield ReadProblem(
            str(path), f"unsupported file type {suffix or '(none)'!r}; use .txt, .md or .jsonl"
        )
        return
    try:
        if suffix in JSONL_SUFFIXES:
            with path.open("rb") as lines:  # a line at a time: corpora can be gigabytes
                yield from _read_jsonl(_decoded_lines(lines), str(path))
            return
        data = path.read_bytes()
    except OSError as exc:
        yield ReadProblem(str(path), exc.strerror or str(exc))
        return
    text, problem = _decode(data)
    if problem:
        yield ReadProblem(str(path), problem)
    else:
        yield from _text_article(text, path.stem, str(path))


def _decoded_lines(lines: Iterable[bytes]) -> Iterator[str | ReadProblem]:
    """Each line as text, or a problem (without its location) where it is not UTF-8 text."""
    for number, data in enumerate(lines, 1):
        text, problem = _decode(data[3:] if number == 1 and data[:3] == BOM else data)
        yield ReadProblem("", problem) if problem else text
        if problem and number == 1:
            return  # not a text file at all: one message, not one a line


def _decode(data: bytes) -> tuple[str, str | None]:
    """UTF-8 text, or the reason the bytes are not a readable article."""
    if b"\x00" in data:
        return "", "binary file (contains NUL bytes), not text"
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return "", f"not UTF-8 text (invalid byte at offset {exc.start})"


def _text_article(text: str, doc_id: str, source: str) -> Iterator[Item]:
    if not text.strip():
        yield ReadProblem(source, "empty document (no text)")
    else:
        yield Article(id=doc_id, text=text, source=source)


def _read_jsonl(lines: Iterable[str | ReadProblem], source: str) -> Iterator[Item]:
    seen = False
    for number, line in enumerate(lines, 1):
        where = f"{source}:{number}"
        if isinstance(line, ReadProblem):
            seen = True
            yield ReadProblem(where, line.reason)
            continue
        if not line.strip():
            continue
        seen = True
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield ReadProblem(where, f"malformed JSON ({exc.msg} at column {exc.colno})")
            continue
        yield _article_from_record(record, where)
    if not seen:
        yield ReadProblem(source, "empty document (no JSON lines)")


def _article_from_record(record: object, where: str) -> Item:
    if not isinstance(record, dict):
        return ReadProblem(where, "expected a JSON object with 'id' and 'text'")
    doc_id, text = record.get("id"), record.get("text")
    if not isinstance(doc_id, str | int) or not str(doc_id).strip():
        return ReadProblem(where, "missing 'id' (a non-empty string)")
    if not isinstance(text, str):
        return ReadProblem(where, "missing 'text' (a string)")
    if not text.strip():
        return ReadProblem(where, "empty document (no text)")
    extra = {k: str(record[k]) for k in OPTIONAL_FIELDS if record.get(k) not in (None, "")}
    return Article(id=str(doc_id), text=text, source=where, **extra)


def _read_stdin(stream: IO[str]) -> Iterator[Item]:
    """JSONL a line at a time when the input starts with `{`, else one text article."""
    lines: list[str] = []  # up to the first line with text
    for line in iter(stream.readline, ""):
        lines.append(line)
        if line.strip():
            break
    if "".join(lines).lstrip().startswith("{"):
        yield from _read_jsonl(itertools.chain(lines, stream), "<stdin>")
    else:
        yield from _text_article("".join(lines) + stream.read(), "stdin", "<stdin>")
