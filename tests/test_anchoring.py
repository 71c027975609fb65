"""Strict re-anchoring after a transcript edit, and rows that belong to another coder or file."""

import pandas as pd
import pytest

from analysis.codebook.model import study_codebook
from analysis.coding.anchoring import PLACED, resolve_codings
from analysis.coding.rows import new_coding
from analysis.coding.status import study_codings
from analysis.coding.store import CodingStore
from analysis.text.corpus import read_corpus, read_transcript
from analysis.text.segments import Segment, segment_body

HEAD = "---\nid: T\nlanguage: en\nanonymised: true\nfictional: true\n---\n\n"


@pytest.fixture
def study(make_study):
    return make_study()


def write(study, *turns: str):
    """Write transcript T with these turns; return it as read back."""
    path = study.transcripts_dir / "T.md"
    path.write_text(HEAD + "\n\n".join(turns) + "\n", encoding="utf-8")
    return read_transcript(path)


def code(study, transcript, turn: int, phrase: str | None = None, code_id: str = "LIB-SHEL") -> int | None:
    """nok codes turn ``turn`` (or the first ``phrase`` in it); return the phrase's start."""
    segment = segment_body(transcript.id, transcript.body)[turn - 1]
    start = transcript.body.index(phrase, segment.start) if phrase else None
    end = start + len(phrase) if phrase else None
    CodingStore(study).add(new_coding(transcript, segment, code_id, "nok", start=start, end=end))
    return start


def resolved(study) -> dict:
    """The one coding of the study as resolved, with its problem."""
    table, problems = study_codings(study)
    assert len(table) == 1  # never dropped
    return {**table.iloc[0].to_dict(), "problems": [p.message for p in problems]}


def test_anchoring_whole_segment_only_onto_a_segment_with_equal_text(study) -> None:
    transcript = write(study, "I: What happened?", "R: The police came.", "I: And then?")
    code(study, transcript, 2)
    write(study, "I: What happened?", "R: The police came. Then they left.", "I: And then?")
    result = resolved(study)  # the quote is inside a longer turn now: not a phrase of it
    assert result["status"] == "needs review" and pd.isna(result["start"])
    assert "no segment has exactly its text" in result["problems"][0]
    write(study, "I: Hello.", "I: What happened?", "R: The police came.", "I: And then?")
    result = resolved(study)
    assert (result["status"], result["segment_id"]) == ("reanchored", "T:0003") and pd.isna(result["start"])


def test_anchoring_whole_segment_nearest_equal_segment_and_ties(study) -> None:
    transcript = write(study, "I: Were you afraid?", "R: Yes.", "I: Did they ask you?")
    code(study, transcript, 2)
    write(study, "R: Yes.", "I: Were you afraid?", "I: Did they ask you?", "R: Yes.")
    assert resolved(study)["segment_id"] == "T:0001"  # 1 away from the old number 2, not 2 away
    write(study, "R: Yes.", "I: Were you afraid?", "R: Yes.")
    result = resolved(study)
    assert result["status"] == "needs review" and "equally near" in result["problems"][0]


def test_anchoring_phrase_nearest_match_and_ties(study) -> None:
    transcript = write(study, "I: Where?", "R: " + "x" * 21 + " shelter")
    start = code(study, transcript, 2, "shelter")
    # Moved by the new first turn; a second, new "shelter" is further from the old place.
    moved = write(study, "I: Hi.", "I: Where?", "R: " + "x" * 21 + " shelter, the shelter")
    result = resolved(study)
    assert result["status"] == "reanchored" and result["segment_id"] == "T:0003"
    assert result["start"] == moved.body.index("shelter") == start + len("I: Hi.\n\n")
    assert result["quote"] == "shelter" and result["end"] == result["start"] + 7
    tied = write(study, "I: Where?", "R: " + "x" * 12 + "shelter" + "x" * 13 + "shelter")
    assert [tied.body.find("shelter", at) for at in (0, start)] == [start - 10, start + 10]
    result = resolved(study)
    assert result["status"] == "needs review" and "equally near" in result["problems"][0]
    write(study, "I: Where?", "R: a house")
    assert "no longer occurs" in resolved(study)["problems"][0]


def test_anchoring_phrase_match_must_lie_inside_one_segment(study) -> None:
    transcript = write(study, "I: Where?", "R: to the shelter. Then home.")
    code(study, transcript, 2, "shelter. Then")
    edited = write(study, "I: Where?", "R: to the shelter. Then home!")
    table, _ = resolve_codings(CodingStore(study), read_corpus(study), study_codebook(study),
                               {"T": segment_body("T", edited.body)})
    assert table["status"].tolist() == ["reanchored"]
    turn = segment_body("T", edited.body)[1]
    cut = turn.start + turn.text.index(" Then")  # the same text split into two sentences
    sentences = [Segment("T", "T:0002", "R", turn.start, cut, edited.body[turn.start:cut], "en"),
                 Segment("T", "T:0003", "R", cut + 1, turn.end, edited.body[cut + 1:turn.end], "en")]
    table, problems = resolve_codings(CodingStore(study), read_corpus(study), study_codebook(study),
                                      {"T": [segment_body("T", edited.body)[0], *sentences]})
    assert table["status"].tolist() == ["needs review"] and "no longer occurs" in problems[0].what


def test_anchoring_row_of_another_coder_or_file_counts_for_nobody(study) -> None:
    transcript = write(study, "I: What happened?", "R: The police came.")
    code(study, transcript, 2)
    store = CodingStore(study)
    path = store.path("nok", "T")
    header, row = path.read_text(encoding="utf-8").splitlines()
    foreign = row.replace(",LIB-SHEL,nok,", ",LIB-DET,mai,")  # a row of "mai" in nok's file
    path.write_text(f"{header}\n{row}\n{foreign}\n", encoding="utf-8")
    (store.folder("nok") / "T copy.csv").write_text(f"{header}\n{row}\n", encoding="utf-8")
    table, problems = study_codings(study)
    assert table[["code_id", "coder_id", "status", "row"]].values.tolist() == [
        ["LIB-SHEL", "nok", "invalid", 2], ["LIB-SHEL", "nok", "ok", 2], ["LIB-DET", "mai", "invalid", 3]]
    assert table[table["status"].isin(PLACED)]["file"].tolist() == [str(path)]  # nothing counts for mai
    messages = [p.message for p in problems]
    assert f"{path}:3: coder_id 'mai' is not this folder's coder 'nok'" in messages[1]
    assert "T copy.csv:2: transcript_id 'T' is not this file's transcript 'T copy'" in messages[0]
