"""Tokens: exact offsets for Thai, English and mixed text, and accuracy against gold segmentation."""

import os
from pathlib import Path

import pytest
from pythainlp.tokenize import word_tokenize

from analysis.text.corpus import read_corpus
from analysis.text.script import THAI_MARKS
from analysis.text.tokenise import (
    Tokenizer,
    _english_chunk,
    _english_tokenizer,
    make_doc,
    token_features,
    tokenize,
)
from analysis.text.wordseg_eval import boundary_scores, read_conllu, read_wisesight, spans_of
from conftest import REPO

SHARED = Path(os.environ.get("SITTHI_SHARED", REPO.parent / "shared"))
GOLD = SHARED / "testdata" / "thai-segmentation"


def texts(text: str) -> list[str]:
    return [t.text for t in tokenize(text)]


def assert_exact(text: str) -> None:
    """Tokens are exact slices, in order, never overlapping, and only whitespace lies between."""
    cursor = 0
    for token in tokenize(text):
        assert text[token.start:token.end] == token.text and token.text.strip() == token.text
        assert token.start >= cursor and text[cursor:token.start].strip() == ""
        cursor = token.end
    assert text[cursor:].strip() == ""


def test_tokenise_every_demo_transcript_is_covered_exactly(demo_study) -> None:
    corpus = read_corpus(demo_study)
    assert len(corpus) >= 20
    for transcript in corpus:
        assert_exact(transcript.body)


@pytest.mark.parametrize("text", [
    "ตำรวจบอกว่า passport ของเราต้องเก็บไว้",
    "ค่าปรับ ๕๐๐ บาท หรือ 1,500 บาท",
    "ดีใจมาก 😀😀 ไม่ต้องกลัว👍",
    "ขอบ\u200bคุณ",
    "มากกกกก",
    "",
    "   \n\n  ",
    "NGOแล้วก็police [NAME-01]ค่ะ",
])
def test_tokenise_hard_inputs_stay_exact(text: str) -> None:
    assert_exact(text)


def test_tokenise_mixed_line_splits_by_script() -> None:
    tokens = tokenize("ตำรวจบอกว่า passport ของเราต้องเก็บไว้")
    assert ("passport", "latin") in [(t.text, t.script) for t in tokens]
    assert texts("NGOแล้ว")[:2] == ["NGO", "แล้ว"]


def test_tokenise_digits_emoji_and_pseudonyms() -> None:
    tokens = {t.text: t.script for t in tokenize("จ่าย ๕๐๐ บาท 20,000 😀 [NAME-01]")}
    assert tokens["๕๐๐"] == "digit" and tokens["20,000"] == "digit"
    assert tokens["😀"] == "symbol" and tokens["[NAME-01]"] == "placeholder"


def test_tokenise_thai_mark_never_begins_a_token() -> None:
    for text in ("😰😰😰์", "ก\u0e48\u0e48ข", "ค่ะ ่ค่ะ"):
        for token in tokenize(text):
            if token.text[0] in THAI_MARKS:  # only where nothing precedes it to attach to
                assert token.start == 0 or text[token.start - 1].isspace()
    assert texts("😰😰😰์")[-1] == "😰์"


def test_tokenise_abbreviations_stay_whole() -> None:
    assert texts("ตาม พ.ร.บ. ค้ามนุษย์ ในปี ค.ศ. 2011")[:2] == ["ตาม", "พ.ร.บ."]


def test_tokenise_extra_words_are_never_swallowed() -> None:
    text = "เขาพาไปสถานคุ้มครองคนไร้ที่พึ่ง"
    plain = texts(text)
    extra = [t.text for t in Tokenizer(["คนไร้ที่พึ่ง", "สถานคุ้มครอง"]).tokenize(text)]
    assert "คนไร้ที่พึ่ง" not in plain
    assert extra[-2:] == ["สถานคุ้มครอง", "คนไร้ที่พึ่ง"]
    assert Tokenizer(["สถานคุ้มครอง"]).settings_key != Tokenizer().settings_key


def test_tokenise_tokens_pieces_and_columns_agree() -> None:
    tokenizer = Tokenizer()
    text = " ตำรวจบอกว่า passport ของเรา\n\nR: ตำรวจบอกว่า NGOแล้ว 😰์ ตำรวจบอกว่า "
    tokens = tokenizer.tokenize(text)
    assert tokenizer.tokenize(text) == tokens  # the second time from remembered chunks
    assert tokenizer.pieces(text) == [(t.start, t.text) for t in tokens]
    starts, texts = tokenizer.columns(text)
    assert starts.tolist() == [t.start for t in tokens] and texts == [t.text for t in tokens]
    assert [t.text for t in tokens if t.text == "ตำรวจ"] == ["ตำรวจ"] * 3
    assert tokenizer.columns("")[1] == [] and tokenizer.pieces(" \n ") == []


@pytest.mark.parametrize("chunk", ["police", "Police", "cannot", "Gonna", "dont", "2011", "10km", "abc123"])
def test_tokenise_english_shortcut_agrees_with_spacy(chunk: str) -> None:
    spacy_tokens = tuple((t.idx, t.text) for t in _english_tokenizer()(chunk))
    assert _english_chunk(chunk) == spacy_tokens


def test_tokenise_features() -> None:
    assert token_features("Police") == ("police", "latin", False, False)
    assert token_features("the")[2] is True and token_features("และ")[2] is True
    assert token_features("!")[3] is True and token_features("ล่าม")[2] is False


def test_tokenise_spacy_doc_round_trips() -> None:
    for text in ("ตำรวจบอกว่า passport  ของเรา\n\nR: ok", " leading space", ""):
        doc = make_doc(text)
        assert doc.text == text


def _f1_pair(items) -> tuple[float, float]:
    ours = boundary_scores(items, lambda t: [(x.start, x.end) for x in tokenize(t)])["f1"]
    newmm = boundary_scores(items, lambda t: spans_of(word_tokenize(t, engine="newmm")))["f1"]
    return ours, newmm


@pytest.mark.skipif(not GOLD.is_dir(), reason=f"gold Thai segmentation not found at {GOLD} "
                                              "(set SITTHI_SHARED to the shared/ folder)")
@pytest.mark.parametrize("name", ["wisesight", "ud_thai_tud"])
def test_tokenise_word_boundary_f1_not_below_newmm(name: str) -> None:
    if name == "wisesight":
        items = read_wisesight(GOLD / "wisesight_wisesight-160-samples-tokenised.label")
    else:
        items = read_conllu(GOLD / "ud_thai_tud_th_tud-ud-test.conllu")
    assert len(items) > 100
    ours, newmm = _f1_pair(items)
    assert ours >= newmm - 0.001, f"F1 {ours:.4f} < newmm {newmm:.4f}"
    assert ours > 0.85


def test_tokenise_gold_readers_rebuild_the_text(tmp_path: Path) -> None:
    label = tmp_path / "x.label"
    label.write_text("ไป|ไหน| |มา\n", encoding="utf-8")
    conllu = tmp_path / "x.conllu"
    conllu.write_text("# text = ไปไหน มา\n1\tไป\t_\n2\tไหน\t_\n3\tมา\t_\n\n", encoding="utf-8")
    assert read_wisesight(label) == [("ไปไหน มา", [(0, 2), (2, 5), (5, 6), (6, 8)])]
    assert read_conllu(conllu) == [("ไปไหน มา", [(0, 2), (2, 5), (6, 8)])]


@pytest.mark.parametrize(("text", "tokens"), [
    ("เลขบัตร ๑๙๙๘๘๗๗๖๖๕๕๔๘.", ["เลข", "บัตร", "๑๙๙๘๘๗๗๖๖๕๕๔๘", "."]),  # an ID stays whole: the guard finds it
    ("ปี ๒๕.", ["ปี", "๒๕", "."]),
    ("ไปมิงกะลาบา.", ["ไป", "มิง", "กะ", "ลา", "บา", "."]),
    ("ตาม พ.ร.บ.", ["ตาม", "พ.ร.บ."]),
    ("หมู่ ม.", ["หมู่", "ม."]),
])
def test_tokenise_final_period_is_its_own_token_after_numbers_and_words(text, tokens) -> None:
    assert [t.text for t in tokenize(text)] == tokens
