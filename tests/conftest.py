"""Shared test helpers: where the repository and the team's ../shared folder are."""

from __future__ import annotations

from pathlib import Path

import pytest

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
