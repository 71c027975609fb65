"""Shared fixtures: the demo study, fixture transcripts, and small studies built in a temp folder."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from analysis.coding.rows import CODING_COLUMNS, new_coding
from analysis.coding.store import CodingStore
from analysis.study import Study, init_study, load_study
from analysis.text.corpus import read_corpus
from analysis.text.segments import segment_body

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


TINY_SITES = {"P1": "A", "P2": "A", "P3": "A", "P4": "B", "P5": "C", "P6": "C"}
TINY_TH = "I: เกิดอะไรขึ้นคะ\n\nR: ตำรวจพาไปบ้านพัก อยู่สองเดือน\n\nI: มีล่ามไหม\n\nR: ไม่มีล่ามเลย"
TINY_EN = ("I: What happened?\n\nR: The police took me to a shelter for two months.\n\n"
           "I: Was there an interpreter?\n\nR: No interpreter at all.")
# (transcript, turn number, code, coders, phrase or None)
TINY_CODINGS = [
    ("P1", 2, "LIB-SHEL", "nok mai fon", None),
    ("P1", 4, "FTR-INTERP", "nok", None),  # one coder of three: counts only under "union"
    ("P2", 2, "LIB-DET", "nok mai", None),
    ("P2", 2, "LIB-SHEL", "nok mai", "shelter"),  # both coded a phrase: the quote is the phrase
    ("P3", 2, "LIB-SHEL", "nok mai", None),
    ("P4", 2, "LIB-SHEL", "nok mai", None),
    ("P5", 4, "FTR-INTERP", "nok mai", None),
    ("P6", 2, "LIB-SHEL", "nok mai", None),
    ("P1-EN", 2, "LIB-SHEL", "nok", None),  # a translation: never counted
]


def _transcript(tid: str, body: str, site: str, language: str, extra: str = "") -> str:
    return (f"---\nid: {tid}\nlanguage: {language}\nanonymised: true\nfictional: true\nsite: {site}\n"
            f"group: thai\n{extra}---\n\n{body}\n")


@pytest.fixture
def coded_tiny_study(tmp_path: Path) -> Study:
    """Six participants (sites A: 3, B: 1, C: 2; P1 in Thai with an English translation) coded by
    nok and mai (all) and fon (P1): see ``TINY_CODINGS``."""
    return build_tiny_study(tmp_path / "study")


def build_tiny_study(folder: Path) -> Study:
    """The study of ``coded_tiny_study`` in ``folder``."""
    study = init_study(folder, name="Test study", codebooks=FIXTURES / "codebooks" / "study")
    for tid, site in TINY_SITES.items():
        body, language = (TINY_TH, "th") if tid == "P1" else (TINY_EN, "en")
        text = _transcript(tid, body, site, language)
        (study.transcripts_dir / f"{tid}.md").write_text(text, encoding="utf-8")
    (study.transcripts_dir / "P1-EN.md").write_text(
        _transcript("P1-EN", TINY_EN, "A", "en", "translation_of: P1\n"), encoding="utf-8")
    corpus = read_corpus(study)
    store = CodingStore(study)
    for coder in ("nok", "mai"):
        for tid in [*TINY_SITES, "P1-EN"]:
            store.path(coder, tid).parent.mkdir(parents=True, exist_ok=True)
            header = ",".join(CODING_COLUMNS) + "\n"  # coded, perhaps with nothing applied
            store.path(coder, tid).write_text(header, encoding="utf-8")
    for tid, turn, code, coders, phrase in TINY_CODINGS:
        transcript = corpus.get(tid)
        segment = segment_body(tid, transcript.body)[turn - 1]
        span = {}
        if phrase:
            at = transcript.body.index(phrase, segment.start)
            span = {"start": at, "end": at + len(phrase)}
        for coder in coders.split():
            store.add(new_coding(transcript, segment, code, coder, **span))
    return study
