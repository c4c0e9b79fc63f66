"""Where the shipped data folders (ontology/, queries/) are, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGED = Path(__file__).parent / "_resources"
_CHECKOUT = Path(__file__).parent.parent


def resource_dir(name: str) -> Path:
    """The folder `name`: inside the wheel when installed, else at the repository root."""
    packaged = _PACKAGED / name
    return packaged if packaged.is_dir() else _CHECKOUT / name
