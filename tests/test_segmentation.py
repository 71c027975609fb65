"""Thai segmenters: better than plain newmm on gold data, exact, keeping clusters and extra words whole."""

import os
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
from pythainlp.tokenize import word_tokenize

from analysis.errors import StudyError
from analysis.study import read_study_file
from analysis.text import segmenters
from analysis.text.pipeline import study_text
from analysis.text.script import THAI_MARKS
from analysis.text.segmenters import ENGINES, FastSegmenter, make_segmenter
from analysis.text.tokenise import _RUN_RE, Tokenizer, tokenize, tokenizer_for
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


def thai_runs(texts) -> list[str]:
    return [run.group() for text in texts for run in _RUN_RE.finditer(text) if run.lastgroup == "thai"]


def walked(segmenter: FastSegmenter, runs: list[str]) -> list[tuple[int, ...]]:
    """The reference: ``segment``'s Python walk of each run."""
    return [segmenter.segment(run) for run in runs]


@pytest.mark.skipif(not GOLD.is_dir(), reason=f"gold Thai segmentation not found at {GOLD}")
@pytest.mark.parametrize("name", sorted(GOLD_FILES))
def test_segmentation_batch_same_ends_as_the_walk_on_gold(name: str) -> None:
    runs = thai_runs(text for text, _ in gold_items(name))
    assert sum(map(len, runs)) >= segmenters.BATCH_CHARS
    segmenter = FastSegmenter()
    assert segmenter.many(runs) == walked(segmenter, runs)
    assert segmenter.many(runs[:3]) == walked(segmenter, runs[:3])  # from memory


EDGE_RUNS = ["", "ก", "ๆ", "ฯฯฯฯฯ", "๑๒๓,๔๕๖", "ฺฺฺ", "ใช่แล้วววววว", "ก่อนนนนน", "ครับบบบ", "555", "พ.ร.บ.",
             "เขาพาไปสถานคุ้มครองคนไร้ที่พึ่ง", "ฮฮฮฮฮฮฮฮฮฮฮฮฮฮฮฮฮฮฮฮฮฮฮฮฮฮฮฮ", "หนูบอกว่าขอล่าม", "เกีย",
             "ไปโรงพยาบาลมหาวิทยาลัยเทคโนโลยีพระจอมเกล้า" * 3]


@pytest.mark.parametrize("extra", [(), ("คนไร้ที่พึ่ง", "สถานคุ้มครอง", "ล่าม", "วววว", "ก")])
def test_segmentation_batch_same_ends_as_the_walk_on_edge_cases(monkeypatch, extra) -> None:
    monkeypatch.setattr(segmenters, "BATCH_CHARS", 0)
    monkeypatch.setattr(segmenters, "CHUNK_CHARS", 40)  # several chunks, one run longer than a chunk
    segmenter = FastSegmenter(extra)
    assert segmenter.many(EDGE_RUNS) == walked(segmenter, EDGE_RUNS)
    assert segmenter.many(["ก\0ข", "แล้ว\nนะ"]) == walked(segmenter, ["ก\0ข", "แล้ว\nนะ"])  # walked


def test_segmentation_batch_keeps_extra_words_and_repeated_letters(monkeypatch) -> None:
    monkeypatch.setattr(segmenters, "BATCH_CHARS", 0)
    runs = ["เขาพาไปสถานคุ้มครองคนไร้ที่พึ่ง", "ใช่แล้วววว"]
    plain, extra = FastSegmenter().many(runs), FastSegmenter(["คนไร้ที่พึ่ง", "สถานคุ้มครอง"]).many(runs)
    assert extra[0][-2:] == (19, 31) and plain[0][-2:] != (19, 31)
    assert plain[1] == extra[1] == (3, 10)


LOOKAHEAD_RUNS = ["เฉลี่ย", "เฉลี่ยๆ", "โดยเฉลี่ย๑๒", "เพลียๆเพลีย", "เพลียะ", "อ่อนเพลียฯ", "เปลี้ยๆ"]


@lru_cache(maxsize=2)
def reference_lexicon(extra: tuple[str, ...]) -> tuple[dict[str, float], frozenset[str]]:
    costs = {**segmenters.base_costs(), **dict.fromkeys(extra, segmenters.EXTRA_COST)}
    return costs, frozenset(w[:i] for w in costs for i in range(1, min(len(w), segmenters.MAX_WORD) + 1))


def reference_ends(run: str, extra: tuple[str, ...] = ()) -> tuple[int, ...]:
    """The walk ``segment`` replaced (a slice of the run looked up in sets of words and of their
    prefixes at every cut): what the trie walk must give."""
    costs, prefixes = reference_lexicon(extra)
    n, cuts = len(run), [0, *(match.end() for match in segmenters._CLUSTER.finditer(run))]
    last, is_cut = len(cuts) - 1, set(cuts)
    best, choice, word_from = {n: 0.0}, {}, last
    for k in range(last - 1, -1, -1):
        a, step = cuts[k], cuts[k + 1]
        top, end = best[cuts[word_from]] + segmenters.UNKNOWN_COST, cuts[word_from]
        if word_from != k + 1 and best[step] + segmenters.UNKNOWN_COST * 1.5 < top:
            top, end = best[step] + segmenters.UNKNOWN_COST * 1.5, step
        known = False
        for b in cuts[k + 1:]:
            piece = run[a:b]
            if b - a > segmenters.MAX_WORD or piece not in prefixes:
                break
            if (cost := costs.get(piece)) is not None:
                known = True
                repeat = b
                while repeat < n and run[repeat] == run[b - 1]:
                    repeat += 1
                for to in (b, repeat) if repeat > b and repeat in is_cut else (b,):
                    if cost + best[to] < top:
                        top, end = cost + best[to], to
        best[a], choice[a] = top, end
        word_from = k if known else word_from
    ends, a = [], 0
    while a < n:
        a = choice[a]
        ends.append(a)
    return tuple(ends)


@pytest.mark.parametrize("extra", [(), ("คนไร้ที่พึ่ง", "สถานคุ้มครอง", "ล่าม", "วววว", "ก", "เพลีย", "เฉลี่ยๆ")])
def test_segmentation_walk_same_ends_as_the_reference(extra) -> None:
    runs = [*EDGE_RUNS, *LOOKAHEAD_RUNS, "ก\0ข", "แล้ว\nนะ"]
    if GOLD.is_dir():
        runs += thai_runs(text for name in GOLD_FILES for text, _ in gold_items(name))
    segmenter = FastSegmenter(extra)
    assert walked(segmenter, runs) == [reference_ends(run, extra) for run in runs]


def test_segmentation_words_found_however_the_next_character_clusters_them() -> None:
    segmenter = FastSegmenter()
    # before ๆ or a digit TCC splits the last cluster of เฉลี่ย (its lookahead after ย fails)
    assert segmenters._RUN_CLUSTER.findall("เฉลี่ยๆ")[:-1] != ["เฉลี่ย"]
    assert segmenter.segment("เฉลี่ย") == (6,)
    assert segmenter.segment("เฉลี่ยๆ") == (6, 7)
    assert segmenter.segment("โดยเฉลี่ย๑๒")[:2] == (3, 9)


def test_segmentation_extra_words_leave_the_shared_trie_alone() -> None:
    base = segmenters._base_trie()
    before = FastSegmenter().segment("ใช่แล้วววว")
    extra = FastSegmenter(["แล้วววว", "ใช่แล้ว"])
    assert extra.segment("ใช่แล้วววว") == (10,)
    assert extra.trie["ใช่"][1]["แล้"] and "แล้" not in base["ใช่"][1] and FastSegmenter().trie is base
    assert FastSegmenter().segment("ใช่แล้วววว") == before == (3, 10)


def test_segmentation_many_when_the_memory_is_full(monkeypatch) -> None:
    monkeypatch.setattr(segmenters, "CACHE_SIZE", 1)
    segmenter = FastSegmenter()
    first = segmenter.many(["หนูบอกว่า", "ขอล่าม"])
    assert segmenter.many(["ขอล่าม", "หนูบอกว่า", "ใช่แล้ว"]) == [first[1], first[0], (3, 7)]
    assert len(segmenter._cache) <= 3


def test_segmentation_hash_table_finds_every_key_despite_collisions() -> None:
    keys = np.arange(1, 200, dtype=np.uint64) << np.uint64(40)  # few distinct slots: long probes
    table = segmenters._Table.build(keys, np.arange(199))
    found = table.find(np.arange(1, 400, dtype=np.uint64) << np.uint64(40))
    assert found[:199].tolist() == list(range(199))
    assert (found[199:] == segmenters.ABSENT).all()
