"""Shared test helpers: where the repository and the team's ../shared folder are."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests that do not set their own number of examples (the fuzz tests) run a
# bounded number in CI; EVIDENCE_FUZZ=thorough runs many more on demand:
#   EVIDENCE_FUZZ=thorough pytest tests/test_fuzz.py
settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("EVIDENCE_FUZZ", "ci"))

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
FIXTURES = SHARED / "fixtures"


def shared_path(*parts: str) -> Path:
    """A path inside ../shared, or skip the test with the reason when it is not there."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(
            f"needs {path} (the team's shared fixtures beside the repository); "
            "it is present in CI but absent in this clone"
        )
    return path


@pytest.fixture
def repo_root() -> Path:
    return ROOT


@pytest.fixture(autouse=True, scope="session")
def private_cache_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """No test writes to the developer's own cache folder: the .bib parse cache and the
    PubMed cache are on by default, so point EVIDENCE_CACHE_DIR at a folder of the run's."""
    root = tmp_path_factory.mktemp("evidence-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EVIDENCE_CACHE_DIR", str(root))
        yield root
