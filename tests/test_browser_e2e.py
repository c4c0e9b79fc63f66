"""Neo4j Browser in a real (headless) Chromium: the sample graph, styled by browser/style.grass.

Needs a Neo4j server without authentication, given by NEO4J_TEST_URI (Bolt; it is emptied)
and NEO4J_TEST_HTTP (where it serves /browser/, default http://127.0.0.1:7474), Debian's
`chromium` (or CHROMIUM=/path) and `playwright` from PyPI; `scripts/browser-deps.sh`
installs both. Playwright drives the system Chromium: no `playwright install`.

Outside CI a missing Chromium or Playwright skips these tests; in CI (CI=true) it fails them.
The screenshot goes to artifacts/browser-graph.png (artifacts/browser-failure.png on failure).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from etl import api
from etl.config import Neo4jSettings, Settings

pytestmark = [pytest.mark.neo4j, pytest.mark.browser, pytest.mark.model]

ROOT = Path(__file__).parent.parent
SAMPLES = ROOT / "samples"
BROWSER_DIR = ROOT / "browser"
ARTIFACTS = ROOT / "artifacts"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}

# Browser is heavy on two cores: generous, but every wait is bounded.
PAGE_LOAD_MS = 120_000
CONNECT_MS = 90_000
RESULT_MS = 90_000

QUERY = "MATCH (g:ArmedGroup {name:'Hayat Tahrir al-Sham'})-[r:CAPTURED]->(p) RETURN g, r, p"

# Pastes text into the Monaco editor the way Ctrl+V does. Typing (or insertText) goes
# through Monaco's auto-closing of brackets and quotes and mangles a style sheet.
PASTE_JS = """(text) => {
  const area = document.querySelector('.monaco-editor textarea');
  area.focus();
  const data = new DataTransfer();
  data.setData('text/plain', text);
  const paste = {clipboardData: data, bubbles: true, cancelable: true};
  area.dispatchEvent(new ClipboardEvent('paste', paste));
}"""

# Captions, fills and positions of the drawn nodes and relationships.
GRAPH_JS = """() => ({
  nodes: [...document.querySelectorAll('svg g.node')].map(g => ({
    caption: g.textContent,
    fill: (g.querySelector('circle.b-outline') || {getAttribute: () => null}).getAttribute('fill'),
    transform: g.getAttribute('transform'),
  })),
  relationships: [...document.querySelectorAll('svg g.relationship')].map(g => ({
    caption: g.textContent,
    fill: (g.querySelector('path.b-outline') || {getAttribute: () => null}).getAttribute('fill'),
  })),
})"""


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _missing(reason: str) -> None:
    if _in_ci():
        pytest.fail(reason + " (CI=true: run scripts/browser-deps.sh)")
    pytest.skip(reason + " (run scripts/browser-deps.sh)")


@pytest.fixture(scope="module")
def chromium() -> str:
    """The system Chromium, and Playwright to drive it: a skip outside CI, a failure in CI."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        _missing(f"playwright is not installed: {exc}")
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(path, os.X_OK):
        _missing(f"no Chromium at {path}")
    return path


def _normalise(text: str | None) -> str:
    return " ".join((text or "").split())


def _browser_module(name: str):
    """A module of browser/ (a folder of files, not a package)."""
    spec = importlib.util.spec_from_file_location(f"browser_{name}", BROWSER_DIR / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _GuideParser(HTMLParser):
    """The slides and the runnable queries of a Browser guide."""

    def __init__(self) -> None:
        super().__init__()
        self.slides = 0
        self.queries: list[str] = []
        self._in_runnable = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "slide":
            self.slides += 1
        elif tag == "pre" and "runnable" in classes:
            self._in_runnable = True
            self.queries.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self._in_runnable = False

    def handle_data(self, data: str) -> None:
        if self._in_runnable:
            self.queries[-1] += data


@pytest.fixture
def guide_server() -> Iterator[str]:
    """browser/ over HTTP with CORS (browser/serve.py) on a free port, as http://localhost:PORT."""
    import http.server

    serve = _browser_module("serve")
    handler = lambda *a, **kw: serve.Handler(*a, directory=str(BROWSER_DIR), **kw)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        # "localhost": Browser only fetches from hosts in browser.remote_content_hostname_whitelist.
        yield f"http://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _wait_until_settled(page, timeout_s: float = 20.0) -> dict:
    """Graph data once the force layout has stopped moving the nodes (or after timeout_s)."""
    deadline = time.monotonic() + timeout_s
    previous = None
    while True:
        graph = page.evaluate(GRAPH_JS)
        positions = [n["transform"] for n in graph["nodes"]]
        if positions == previous or time.monotonic() > deadline:
            return graph
        previous = positions
        page.wait_for_timeout(700)


def _run(page, command: str) -> None:
    page.locator(".monaco-editor textarea").first.click()
    page.evaluate(PASTE_JS, command)
    page.keyboard.press("Control+Enter")


def test_browser_draws_the_styled_sample_graph(
    chromium: str, settings: Settings, neo4j_clean: Neo4jSettings, guide_server: str
) -> None:
    from playwright.sync_api import sync_playwright

    result = api.load([SAMPLES], settings, neo4j_clean)
    assert result.ok, result.failures

    http_base = os.environ.get("NEO4J_TEST_HTTP", "http://127.0.0.1:7474").rstrip("/")
    bolt = urlsplit(neo4j_clean.uri)
    connect_url = f"neo4j://{bolt.hostname or '127.0.0.1'}:{bolt.port or 7687}"
    grass_text = (BROWSER_DIR / "style.grass").read_text(encoding="utf-8")
    grass = _browser_module("grass").parse_grass(grass_text)
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 950})
        # Browser calls Sentry, Segment, Google Fonts and canny.io; unanswered, they hang
        # the page, so everything that is not this machine fails at once.
        context.route(
            lambda url: urlsplit(url).hostname not in LOCAL_HOSTS,
            lambda route: route.abort(),
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        try:
            page.goto(
                f"{http_base}/browser/?connectURL={connect_url}&preselectAuthMethod=NO_AUTH",
                timeout=PAGE_LOAD_MS,
            )
            connected = page.get_by_role("heading", name="Connected to Neo4j")
            connect = page.get_by_role("button", name="Connect", exact=True)
            connected.or_(connect).first.wait_for(timeout=CONNECT_MS)
            if not connected.is_visible():
                connect.click()
                connected.wait_for(timeout=CONNECT_MS)

            # The style sheet, pasted after :style. Browser keeps it in localStorage.
            _run(page, ":style " + grass_text)
            page.wait_for_function(
                "n => Object.keys(JSON.parse(localStorage.getItem('neo4j.grass')) || {})"
                ".length === n",
                arg=len(grass),
                timeout=30_000,
            )
            # Browser read every rule and property as browser/grass.py does, in file order.
            stored = page.evaluate("JSON.parse(localStorage.getItem('neo4j.grass'))")
            assert list(stored.items()) == list(grass.items())

            _run(page, QUERY)
            page.wait_for_function(
                "() => document.querySelectorAll('svg g.node').length >= 2"
                " && document.querySelectorAll('svg g.relationship').length >= 1",
                timeout=RESULT_MS,
            )
            graph = _wait_until_settled(page)
            page.locator("article").first.screenshot(path=str(ARTIFACTS / "browser-graph.png"))

            nodes = {_normalise(n["caption"]): n for n in graph["nodes"]}
            assert {"Hayat Tahrir al-Sham", "Aleppo"} <= set(nodes), nodes
            relationships = [_normalise(r["caption"]) for r in graph["relationships"]]
            assert "CAPTURED" in relationships, relationships
            # The most specific class wins: HTS is :Resource:Actor:Organization:ArmedGroup,
            # Aleppo :Resource:Place:City.
            assert nodes["Hayat Tahrir al-Sham"]["fill"] == grass["node.ArmedGroup"]["color"]
            assert nodes["Aleppo"]["fill"] == grass["node.City"]["color"]
            fills = {r["fill"] for r in graph["relationships"]}
            assert grass["relationship.CAPTURED"]["color"] in fills, fills

            # The guide, fetched from the CORS server on "localhost".
            _run(page, f":play {guide_server}/guide.html")
            frame = page.locator("article").first
            frame.get_by_text("kg-etl: the conflict graph").first.wait_for(timeout=30_000)
            guide = _GuideParser()
            guide.feed((BROWSER_DIR / "guide.html").read_text(encoding="utf-8"))
            assert re.search(rf"1\s*/\s*{guide.slides}\b", frame.inner_text())
            assert not errors, errors
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "browser-failure.png"))
            raise
        finally:
            context.unroute_all(behavior="ignoreErrors")
            context.close()
            browser.close()

    # Every starter query of the guide runs and finds something in the sample graph.
    assert 6 <= len(guide.queries) <= 10, guide.queries
    for query in guide.queries:
        rows = api.query(query, "neo4j", {}, neo4j=neo4j_clean).rows
        assert rows, f"no rows for guide query:\n{query}"
