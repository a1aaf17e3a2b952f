"""What the benchmark ran on: CPU, cores, memory, software versions and the disk.

Figures from a shared, noisy machine mean little without this; the ratios to peers
measured in the same run mean more, and the report states both.
"""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from importlib.metadata import version
from pathlib import Path
from typing import Any


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _filesystem(path: str) -> str:
    """The mount point and filesystem type that hold `path` (longest matching mount)."""
    real = os.path.realpath(path)
    best = ("", "?")
    try:
        for line in Path("/proc/mounts").read_text().splitlines():
            _device, mount, kind, *_ = line.split()
            inside = real == mount or real.startswith(mount.rstrip("/") + "/")
            if inside and len(mount) >= len(best[0]):
                best = (mount, kind)
    except OSError:
        pass
    return f"{best[1]} mounted at {best[0] or '?'}"


def _revision() -> str:
    """The commit the engine was measured at, and whether src/ had uncommitted changes
    (read-only git commands)."""
    repo = Path(__file__).resolve().parents[1]

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", "-C", str(repo), "--no-optional-locks", *args],
            capture_output=True,
            text=True,
            check=False,
        )

    head = git("rev-parse", "--short", "HEAD")
    if head.returncode != 0:
        return "unknown (not a git checkout)"
    dirty = git("diff", "--quiet", "HEAD", "--", "src").returncode != 0
    return head.stdout.strip() + (" + uncommitted changes in src/" if dirty else "")


def describe(disk: str, postgres_version: str | None = None) -> dict[str, Any]:
    """The machine, the software and the disk the benchmark writes to."""
    facts: dict[str, Any] = {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory": _memory_gib(),
        "pfdo revision": _revision(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "eventsourcing": version("eventsourcing"),
        "sqlalchemy": version("sqlalchemy"),
        "disk": f"{disk} ({_filesystem(disk)})",
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }
    if postgres_version is not None:
        facts["postgresql"] = postgres_version
    return facts
