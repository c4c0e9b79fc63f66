"""The public API is complete, and the CLI starts without the heavy libraries."""

from __future__ import annotations

import subprocess
import sys

import etl


def test_all_names_every_public_object() -> None:
    public = {n for n in dir(etl) if not n.startswith("_")}
    modules = {n for n in public if type(getattr(etl, n)).__name__ == "module"}
    assert set(etl.__all__) == public - modules


def test_help_imports_neither_spacy_nor_neo4j() -> None:
    code = (
        "import sys\nfrom etl.cli import cli\n"
        "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('spacy', 'neo4j') if m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip().splitlines()[-1] == "[]"
