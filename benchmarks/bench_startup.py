"""Start-up: what a short command costs before it does any work (issue 16, "Start-up").

``python -m benchmarks.bench_startup [--rounds N]`` runs each command below in a fresh
interpreter, N times (default 5), and prints the median of

* **wall** time (``time.perf_counter`` around the child),
* **CPU** time (user + system, the delta of ``resource.getrusage(RUSAGE_CHILDREN)``),
* **import** time: the total of ``python -X importtime`` (the cumulative times of the
  top-level imports, the interpreter's own ``site`` included), from separate runs of
  the same command, since ``-X importtime`` adds its own cost to wall and CPU;

and which of the heavy libraries (pandas, numpy, requests, matplotlib, pybtex, ...) the
command imported. The commands: ``evidence --help``, ``evidence check`` of the bundled
example offline (a warm .bib parse cache in a temporary folder, as on a user's second
run), ``import evidence``, and as peers ``import pybtex.database`` and ``pass`` (the bare
interpreter). Target: at most 0.3 s of import time for ``--help`` and ``check``.

Every command runs once before it is measured, with bytecode writing on (even when the
caller has ``PYTHONDONTWRITEBYTECODE`` set): an installed package has its ``.pyc`` files,
and compiling ``evidence`` from source at every start costs 0.2-0.3 s that no user pays.

Before and after the start-up work (issue 16 item 6), measured side by side on the 2-core
shared machine at load average 10-12, the main tree and this one interleaved, median of 5
(min in brackets); the same commands, each tree with its own virtual environment:

==============================  ===============  ===============  ====================
command                         import time      CPU (command)    heavy libraries
==============================  ===============  ===============  ====================
``check`` example, before       1.81 s (1.67 s)  0.73 s (0.68 s)  pandas, numpy, pyarrow,
                                                                  requests, urllib3,
                                                                  tqdm, pybtex, yaml
``check`` example, after        0.52 s (0.45 s)  0.22 s (0.20 s)  pybtex, yaml
``--help``, before / after      0.12 / 0.12 s    0.06 / 0.06 s    none
``import evidence``, the same   0.06 / 0.06 s    0.03 / 0.03 s    none
bare interpreter (peer)         0.03-0.05 s      0.02 s
==============================  ===============  ===============  ====================

Import time is wall time and grows with the machine's load: at load 5 the same ``check``
measured 0.19 s (best) and 0.37 s (median) of imports after the change.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence

from benchmarks._measure import ROOT, Result, median

EXAMPLE = ("docs/examples/sacroiliac.yaml", "--bib", "references.bib")

COMMANDS: dict[str, tuple[str, ...]] = {
    "evidence --help": ("-m", "evidence", "--help"),
    "evidence check (bundled example, offline)": ("-m", "evidence", "check", *EXAMPLE, "--offline"),
    "import evidence": ("-c", "import evidence"),
    "import pybtex.database (peer)": ("-c", "import pybtex.database"),
    "python -c pass (the bare interpreter)": ("-c", "pass"),
}
"""What is measured: the arguments after ``python``."""

TARGETS = ("evidence --help", "evidence check (bundled example, offline)")
"""The commands with the 0.3 s import-time target."""
TARGET_SECONDS = 0.3

HEAVY = (
    "pandas",
    "numpy",
    "pyarrow",
    "requests",
    "urllib3",
    "tqdm",
    "matplotlib",
    "citeproc",
    "pybtex",
    "yaml",
)
"""Libraries whose import is reported per command."""


def environment(cache: str) -> dict[str, str]:
    """The children's environment: bytecode on, the caches in ``cache``."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: with .pyc files
    env["EVIDENCE_CACHE_DIR"] = cache  # never the user's cache; warm after the first run
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return env


def _run(args: Sequence[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run ``python *args``: wall seconds, CPU seconds, stderr."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode not in (0, 1):  # check exits 1: the example has two warnings
        raise RuntimeError(f"python {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return wall, cpu, done.stderr


def parse_importtime(stderr: str) -> tuple[float, dict[str, float]]:
    """From ``-X importtime`` output: the total seconds (the top-level imports' cumulative
    times) and each module's own seconds."""
    total = 0.0
    own: dict[str, float] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        parts = line[len("import time:") :].split("|", 2)
        if len(parts) != 3:
            continue
        self_us, cumulative_us, name = parts
        if name.startswith(" ") and not name.startswith("  "):  # depth 0: a top-level import
            total += int(cumulative_us) / 1e6
        own[name.strip()] = int(self_us) / 1e6
    return total, own


def measure_command(args: Sequence[str], rounds: int, env: dict[str, str]) -> Result:
    """One command: medians (and all rounds) of wall, CPU and import time; heavy imports;
    the modules with the most import time of their own (best round)."""
    _run(args, env)  # warm-up: .pyc files, the .bib parse cache, the file-system cache
    walls, cpus, imports = [], [], []
    for _ in range(rounds):
        wall, cpu, _ = _run(args, env)
        walls.append(wall)
        cpus.append(cpu)
    best_own: dict[str, float] = {}
    for _ in range(rounds):
        _, _, stderr = _run(["-X", "importtime", *args], env)
        total, own = parse_importtime(stderr)
        imports.append(total)
        for name, seconds in own.items():
            best_own[name] = min(best_own.get(name, seconds), seconds)
    tops = {name for name in best_own if "." not in name}
    heaviest = sorted(best_own.items(), key=lambda kv: -kv[1])[:12]
    return {
        "seconds": median(walls),
        "cpu_seconds": median(cpus),
        "import_seconds": median(imports),
        "all_seconds": walls,
        "all_cpu_seconds": cpus,
        "all_import_seconds": imports,
        "heavy": [name for name in HEAVY if name in tops],
        "modules": len(best_own),
        "heaviest_own": heaviest,
    }


def measure(rounds: int = 5) -> Result:
    """Every command of :data:`COMMANDS`, ``rounds`` times each."""
    with tempfile.TemporaryDirectory(prefix="evidence-bench-startup-") as cache:
        env = environment(cache)
        commands = {name: measure_command(args, rounds, env) for name, args in COMMANDS.items()}
    return {
        "rounds": rounds,
        "target_seconds": TARGET_SECONDS,
        "commands": commands,
        "python": sys.executable,
    }


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def show(r: Result) -> str:
    """The results as a Markdown table, then the heaviest modules of ``check``."""
    lines = [
        "| command | import time | wall | CPU | heavy libraries imported | modules |",
        "|---|---:|---:|---:|---|---:|",
    ]
    for name, c in r["commands"].items():
        heavy = ", ".join(c["heavy"]) or "none"
        lines.append(
            f"| `{name}` | {_ms(c['import_seconds'])} | {_ms(c['seconds'])} | "
            f"{_ms(c['cpu_seconds'])} | {heavy} | {c['modules']} |"
        )
    check = r["commands"].get(TARGETS[1])
    if check:
        top = ", ".join(f"`{name}` {_ms(s)}" for name, s in check["heaviest_own"][:8])
        lines += ["", f"Most import time of its own in `check` (best of the rounds): {top}."]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds per command (default 5)")
    args = parser.parse_args()
    print(show(measure(args.rounds)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
