"""Shared fixtures: the demo study, fixture transcripts, and small studies built in a temp folder."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from analysis.study import Study, init_study, load_study

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE_TRANSCRIPTS = FIXTURES / "transcripts"


@pytest.fixture(scope="session")
def demo_study() -> Study:
    """The fictional demo study at the repository root."""
    return load_study(REPO)


@pytest.fixture
def make_study(tmp_path: Path) -> Callable[..., Study]:
    """Build a new study in a temp folder holding the named fixture transcripts and the mini
    codebook (tests/fixtures/codebooks/study/rights-violations.yaml)."""

    def build(*fixture_names: str) -> Study:
        study = init_study(tmp_path / "study", name="Test study", codebooks=FIXTURES / "codebooks" / "study")
        for name in fixture_names:
            shutil.copy(FIXTURE_TRANSCRIPTS / name, study.transcripts_dir / name)
        return study

    return build
