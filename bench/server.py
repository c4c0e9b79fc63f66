"""The local Neo4j server the benchmark runs against: scripts/neo4j.sh, and emptying it."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import neo4j

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "neo4j.sh"


@dataclass
class Server:
    """Where the server lives and how scripts/neo4j.sh must be told to (re)start it."""

    uri: str
    home: Path
    http_port: int
    heap: str | None = None
    pagecache: str | None = None

    @property
    def bolt_port(self) -> int:
        return urlparse(self.uri).port or 7687

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["NEO4J_HOME_DIR"] = str(self.home)
        env["NEO4J_BOLT_PORT"] = str(self.bolt_port)
        env["NEO4J_HTTP_PORT"] = str(self.http_port)
        heap, pagecache = self.heap, self.pagecache
        # Without explicit sizes, restart with the ones the server runs with now, so a
        # restart (import stops and starts it) does not change the memory it has.
        conf = self._conf()
        heap = heap or conf.get("server.memory.heap.max_size")
        pagecache = pagecache or conf.get("server.memory.pagecache.size")
        if heap:
            env["NEO4J_HEAP"] = heap
        if pagecache:
            env["NEO4J_PAGECACHE"] = pagecache
        return env

    def _conf(self) -> dict[str, str]:
        path = self.home / "conf" / "neo4j.conf"
        if not path.exists():
            return {}
        pairs = (
            line.split("=", 1)
            for line in path.read_text().splitlines()
            if "=" in line and not line.startswith("#")
        )
        return {k.strip(): v.strip() for k, v in pairs}

    def memory(self) -> str:
        conf = self._conf()
        return (
            f"heap {conf.get('server.memory.heap.max_size', '?')}, "
            f"page cache {conf.get('server.memory.pagecache.size', '?')}"
        )

    def script(self, *args: str, quiet: bool = True) -> subprocess.CompletedProcess[str]:
        """Run scripts/neo4j.sh ARGS for this server; raises with its output on failure."""
        done = subprocess.run(
            [str(SCRIPT), *args], env=self.env(), capture_output=True, text=True, check=False
        )
        if done.returncode != 0 and not (args[0] == "status" and done.returncode == 3):
            raise RuntimeError(
                f"scripts/neo4j.sh {' '.join(args)} failed ({done.returncode}):\n"
                f"{done.stdout}{done.stderr}"
            )
        if not quiet:
            print(done.stdout, end="")
        return done

    def running(self) -> bool:
        return self.script("status").returncode == 0

    def start(self) -> None:
        self.script("start")

    def restart(self) -> None:
        self.script("stop")
        self.script("start")

    def pid(self) -> int | None:
        """The JVM's pid (from the pid file of the home), None when not known."""
        try:
            pid = int((self.home / "neo4j.pid").read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if Path(f"/proc/{pid}").exists() else None

    def driver(self) -> neo4j.Driver:
        driver = neo4j.GraphDatabase.driver(self.uri, notifications_min_severity="OFF")
        for attempt in range(30):
            try:
                driver.verify_connectivity()
                return driver
            except neo4j.exceptions.ServiceUnavailable:
                if attempt == 29:
                    raise
                time.sleep(1)
        return driver


def empty_database(driver: neo4j.Driver) -> None:
    """Delete every relationship and node (in batches), then every constraint and index."""
    with driver.session() as session:
        session.run(
            "MATCH ()-[r]->() CALL { WITH r DELETE r } IN TRANSACTIONS OF 50000 ROWS"
        ).consume()
        session.run(
            "MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
        ).consume()
        for name in session.run("SHOW CONSTRAINTS YIELD name RETURN name").value():
            session.run(f"DROP CONSTRAINT `{name}` IF EXISTS").consume()
        names = session.run(
            "SHOW INDEXES YIELD name, type, owningConstraint "
            "WHERE type <> 'LOOKUP' AND owningConstraint IS NULL RETURN name"
        ).value()
        for name in names:
            session.run(f"DROP INDEX `{name}` IF EXISTS").consume()


def counts(driver: neo4j.Driver) -> tuple[int, int]:
    """Nodes and relationships in the database (from the count store: instant)."""
    records, _, _ = driver.execute_query(
        "CALL { MATCH (n) RETURN count(n) AS nodes } "
        "CALL { MATCH ()-[r]->() RETURN count(r) AS rels } RETURN nodes, rels"
    )
    return records[0]["nodes"], records[0]["rels"]
