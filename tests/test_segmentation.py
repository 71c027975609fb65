"""Thai segmenters: better than plain newmm on gold data, exact, keeping clusters and extra words whole."""

import os
from pathlib import Path

import pytest
from pythainlp.tokenize import word_tokenize

from analysis.errors import StudyError
from analysis.study import read_study_file
from analysis.text.pipeline import study_text
from analysis.text.script import THAI_MARKS
from analysis.text.segmenters import ENGINES, make_segmenter
from analysis.text.tokenise import Tokenizer, tokenize, tokenizer_for
from analysis.text.wordseg_eval import boundary_scores, read_conllu, read_wisesight, spans_of
from conftest import REPO

SHARED = Path(os.environ.get("SITTHI_SHARED", REPO.parent / "shared"))
GOLD = SHARED / "testdata" / "thai-segmentation"
GOLD_FILES = {"wisesight": "wisesight_wisesight-160-samples-tokenised.label",
              "ud_thai_tud": "ud_thai_tud_th_tud-ud-test.conllu"}


def gold_items(name: str):
    path = GOLD / GOLD_FILES[name]
    return read_wisesight(path) if name == "wisesight" else read_conllu(path)


@pytest.mark.skipif(not GOLD.is_dir(), reason=f"gold Thai segmentation not found at {GOLD} "
                                              "(set SITTHI_SHARED to the shared/ folder)")
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", sorted(GOLD_FILES))
def test_segmentation_boundary_f1_a_point_above_plain_newmm(name: str, engine: str) -> None:
    items = gold_items(name)
    tokenizer = Tokenizer(engine=engine)
    ours = boundary_scores(items, lambda t: [(x.start, x.end) for x in tokenizer.tokenize(t)])["f1"]
    newmm = boundary_scores(items, lambda t: spans_of(word_tokenize(t, engine="newmm")))["f1"]
    assert ours >= newmm + 0.01, f"{engine} F1 {ours:.4f} vs plain newmm {newmm:.4f}"


def test_segmentation_fast_engine_splits_bok_wa() -> None:
    assert [t.text for t in tokenize("หนูบอกว่าขอล่าม")] == ["หนู", "บอก", "ว่า", "ขอ", "ล่าม"]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("text", ["ใช่แล้วววววว งดกินไปก่อนนน", "ที่นี่ไม่มีความลับ", "กี่กี้ก็ก๋าๆ",
                                  "ตำรวจบอกว่า passport ของเรา", "พ.ร.บ.ค้ามนุษย์", "ฯลฯ"])
def test_segmentation_exact_and_never_inside_a_cluster(engine: str, text: str) -> None:
    cursor = 0
    for token in tokenize(text, engine=engine):
        assert text[token.start:token.end] == token.text and token.start >= cursor
        cursor = token.end
        assert token.text[0] not in THAI_MARKS


def test_segmentation_repeated_letters_stay_with_their_word() -> None:
    assert [t.text for t in tokenize("ใช่แล้วววว")] == ["ใช่", "แล้วววว"]


@pytest.mark.parametrize("engine", ENGINES)
def test_segmentation_extra_words_stay_whole(engine: str) -> None:
    text = "เขาพาไปสถานคุ้มครองคนไร้ที่พึ่ง"
    words = ["คนไร้ที่พึ่ง", "สถานคุ้มครอง"]
    assert [t.text for t in Tokenizer(words, engine).tokenize(text)][-2:] == ["สถานคุ้มครอง", "คนไร้ที่พึ่ง"]


def test_segmentation_cache_key_changes_with_the_engine() -> None:
    keys = {engine: Tokenizer(engine=engine).settings_key for engine in ENGINES}
    assert keys["fast"] != keys["accurate"]
    assert tokenizer_for("accurate").settings_key == keys["accurate"]
    with pytest.raises(ValueError, match="unknown segmenter"):
        make_segmenter("slow")


def test_segmentation_study_setting_is_validated(tmp_path: Path) -> None:
    config = tmp_path / "study.toml"
    config.write_text('[study]\nname = "x"\n\n[text]\nsegmenter = "accurate"\n')
    assert read_study_file(config).segmenter == "accurate"
    config.write_text('[study]\nname = "x"\n\n[text]\nsegmenter = "slow"\n')
    with pytest.raises(StudyError, match="unknown \\[text\\] segmenter 'slow'") as err:
        read_study_file(config)
    assert (err.value.path, err.value.line) == (config, 5)
    config.write_text('[study]\nname = "x"\n')
    assert read_study_file(config).segmenter == "fast"


def test_segmentation_pipeline_rebuilds_for_another_engine(make_study) -> None:
    study = make_study("GOOD-TH.md")
    fast = study_text(study)
    accurate = study_text(study, engine="accurate")
    body = (study.transcripts_dir / "GOOD-TH.md").read_text(encoding="utf-8")
    assert all(body.count(text) for text in accurate.tokens["text"])
    assert list(accurate.tokens.columns) == list(fast.tokens.columns)
    assert study_text(study).tokens.equals(fast.tokens)
