"""Report tables against hand counts on a tiny study, and disclosure control that cannot be undone."""

import pandas as pd
import pytest

from analysis.codebook.model import study_codebook
from analysis.coding.status import study_codings
from analysis.coding.store import CodingStore
from analysis.report.aggregate import (
    breakdown,
    cooccurrence,
    counted_codings,
    frequencies,
    participant_rights,
    quote_bank,
)
from analysis.text.corpus import read_corpus
from analysis.text.pipeline import study_text

SITES = ["P1", "P2", "P3", "P4", "P5", "P6"]


@pytest.fixture
def tiny(coded_tiny_study):
    return coded_tiny_study, read_corpus(coded_tiny_study), study_codebook(coded_tiny_study)

def _counted(tiny, **rule):
    study, corpus, codebook = tiny
    codings, problems = study_codings(study)
    assert problems == []
    return counted_codings(codings, CodingStore(study).coverage(), corpus, codebook, **rule)


def _by_id(table: pd.DataFrame) -> pd.DataFrame:
    """Rights from the right rows, codes from the code rows (a right is also a code that can be applied)."""
    rights = table.loc[table["level"] == "right", "id"]
    return table[(table["level"] == "right") | ~table["id"].isin(rights)].set_index("id")


def test_aggregate_frequencies_by_rule(tiny) -> None:
    codebook = tiny[2]
    majority = _by_id(frequencies(_counted(tiny, rule="majority"), codebook))
    assert majority.loc["LIB-SHEL", ["segments", "participants"]].tolist() == [5, 5]
    assert majority.loc["LIB", ["segments", "participants"]].tolist() == [5, 5]  # P2:0002 once
    assert majority.loc["FTR", "participants"] == 1 and majority.loc["LIB-DET", "participants"] == 1
    assert majority.loc["LIB", "share"] == pytest.approx(5 / 6)
    assert majority.loc["ACT-POLICE", "participants"] == 0
    union = _by_id(frequencies(_counted(tiny, rule="union"), codebook))
    assert union.loc["FTR", "participants"] == 2
    final = _counted(tiny, rule="final", final_coder="fon")
    assert final.participants["transcript_id"].tolist() == ["P1"]
    assert _by_id(frequencies(final, codebook)).loc["LIB-SHEL", "participants"] == 1
    assert "more than half" in _counted(tiny, rule="majority").rule_text()["en"]


def test_aggregate_breakdown_hides_small_groups_for_good(tiny) -> None:
    codebook = tiny[2]
    counted = _counted(tiny, rule="majority")
    table = breakdown(counted, codebook, "site", level="right", min_cell=3)
    lib = table[table["id"] == "LIB"].set_index("group")
    assert lib.loc["A", "participants_mark"] in {"", "×"}  # 3 of 3: hidden only to protect the other group
    assert list(lib.index) == ["A", "อื่นๆ / other"] and lib["group_size"].tolist() == [3, 3]  # B (1) + C (2)
    for _, rows in table.groupby("id"):
        assert not rows["participants"].dropna().between(1, 2).any()
        assert set(rows["participants_mark"]) <= {"", "<3", "×"}


def test_aggregate_cooccurrence_matrix_and_quotes(tiny) -> None:
    study, corpus, codebook = tiny
    union = _counted(tiny, rule="union")
    assert cooccurrence(union, codebook).loc["LIB", "FTR"] == 1  # P1
    assert cooccurrence(_counted(tiny, rule="majority"), codebook).loc["LIB", "FTR"] == 0
    assert cooccurrence(union, codebook, unit="segment").loc["LIB", "LIB"] == 5
    matrix = participant_rights(union, codebook)
    assert matrix.index.tolist() == SITES and matrix.loc["P1"].tolist() == [1, 1]
    quotes = quote_bank(union, corpus, codebook, study_text(study).segments, attributes=("site",),
                        min_cell=3).set_index(["transcript_id", "code_id"])
    assert quotes.loc[("P2", "LIB-SHEL"), "quote"] == "shelter"
    assert quotes.loc[("P1", "LIB-SHEL"), "quote"] == "ตำรวจพาไปบ้านพัก อยู่สองเดือน"
    assert quotes.loc[("P1", "LIB-SHEL"), "translation"] == "The police took me to a shelter for two months."
    assert quotes.loc[("P1", "LIB-SHEL"), "attributes"] == "site: A"
    assert quotes.loc[("P4", "LIB-SHEL"), "attributes"] == ""  # site B has one participant


def test_aggregate_quote_attributes_never_narrow_below_min_cell() -> None:
    from analysis.report.aggregate import _safe_attributes

    people = pd.DataFrame({"transcript_id": list("uvwxyz"), "site": list("AAABBB"), "group": list("mttmmt")})
    shown = _safe_attributes(people, ("site", "group"), 3)
    assert shown["u"] == "site: A"  # group m is common (3), but A and m together is her alone
    assert _safe_attributes(people, ("group", "site"), 3)["u"] == "group: m"
    assert _safe_attributes(people, ("site",), 4)["u"] == ""


SENTENCES_TH = ("I: เกิดอะไรขึ้นคะ\n\nR: ตำรวจพาไปบ้านพัก อยู่สองเดือน แล้วก็ไม่ได้โทรหาใครเลย\n\nI: มีล่ามไหม\n\n"
                "R: ไม่มีล่ามเลย แล้วต้องเซ็นเอกสารที่อ่านไม่ออก")  # sentences per turn: 1, 2, 1, 2
SENTENCES_EN = ("I: What happened? Tell me.\n\n"
                "R: The police took me to a shelter. I could not call anyone.\n\n"
                "I: Was there an interpreter?\n\n"
                "R: No interpreter at all. I signed papers. I could not read them.")


@pytest.fixture
def sentence_study(tmp_path):
    """A sentence-unit study: P1 in Thai and its English translation, whose turns 1 and 4 have more
    sentences than the Thai ones; nok coded Thai sentences 1, 3, 4, 5 and 6."""
    from analysis.coding.rows import new_coding
    from analysis.study import init_study, load_study
    from analysis.text.segments import segment_body
    from conftest import FIXTURES, _transcript

    study = init_study(tmp_path / "study", name="Sentences", codebooks=FIXTURES / "codebooks" / "study")
    config = study.config_file.read_text(encoding="utf-8")
    study.config_file.write_text(config.replace('segment_unit = "turn"', 'segment_unit = "sentence"'),
                                 encoding="utf-8")
    study = load_study(study.root)
    (study.transcripts_dir / "P1.md").write_text(_transcript("P1", SENTENCES_TH, "A", "th"), encoding="utf-8")
    (study.transcripts_dir / "P1-EN.md").write_text(
        _transcript("P1-EN", SENTENCES_EN, "A", "en", "translation_of: P1\n"), encoding="utf-8")
    transcript = read_corpus(study).get("P1")
    segments = segment_body("P1", transcript.body, "sentence")
    for n, code in [(1, "LIB-DET"), (3, "LIB-SHEL"), (4, "FTR-INTERP"), (5, "FTR-INTERP"), (6, "FTR")]:
        CodingStore(study).add(new_coding(transcript, segments[n - 1], code, "nok"))
    return study


def test_aggregate_translations_pair_by_turn_not_by_sentence_number(sentence_study) -> None:
    from analysis.report.quotes_docx import quotes_document

    study = sentence_study
    corpus, codebook = read_corpus(study), study_codebook(study)
    segments = study_text(study).segments
    assert len(segments[segments["transcript_id"] == "P1"]) == 6  # the Thai has 6 sentences, the English 8
    counted = _counted((study, corpus, codebook), rule="union")
    quotes = quote_bank(counted, corpus, codebook, segments).set_index("segment_id")
    pairs = quotes[["quote", "translation", "translation_unit"]].to_dict("index")
    assert pairs["P1:0001"] == {"quote": "เกิดอะไรขึ้นคะ", "translation": "What happened? Tell me.",
                                "translation_unit": "turn"}  # a whole turn: the whole English turn
    assert pairs["P1:0003"] == {"quote": "แล้วก็ไม่ได้โทรหาใครเลย", "translation": "I could not call anyone.",
                                "translation_unit": "sentence"}  # 2 and 2 sentences: by sentence
    assert pairs["P1:0004"]["translation"] == "Was there an interpreter?"
    whole = "No interpreter at all. I signed papers. I could not read them."
    for segment in ("P1:0005", "P1:0006"):  # 2 Thai sentences, 3 English ones: the whole English turn
        assert pairs[segment]["translation"] == whole and pairs[segment]["translation_unit"] == "whole turn"
    assert pairs["P1:0005"]["quote"] == "ไม่มีล่ามเลย"  # was paired with sentence 5, "Was there an interpreter?"
    document = quotes_document(quotes.reset_index(), [("LIB", "เสรีภาพ", "Liberty")], {})
    text = [p.text for p in document.paragraphs]
    assert f"{whole} (ทั้งช่วง / whole turn)" in text
    assert "I could not call anyone." in text and "What happened? Tell me." in text  # not marked


def test_aggregate_translations_in_a_turn_study_are_whole_turns(tiny) -> None:
    from analysis.report.aggregate import translations

    study, corpus, _ = tiny
    paired = translations(corpus, study_text(study).segments, {"P1", "P2"})
    assert paired == {"P1:0001": ("What happened?", "turn"),
                      "P1:0002": ("The police took me to a shelter for two months.", "turn"),
                      "P1:0003": ("Was there an interpreter?", "turn"),
                      "P1:0004": ("No interpreter at all.", "turn")}  # P2 has no translation
