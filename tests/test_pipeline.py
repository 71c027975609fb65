"""Segment and token tables of a study: exact, cached, rebuilt only where something changed."""

import dataclasses
import shutil

import pandas as pd
import pytest

import analysis.text.pipeline as pipeline
from analysis.errors import TranscriptError
from analysis.study import Study, init_study
from analysis.text.corpus import read_corpus, transcript_files
from analysis.text.pipeline import build_tables, study_extra_words, study_text
from analysis.text.segments import segment_body
from analysis.text.tokenise import token_features, tokenizer_for


@pytest.fixture
def counted(monkeypatch):
    """Count the transcripts that are really segmented and tokenised."""
    built: list[str] = []
    original = pipeline.transcript_rows

    def counting(transcript_id, *args, **kwargs):
        built.append(transcript_id)
        return original(transcript_id, *args, **kwargs)

    monkeypatch.setattr(pipeline, "transcript_rows", counting)
    return built


def test_pipeline_tables_are_exact(make_study) -> None:
    study = make_study("GOOD-TH.md", "GOOD-EN.md", "TIS-01.txt", "DOCX-01.docx")
    text = study_text(study)
    bodies = {t: pipeline.read_transcript(p).body for t, p in
              [(p.stem, p) for p in study.transcripts_dir.iterdir()]}
    for row in text.segments.itertuples():
        assert bodies[row.transcript_id][row.start:row.end] == row.text
        assert row.segment_id.startswith(f"{row.transcript_id}:")
    for row in text.tokens.itertuples():
        assert bodies[row.transcript_id][row.start:row.end] == row.text
    assert list(text.segments.columns) == ["transcript_id", "segment_id", "speaker", "start", "end",
                                           "text", "language"]
    assert list(text.tokens.columns) == ["transcript_id", "segment_id", "i", "start", "end", "text",
                                         "norm", "script", "is_stop", "is_punct"]
    assert set(text.segments["language"]) == {"th", "en"}
    first = text.tokens[text.tokens["segment_id"] == "GOOD-EN:0001"]
    assert first["i"].tolist() == list(range(len(first)))
    within = text.tokens.merge(text.segments, on="segment_id", suffixes=("", "_segment"))
    assert len(within) == len(text.tokens)  # every token lies inside its segment: labels are not tokens
    assert ((within["start"] >= within["start_segment"]) & (within["end"] <= within["end_segment"])).all()


def test_pipeline_second_run_comes_from_the_cache(make_study, counted) -> None:
    study = make_study("GOOD-TH.md", "GOOD-EN.md")
    first = study_text(study)
    assert sorted(counted) == ["GOOD-EN", "GOOD-TH"]
    counted.clear()
    second = study_text(study)
    assert counted == []
    pd.testing.assert_frame_equal(first.tokens, second.tokens)
    pd.testing.assert_frame_equal(first.segments, second.segments)


def test_pipeline_only_changed_transcripts_are_rebuilt(make_study, counted) -> None:
    study = make_study("GOOD-TH.md", "GOOD-EN.md")
    study_text(study)
    counted.clear()
    english = study.transcripts_dir / "GOOD-EN.md"
    english.write_text(english.read_text().replace("late at night", "at midnight"))
    text = study_text(study)
    assert counted == ["GOOD-EN"]
    assert "midnight" in set(text.tokens["text"])
    counted.clear()
    study_text(study, unit="sentence")
    assert sorted(counted) == ["GOOD-EN", "GOOD-TH"]


def test_pipeline_removed_transcript_leaves_the_tables(make_study) -> None:
    study = make_study("GOOD-TH.md", "GOOD-EN.md")
    study_text(study)
    (study.transcripts_dir / "GOOD-EN.md").unlink()
    assert set(study_text(study).tokens["transcript_id"]) == {"GOOD-TH"}


def test_pipeline_parallel_equals_serial(make_study) -> None:
    study = make_study("GOOD-TH.md", "GOOD-EN.md", "TIS-01.txt", "UTF16-01.md")
    serial = study_text(study, processes=1)
    for folder in study.cache_dir.iterdir():
        if folder.is_dir():
            for path in folder.iterdir():
                path.unlink()
    (study.cache_dir / "files.json").unlink()
    parallel = study_text(study, processes=2)
    pd.testing.assert_frame_equal(serial.tokens, parallel.tokens)


def test_pipeline_invalid_or_duplicate_transcripts_are_refused(make_study) -> None:
    with pytest.raises(TranscriptError, match="refused"):
        study_text(make_study("GOOD-TH.md", "NOT-ANON.md"))


def test_pipeline_duplicate_ids_are_refused(make_study) -> None:
    with pytest.raises(TranscriptError, match="duplicate id 'DUP-1'"):
        study_text(make_study("DUP-1.md", "DUP-1.txt"))


def test_pipeline_sentence_unit_splits_thai_and_english() -> None:
    thai = "\nR: ตอนนั้นหนูกลัวมากเลยค่ะ ไม่รู้ว่าเขาจะพาไปไหน แล้วก็ไม่มีใครบอกอะไรเลย\n"
    english = "\nR: I was scared. Nobody told us anything! Then they took us.\n"
    for body, expected in ((thai, 3), (english, 3)):
        segments = segment_body("X", body, "sentence")
        assert len(segments) == expected
        assert [s.segment_id for s in segments] == ["X:0001", "X:0002", "X:0003"]
        assert all(body[s.start:s.end] == s.text and s.speaker == "R" for s in segments)
    segments, tokens = build_tables("X", english, "sentence")
    assert tokens.column("segment_id").to_pylist().count("X:0002") == 5  # Nobody told us anything !


@pytest.fixture
def demo_copy(tmp_path, demo_study) -> Study:
    """The demo transcripts and codebook in a study of their own (its cache is the test's)."""
    study = init_study(tmp_path / "demo", codebooks=demo_study.codebooks_dir)
    for path in transcript_files(demo_study.transcripts_dir):
        shutil.copy(path, study.transcripts_dir / path.name)
    return study


def straightforward_tables(study: Study) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tables built the plain way: row by row, from ``tokenize`` and ``segment_body``."""
    tokenizer = tokenizer_for(study.segmenter, study_extra_words(study))
    segment_rows, token_rows = [], []
    for transcript in sorted(read_corpus(study), key=lambda t: t.id):
        tokens = tokenizer.tokenize(transcript.body)
        for segment in segment_body(transcript.id, transcript.body, study.segment_unit):
            segment_rows.append(dataclasses.asdict(segment))
            inside = [token for token in tokens if segment.start <= token.start < segment.end]
            for i, token in enumerate(inside):
                norm, script, is_stop, is_punct = token_features(token.text)
                token_rows.append({"transcript_id": transcript.id, "segment_id": segment.segment_id, "i": i,
                                   "start": token.start, "end": token.end, "text": token.text, "norm": norm,
                                   "script": script, "is_stop": is_stop, "is_punct": is_punct})
    return pd.DataFrame(segment_rows), pd.DataFrame(token_rows).astype({"i": "int32"})


def assert_same_tables(text, expected: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    pd.testing.assert_frame_equal(text.segments, expected[0], check_exact=True)
    pd.testing.assert_frame_equal(text.tokens, expected[1], check_exact=True)


def test_pipeline_tables_equal_the_straightforward_build(demo_copy) -> None:
    expected = straightforward_tables(demo_copy)
    assert len(expected[1]) > 10_000
    assert_same_tables(study_text(demo_copy), expected)  # built
    assert_same_tables(study_text(demo_copy), expected)  # from the cache
    changed = sorted(demo_copy.transcripts_dir.glob("*.md"))[3]
    changed.write_text(changed.read_text(encoding="utf-8").replace("\n\n", "\n\nR: ok ok.\n\n", 1),
                       encoding="utf-8")
    assert_same_tables(study_text(demo_copy), straightforward_tables(demo_copy))  # one rebuilt


def test_pipeline_unreadable_cache_is_rebuilt(make_study, counted) -> None:
    study = make_study("GOOD-TH.md", "GOOD-EN.md")
    first = study_text(study)
    (study.cache_dir / "tokens.arrow").write_bytes(b"not arrow")
    counted.clear()
    again = study_text(study)
    assert sorted(counted) == ["GOOD-EN", "GOOD-TH"]
    pd.testing.assert_frame_equal(first.tokens, again.tokens)
    counted.clear()
    study_text(study)
    assert counted == []
