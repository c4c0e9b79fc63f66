"""Timing and memory for one measurement, read from /proc (Linux), without psutil.

Python side: the kernel's high-water mark of this process (VmHWM), reset at the start of
each measurement by writing 5 to /proc/self/clear_refs, so each peak is that measurement's
own (it still includes what the process held before, e.g. the synthetic corpus: the
delta over the start is printed too). Server side: the Neo4j JVM is another process; a
thread samples its resident size (VmRSS) every 0.2 s.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def _status_kb(pid: int | str, key: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def reset_peak() -> bool:
    """Make VmHWM equal the current RSS; False where the kernel does not allow it."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def rss_mb(pid: int | str = "self") -> float | None:
    kb = _status_kb(pid, "VmRSS")
    return kb / 1024 if kb is not None else None


def peak_mb(pid: int | str = "self") -> float | None:
    kb = _status_kb(pid, "VmHWM")
    return kb / 1024 if kb is not None else None


class RssSampler:
    """Samples another process's VmRSS in a thread; `peak` is the largest seen (MB)."""

    def __init__(self, pid: int | None, every: float = 0.2):
        self.pid, self.every = pid, every
        self.peak: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while True:
            if self.pid is not None and (mb := rss_mb(self.pid)) is not None:
                self.peak = max(self.peak or 0.0, mb)
            if self._stop.wait(self.every):
                return

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Result:
    """One measurement as printed: facts per second, seconds, peak memory."""

    name: str
    facts: int = 0
    seconds: float = 0.0
    peak_mb: float | None = None  # this Python process, VmHWM during the measurement
    start_mb: float | None = None  # its RSS when the measurement began
    server_mb: float | None = None  # Neo4j JVM (or another process), peak VmRSS
    server_label: str = "JVM"
    notes: list[str] = field(default_factory=list)
    skipped: str | None = None  # why it did not run

    @property
    def rate(self) -> float | None:
        if self.skipped or self.seconds <= 0:
            return None
        return self.facts / self.seconds

    def line(self) -> str:
        if self.skipped:
            return f"{self.name:34} {self.skipped}"
        mem = f"peak {self.peak_mb:7.0f} MB" if self.peak_mb is not None else "peak     n/a"
        if self.peak_mb is not None and self.start_mb is not None:
            mem += f" ({max(0.0, self.peak_mb - self.start_mb):+.0f})"
        server = (
            f", {self.server_label} {self.server_mb:.0f} MB" if self.server_mb is not None else ""
        )
        return (
            f"{self.name:34} {self.rate or 0:>10,.0f} facts/s {self.seconds:9.2f} s  {mem}{server}"
        )


@contextlib.contextmanager
def measuring(result: Result, server_pid: int | None = None) -> Iterator[Result]:
    """Time the block into `result`, with this process's peak memory and the server's."""
    reset_peak()
    result.start_mb = rss_mb()
    with RssSampler(server_pid) as sampler:
        start = time.perf_counter()
        try:
            yield result
        finally:
            result.seconds += time.perf_counter() - start
    result.peak_mb = peak_mb()
    result.server_mb = sampler.peak


def load_average() -> str:
    """The 1-minute load average and the core count: how busy the machine was."""
    try:
        one = Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "load average n/a"
    return f"load average {one} on {os.cpu_count()} cores"


class Stopwatch:
    """Accumulates named durations (seconds), for the phases of one measurement."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def add(self, name: str, seconds: float) -> None:
        with self._lock:
            self.totals[name] = self.totals.get(name, 0.0) + seconds
            self.counts[name] = self.counts.get(name, 0) + 1

    @contextlib.contextmanager
    def timing(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - start)

    def breakdown(self, total: float, rest: str) -> list[str]:
        """Lines `name  seconds  share  calls`, largest first; what is left is `rest`."""
        lines, spent = [], 0.0
        for name, seconds in sorted(self.totals.items(), key=lambda kv: -kv[1]):
            spent += seconds
            share = 100 * seconds / total
            lines.append(f"{name:30} {seconds:8.2f} s {share:5.1f} %  {self.counts[name]:,} calls")
        left = total - spent
        lines.append(f"{rest:30} {left:8.2f} s {100 * left / total:5.1f} %")
        return lines


class TimedCalls:
    """Times calls to the methods of an object (e.g. a pyoxigraph Store) into a Stopwatch.
    Only the outermost timed call counts, so nested calls are not counted twice."""

    _active = threading.local()

    def __init__(self, target: Any, watch: Stopwatch, prefix: str):
        self._target, self._watch, self._prefix = target, watch, prefix

    @classmethod
    def call(cls, watch: Stopwatch, name: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(cls._active, "on", False):
            return fn(*args, **kwargs)
        cls._active.on = True
        try:
            with watch.timing(name):
                return fn(*args, **kwargs)
        finally:
            cls._active.on = False

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if not callable(value):
            return value
        label = f"{self._prefix}.{name}"
        return lambda *a, **k: TimedCalls.call(self._watch, label, value, *a, **k)

    def __contains__(self, item: object) -> bool:
        return TimedCalls.call(self._watch, f"{self._prefix} in", self._target.__contains__, item)

    def __len__(self) -> int:
        return len(self._target)
