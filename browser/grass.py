"""Read browser/style.grass the way Neo4j Browser does, and print it for neo4j.conf.

    python browser/grass.py           the style sheet as one line of JSON
    python browser/grass.py --conf    the neo4j.conf line that makes Browser apply it on
                                      every connect: browser.post_connect_cmd=style {...}

Browser's `:style` accepts JSON as well as GraSS. `browser.post_connect_cmd` splits its
commands on `;` outside quotes, and GraSS separates properties with `;`, so the setting
carries the JSON form, which has none.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

STYLE = Path(__file__).resolve().parent / "style.grass"

_DECLARATION = re.compile(r"""(?:[^;'"]|'[^']*'|"[^"]*")+""")


def parse_grass(text: str) -> dict[str, dict[str, str]]:
    """selector -> {property: value}, in file order (the order matters: Browser applies
    every matching rule, later ones over earlier ones). Braces and semicolons inside
    quotes, as in caption: '{name}', belong to the value; the quotes are dropped."""
    rules: dict[str, dict[str, str]] = {}
    selector, body, quote, in_block = "", "", "", False
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
            body += ch
        elif in_block and ch in "'\"":
            quote = ch
            body += ch
        elif ch == "{" and not in_block:
            in_block = True
        elif ch == "}" and in_block:
            props = {}
            for declaration in _DECLARATION.findall(body):
                if ":" in declaration:
                    key, value = declaration.split(":", 1)
                    props[key.strip()] = value.strip().strip("'\"")
            rules["".join(selector.split())] = props
            selector, body, in_block = "", "", False
        elif in_block:
            body += ch
        else:
            selector += ch
    return rules


def to_json(text: str) -> str:
    return json.dumps(parse_grass(text), separators=(",", ":"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", nargs="?", type=Path, default=STYLE, help="[browser/style.grass]")
    parser.add_argument("--conf", action="store_true", help="print the neo4j.conf line")
    args = parser.parse_args(argv)
    style = to_json(args.file.read_text(encoding="utf-8"))
    print(f"browser.post_connect_cmd=style {style}" if args.conf else style)


if __name__ == "__main__":
    main()
