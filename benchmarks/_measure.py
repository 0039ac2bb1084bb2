"""Plumbing shared by the benchmarks: fresh child processes, peak memory, the machine.

Every measurement runs in a child process of its own (``python -m benchmarks.<module>
--child TASK ...``) so that its peak resident memory (``ru_maxrss``) is its own, and its
imports, caches and heap start from nothing, as they would for a user. The child prints
one JSON object as its last line of output; :func:`spawn` returns it.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FIXTURES = SHARED / "fixtures"

Result = dict[str, Any]


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB.

    Linux's ``VmHWM`` when there is one: ``ru_maxrss`` is the same peak, but Linux carries
    it over from the parent across ``exec``, so a child of a large parent would report the
    parent's size. Elsewhere ``ru_maxrss`` (KiB on Linux, bytes on macOS).
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds ``function`` took, and what it returned."""
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def run_child(tasks: Mapping[str, Callable[..., Result]], argv: list[str]) -> int:
    """In a child: run ``tasks[argv[0]](*argv[1:])`` and print its result as JSON."""
    name, *args = argv
    result = tasks[name](*args)
    result.setdefault("peak_rss_mb", round(peak_rss_mb(), 1))
    print(json.dumps(result))
    return 0


def spawn(module: str, task: str, *args: object, timeout: float = 1800) -> Result:
    """Run ``task`` of ``benchmarks.<module>`` in a fresh Python process; its result."""
    command = [sys.executable, "-m", f"benchmarks.{module}", "--child", task, *map(str, args)]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command[2:])} failed ({done.returncode}):\n{done.stderr[-3000:]}"
        )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def machine() -> Result:
    """What the figures were measured on."""
    cpu = "unknown"
    memory = 0.0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) / 1024 / 1024
                break
    except OSError:
        pass
    versions = {}
    for package in ("evidence", "pybtex", "pandas", "requests", "urllib3", "defusedxml"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return {
        "cpus": os.cpu_count() or 0,
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 0,
        "memory_gb": round(memory, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "system": platform.platform(),
        "load": os.getloadavg() if hasattr(os, "getloadavg") else (),
        "versions": versions,
    }


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def main_for(tasks: Mapping[str, Callable[..., Result]], standalone: Callable[[], int]) -> int:
    """A benchmark module's entry point: a child task with ``--child``, else ``standalone``."""
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        return run_child(tasks, sys.argv[2:])
    return standalone()
