"""Serve this folder (style.grass, guide.html) to Neo4j Browser.

Neo4j Browser fetches `:style URL`, `:play URL` and `:guide URL` with fetch() from its own
origin (http://127.0.0.1:7474), so the answer needs CORS headers, and `:play`/`:guide` send
`Pragma` and `Cache-Control` request headers, which makes Chromium ask with a preflight
OPTIONS request first. `python -m http.server` does neither; this does both.

Browser also checks the host against the server setting
`browser.remote_content_hostname_whitelist` (default `guides.neo4j.com,localhost`), so use
http://localhost:PORT/..., not http://127.0.0.1:PORT/...

    python browser/serve.py                 # http://localhost:8474/
    python browser/serve.py --port 9000

then in Neo4j Browser:

    :style http://localhost:8474/style.grass
    :guide http://localhost:8474/guide.html     (sidebar)    or
    :play http://localhost:8474/guide.html      (a frame in the stream)
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
from pathlib import Path

HERE = Path(__file__).resolve().parent


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {  # noqa: RUF012 (the base class declares it a plain dict)
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".grass": "text/plain; charset=utf-8",
        ".html": "text/html; charset=utf-8",
        ".md": "text/markdown; charset=utf-8",
    }

    def end_headers(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def do_OPTIONS(self) -> None:  # the CORS preflight of :play and :guide
        self.send_response(204)
        self.send_header("Access-Control-Allow-Methods", "GET, OPTIONS")
        requested = self.headers.get("Access-Control-Request-Headers")
        self.send_header("Access-Control-Allow-Headers", requested or "*")
        self.send_header("Access-Control-Max-Age", "600")
        self.end_headers()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to bind [127.0.0.1]")
    parser.add_argument("--port", type=int, default=8474, help="port [8474]")
    args = parser.parse_args(argv)
    handler = functools.partial(Handler, directory=str(HERE))
    with http.server.ThreadingHTTPServer((args.host, args.port), handler) as server:
        print(f"serving {HERE} on http://localhost:{args.port}/ (Ctrl+C stops)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()


if __name__ == "__main__":
    main()
