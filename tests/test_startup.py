"""Start-up stays light: commands import pandas, requests, matplotlib and the rest only
when they need them (issue 16, "Start-up"; benchmarks/bench_startup.py measures the time).

Each case runs in a fresh interpreter and reads ``sys.modules`` afterwards, so an eager
import added anywhere on the way (a package ``__init__``, a module-level ``import pandas``)
fails here instead of slowing every command down unnoticed. Nothing here is timed.

Also the table's frames built on first read (:mod:`evidence.table.frames`), which is what
lets ``evidence check`` skip pandas.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from evidence.assess import COMPARATIVE_COLUMNS
from evidence.model import Citation, Claim, Reference, Stance
from evidence.table import POOLED_COLUMNS, EvidenceTable, build_table
from evidence.table.frames import PendingFrame

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "sacroiliac.yaml"
BIB = ROOT / "references.bib"

# What no light command may load; the PubMed stack (requests, urllib3, tqdm) and the
# DataFrame stack (pandas, numpy, pyarrow) each weigh more than the rest of start-up.
HEAVY = (
    "pandas",
    "numpy",
    "pyarrow",
    "requests",
    "urllib3",
    "tqdm",
    "matplotlib",
    "citeproc",
    "scipy",
    "statsmodels",
)

_PROBE = """
import contextlib, io, json, sys
{body}
print(json.dumps({{"loaded": sorted(m for m in {heavy!r} if m in sys.modules), "result": result}}))
"""


def _probe(body: str, tmp_path: Path, *heavy: str) -> dict[str, object]:
    """Run ``body`` (which sets ``result``) in a fresh interpreter; which of ``heavy`` it
    loaded, and its result."""
    env = {**os.environ, "EVIDENCE_CACHE_DIR": str(tmp_path / "cache")}
    code = _PROBE.format(body=body, heavy=heavy or HEAVY)
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answer: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return answer


def _cli(argv: list[str]) -> str:
    """A probe body running the command line with ``argv``; ``result`` is its exit code and
    what it wrote."""
    return f"""
from evidence.cli import main
out, err = io.StringIO(), io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    try:
        code = main({argv!r})
    except SystemExit as stop:
        code = stop.code
result = [code, out.getvalue(), err.getvalue()]
"""


def test_importing_the_package_and_the_cli_loads_nothing_heavy(tmp_path: Path) -> None:
    body = "import evidence, evidence.cli, evidence.cli.runner\nresult = evidence.__version__"
    answer = _probe(body, tmp_path, *HEAVY, "pybtex", "yaml", "latexcodec")
    assert answer["loaded"] == []
    assert answer["result"]


def test_help_loads_nothing_heavy(tmp_path: Path) -> None:
    answer = _probe(_cli(["--help"]), tmp_path, *HEAVY, "pybtex", "yaml", "latexcodec")
    assert answer["loaded"] == []
    code, out, _ = answer["result"]  # type: ignore[misc]
    assert code == 0
    assert "usage: evidence" in out
    assert "check" in out


def test_check_of_the_bundled_example_loads_no_dataframes_and_no_network_stack(
    tmp_path: Path,
) -> None:
    argv = ["check", str(EXAMPLE), "--bib", str(BIB), "--offline"]
    for run in ("cold", "warm"):  # the second run reads the .bib parse cache
        answer = _probe(_cli(argv), tmp_path)
        assert answer["loaded"] == [], run
        code, out, err = answer["result"]  # type: ignore[misc]
        # It really checked: the example's problems are reported, located in its file.
        assert code == 1, err
        assert "sacroiliac.yaml:" in out
        assert "in 4 claims" in err


def test_the_table_command_still_loads_pandas(tmp_path: Path) -> None:
    """The probe can see an import: the table command renders DataFrames, so it loads
    pandas (and, offline, still not requests)."""
    argv = ["table", str(EXAMPLE), "--bib", str(BIB), "--offline"]
    answer = _probe(_cli(argv), tmp_path, "pandas", "requests")
    assert answer["loaded"] == ["pandas"]
    code, out, _ = answer["result"]  # type: ignore[misc]
    assert code == 0
    assert "| not-every-patient |" in out


# --- frames built on first read ---------------------------------------------------------


def _table() -> EvidenceTable:
    refs = {
        "katz2003": Reference("katz2003", "article", year=2003),
        "liliang2011": Reference("liliang2011", "article", year=2011),
    }
    claims = [
        Claim(
            "c1",
            "A claim.",
            (
                Citation("katz2003", stance=Stance.SUPPORTS, events=4, n=20, outcome="pain"),
                Citation("liliang2011", stance=Stance.SUPPORTS, events=9, n=40, outcome="pain"),
            ),
        ),
        Claim("c2", "Another claim.", (Citation("katz2003"),)),
    ]
    return build_table(claims, refs)


def test_frames_are_built_once_on_first_read() -> None:
    table = _table()
    assert isinstance(table.__dict__["_claims_frame"], PendingFrame)
    first = table.claims
    assert isinstance(first, pd.DataFrame)
    assert table.claims is first
    assert list(first["id"]) == ["c1", "c2"]
    assert first["verdict"].cat.ordered  # an ordered categorical, as before
    assert list(first["verdict"].cat.categories[:1]) == ["supported"]
    assert list(table.pooled["k"]) == [2]
    assert str(table.pooled["k"].dtype) == "int64"


def test_a_table_pickles_before_and_after_its_frames_are_built() -> None:
    pending = _table()
    built = _table()
    _ = built.claims, built.evidence, built.pooled, built.comparative
    for table in (pending, built):
        again = pickle.loads(pickle.dumps(table))
        for name in ("claims", "evidence", "pooled", "comparative"):
            pd.testing.assert_frame_equal(getattr(again, name), getattr(built, name))


def test_a_table_given_dataframes_keeps_them_and_stays_frozen() -> None:
    claims = pd.DataFrame({"id": ["c1"]})
    evidence = pd.DataFrame({"claim_id": ["c1"]})
    table = EvidenceTable(claims, evidence, (), ())
    assert table.claims is claims
    assert table.evidence is evidence
    with pytest.raises(dataclasses.FrozenInstanceError):
        table.claims = evidence  # type: ignore[misc]
    # dataclasses.replace reads the frames and hands them to the new table
    assert dataclasses.replace(table, title="t").claims is claims


def test_default_frames_are_empty_with_their_columns_and_not_shared() -> None:
    one = EvidenceTable(pd.DataFrame(), pd.DataFrame(), (), ())
    two = EvidenceTable(pd.DataFrame(), pd.DataFrame(), (), ())
    assert one.pooled is not two.pooled
    assert len(one.pooled) == 0
    assert len(one.comparative) == 0

    assert list(one.pooled.columns) == list(POOLED_COLUMNS)
    assert list(one.comparative.columns) == list(COMPARATIVE_COLUMNS)
    pd.testing.assert_frame_equal(one.pooled, pd.DataFrame(columns=list(POOLED_COLUMNS)))


def test_a_table_needs_its_claims_and_evidence() -> None:
    with pytest.raises(TypeError):
        EvidenceTable()  # type: ignore[call-arg]


# --- lazy package exports ----------------------------------------------------------------

LAZY_PACKAGES = (
    "evidence",
    "evidence.assess",
    "evidence.audit",
    "evidence.bibliography",
    "evidence.claims",
    "evidence.extract",
    "evidence.pipeline",
    "evidence.plot",
    "evidence.pubmed",
    "evidence.table",
)


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_every_exported_name_is_there_when_asked_for(package: str) -> None:
    module = importlib.import_module(package)
    for name in module.__all__:
        value = getattr(module, name)
        assert value is not None, name
        assert name in dir(module)
        # the object is the one its own module defines, not a copy
        home = getattr(module, "_WHERE", {}).get(name)
        if home is not None:
            assert getattr(importlib.import_module(home), name) is value
    with pytest.raises(AttributeError, match="no attribute"):
        _ = module.no_such_name


def test_importing_one_module_does_not_import_its_whole_package(tmp_path: Path) -> None:
    """snapshot needs assess_retraction only, not the meta-analysis stack beside it."""
    body = "import evidence.snapshot\nresult = None"
    answer = _probe(body, tmp_path, "evidence.assess.meta", "evidence.claims.writers")
    assert answer["loaded"] == []
