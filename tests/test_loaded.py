"""The study read once (analysis.coding.loaded): a report, check or agreement run parses the corpus once."""

from __future__ import annotations

import pytest

import analysis.coding.loaded as loaded_module
from analysis.agreement.study import study_agreement
from analysis.coding.check import check_study
from analysis.coding.loaded import LoadedStudy, loaded
from analysis.coding.status import study_codings
from analysis.report.build import build_report
from analysis.text import corpus as corpus_module
from analysis.text import pipeline as pipeline_module


@pytest.fixture
def reads(monkeypatch) -> dict[str, int]:
    """Count the corpus reads and the segment/token table loads made through LoadedStudy."""
    counts = {"read_corpus": 0, "study_text": 0, "read_transcript": 0}

    def counting(name, function):
        def wrapper(*args, **kwargs):
            counts[name] += 1
            return function(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(loaded_module, "read_corpus", counting("read_corpus", loaded_module.read_corpus))
    monkeypatch.setattr(loaded_module, "study_text", counting("study_text", loaded_module.study_text))
    read_transcript = counting("read_transcript", corpus_module.read_transcript)
    monkeypatch.setattr(corpus_module, "read_transcript", read_transcript)
    monkeypatch.setattr(pipeline_module, "read_transcript", read_transcript)
    return counts


def test_loaded_report_reads_the_corpus_once(coded_tiny_study, reads) -> None:
    transcripts = len(list(coded_tiny_study.transcripts_dir.glob("*.md")))
    result = build_report(coded_tiny_study, force=True, samples=20)
    assert result.rebuilt
    assert reads["read_corpus"] == 1
    assert reads["study_text"] == 1
    assert reads["read_transcript"] == transcripts  # each file parsed once, tokenised without a re-read


def test_loaded_parts_are_kept_and_shared(coded_tiny_study, reads) -> None:
    data = LoadedStudy(coded_tiny_study)
    assert loaded(data) is data
    check = check_study(data)
    assert check.ok, check.problem_lines()
    study_agreement(data, samples=20)
    study_agreement(data, by="right", samples=20)
    table, problems = study_codings(data)
    assert table is data.codings and not problems
    assert check.corpus is data.corpus
    assert reads == {"read_corpus": 1, "study_text": 1, "read_transcript": len(data.corpus.transcripts)}


def test_loaded_study_is_a_snapshot(coded_tiny_study) -> None:
    """A new LoadedStudy sees a changed study; an existing one keeps what it read."""
    data = LoadedStudy(coded_tiny_study)
    before = len(data.codings)
    for path in coded_tiny_study.codings_dir.glob("mai/*.csv"):
        path.unlink()
    assert len(data.codings) == before
    assert len(LoadedStudy(coded_tiny_study).codings) < before
