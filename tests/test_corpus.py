"""Reading transcripts: encodings, front matter, normalisation and every kind of bad input."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.errors import SitthiError, TranscriptError
from analysis.text.corpus import parse_transcript, read_corpus, read_transcript, split_front_matter
from analysis.text.normalise import normalise, reorder_vowels
from analysis.text.reading import decode_bytes
from conftest import FIXTURE_TRANSCRIPTS


def fixture(name: str) -> Path:
    return FIXTURE_TRANSCRIPTS / name


THAI_TURN = "ตอนอยู่ในสถานคุ้มครองเป็นอย่างไรบ้าง"


@pytest.mark.parametrize(("name", "encoding"), [
    ("TIS-01.txt", "TIS-620 / cp874"),
    ("UTF16-01.md", "UTF-16 with BOM"),
    ("CRLF-ZW.md", "UTF-8 with BOM"),
    ("DOCX-01.docx", "Word .docx"),
    ("GOOD-TH.md", "UTF-8"),
])
def test_corpus_reads_each_encoding_and_names_it(name: str, encoding: str) -> None:
    transcript = read_transcript(fixture(name))
    assert transcript.encoding == encoding
    assert transcript.id == fixture(name).stem
    assert transcript.turns[0].speaker == "I"
    assert "\u0e00" <= transcript.body[transcript.turns[0].start] <= "\u0e7f"


def test_corpus_encodings_give_the_same_text() -> None:
    bodies = {read_transcript(fixture(n)).body for n in ("TIS-01.txt", "UTF16-01.md", "CRLF-ZW.md")}
    assert len(bodies) == 1
    assert THAI_TURN in bodies.pop()


def test_corpus_crlf_and_zero_width_are_normalised() -> None:
    raw = fixture("CRLF-ZW.md").read_bytes()
    assert b"\r\n" in raw and "\u200b".encode() in raw
    body = read_transcript(fixture("CRLF-ZW.md")).body
    assert "\r" not in body and "\u200b" not in body and "\ufeff" not in body
    assert THAI_TURN in body


def test_corpus_body_rule_and_offsets() -> None:
    transcript = read_transcript(fixture("GOOD-TH.md"))
    # The body starts right after the closing '---' line: the blank line after it belongs to it.
    assert transcript.body_line == 10
    assert transcript.body.startswith("\nI: ")
    turn = transcript.turns[1]
    assert transcript.body[turn.start:turn.end].startswith("ตำรวจเข้ามาตอนดึก")
    assert transcript.line_of(turn.start) == 13
    assert transcript.attributes == {"site": "Chiang Mai", "group": "thai"}
    assert transcript.fictional is True
    assert len(transcript.sha256) == 64 and transcript.text_sha8 == transcript.sha256[:8]


@pytest.mark.parametrize(("name", "line", "what"), [
    ("EMPTY.md", 1, "empty"),
    ("NO-FM.md", 1, "no front matter"),
    ("BROKEN-YAML.md", 4, "not valid YAML"),
    ("WRONG-ID.md", 2, "does not match the file name"),
    ("NOT-ANON.md", 4, "'anonymised' is false"),
    ("ANON-MISSING.md", 2, "'anonymised' is missing"),
    ("BAD-LANG.md", 3, "unknown language 'fr'"),
    ("JUNK.md", 1, "binary"),
    ("LATIN1.md", 5, "unknown text encoding"),
    ("NO-LABEL.md", 9, "no speaker label"),
])
def test_corpus_bad_file_names_file_line_and_fix(name: str, line: int, what: str) -> None:
    with pytest.raises(TranscriptError) as caught:
        read_transcript(fixture(name))
    err = caught.value
    assert what in err.what
    assert err.path == fixture(name) and err.line == line
    assert err.message.startswith(f"{fixture(name)}:{line}: ")
    assert " — " in err.message and err.fix


def test_corpus_duplicate_ids_are_reported(make_study) -> None:
    study = make_study("DUP-1.md", "DUP-1.txt", "GOOD-TH.md")
    corpus = read_corpus(study)
    assert [p.what for p in corpus.problems] == ["duplicate id 'DUP-1' (also in DUP-1.md)"]
    assert corpus.problems[0].path.name == "DUP-1.txt" and corpus.problems[0].line == 2
    assert sorted(t.id for t in corpus) == ["DUP-1", "GOOD-TH"]


def test_corpus_translation_must_match_original_turns(make_study, tmp_path: Path) -> None:
    study = make_study("GOOD-TH.md", "GOOD-EN.md")
    assert read_corpus(study).problems == []
    english = study.transcripts_dir / "GOOD-EN.md"
    english.write_text(english.read_text() + "\nI: One turn too many.\n")
    problems = read_corpus(study).problems
    assert len(problems) == 1 and "translation has 5 turns" in problems[0].what
    assert problems[0].line == 8
    (study.transcripts_dir / "GOOD-TH.md").unlink()
    assert "not in the study" in read_corpus(study).problems[0].what


def test_corpus_paragraph_unit_allows_unlabelled_paragraphs() -> None:
    text = fixture("NO-LABEL.md").read_text()
    transcript = parse_transcript(text, fixture("NO-LABEL.md"), require_labels=False)
    assert [t.speaker for t in transcript.turns] == ["I", None]


def test_corpus_reading_never_writes(make_study) -> None:
    study = make_study("CRLF-ZW.md", "NOT-ANON.md")
    before = {p.name: p.read_bytes() for p in study.transcripts_dir.iterdir()}
    read_corpus(study)
    assert {p.name: p.read_bytes() for p in study.transcripts_dir.iterdir()} == before


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_corpus_any_bytes_raise_only_sitthi_errors(data: bytes) -> None:
    try:
        text, _ = decode_bytes(data, Path("x.md"))
        parse_transcript(text, Path("x.md"))
    except SitthiError:
        pass


THAI_AND_FRIENDS = st.text(
    alphabet=st.one_of(st.characters(min_codepoint=0x0E00, max_codepoint=0x0E7F),
                       st.sampled_from(list("\r\n \u200b\u200c\u200d\ufeffabc:-")),
                       st.characters()),
    max_size=200)


@settings(max_examples=500, deadline=None)
@given(THAI_AND_FRIENDS)
def test_corpus_normalisation_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
    assert "\r" not in once and "\u200b" not in once


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_corpus_any_text_body_raises_only_sitthi_errors(body: str) -> None:
    text = f"---\nid: x\nlanguage: th\nanonymised: true\n---\n{body}"
    try:
        transcript = parse_transcript(text, Path("x.md"))
    except SitthiError:
        return
    for turn in transcript.turns:
        assert transcript.body[turn.start:turn.end].strip() == transcript.body[turn.start:turn.end]


def test_corpus_broken_docx_is_refused_with_advice(tmp_path: Path) -> None:
    import zipfile

    not_word = tmp_path / "NOT-WORD.docx"
    with zipfile.ZipFile(not_word, "w") as archive:
        archive.writestr("notes.txt", "a zip file, but not a Word document")
    truncated = tmp_path / "TRUNCATED.docx"
    truncated.write_bytes(fixture("DOCX-01.docx").read_bytes()[:3000])
    for path in (not_word, truncated):
        with pytest.raises(TranscriptError, match="not a readable Word document") as caught:
            read_transcript(path)
        assert caught.value.path == path and "save it again as .docx" in caught.value.fix


def _split_line_by_line(text: str) -> tuple[str, str, int] | None:
    """The front-matter rule read line by line: a first line '---', the body after the next."""
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return None
    for number, line in enumerate(lines[1:], 2):
        if line.rstrip() == "---":
            return "\n".join(lines[1: number - 1]), "\n".join(lines[number:]), number + 1
    return None


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["---", "--- ", "---\t", " ---", "----", "-", "id: x", "", " ", "a---"]),
                max_size=8))
def test_corpus_front_matter_split_agrees_with_the_line_by_line_rule(lines: list[str]) -> None:
    text = "\n".join(lines) + "x"
    try:
        found = split_front_matter(text, Path("x.md"))
    except TranscriptError:
        found = None
    assert found == _split_line_by_line(text)


def test_corpus_line_of_every_offset_of_a_crlf_file_without_final_newline() -> None:
    lf = "---\nid: T\nlanguage: en\nanonymised: true\n---\n\nI: one\ntwo\n\n\nR: three"
    crlf = parse_transcript(lf.replace("\n", "\r\n"), Path("T.md"))
    assert crlf.body == parse_transcript(lf, Path("T.md")).body == "\nI: one\ntwo\n\n\nR: three"
    assert [(t.speaker, crlf.body[t.start:t.end], crlf.line_of(t.start)) for t in crlf.turns] == [
        ("I", "one\ntwo", 7), ("R", "three", 11)]
    for offset in range(len(crlf.body) + 2):
        assert crlf.line_of(offset) == crlf.body_line + crlf.body.count("\n", 0, offset)


def test_corpus_many_turns_keep_their_file_lines() -> None:
    turns = [f"{'IR'[n % 2]}: turn {n}\nmore of turn {n}" for n in range(2000)]
    text = "---\nid: T\nlanguage: en\nanonymised: true\n---\n\n" + "\n\n".join(turns) + "\n"
    transcript = parse_transcript(text, Path("T.md"))
    lines = text.split("\n")
    assert len(transcript.turns) == 2000
    for n, turn in enumerate(transcript.turns):
        assert lines[transcript.line_of(turn.start) - 1].endswith(f"turn {n}")
        assert transcript.body_line + turn.line == transcript.line_of(turn.start)


THAI_MARKS_AND_LETTERS = st.text(alphabet="กฤฦเ ่้๊๋์ัิีึืํ็ุูะาำๅ", max_size=40)


@settings(max_examples=1000, deadline=None)
@given(THAI_MARKS_AND_LETTERS)
def test_corpus_vowel_order_is_pythainlps(text: str) -> None:
    from pythainlp.util import reorder_vowels as pythainlp_reorder

    assert reorder_vowels(text) == pythainlp_reorder(text)


def test_corpus_long_runs_of_marks_are_normalised() -> None:
    run = 200_000  # pythainlp's patterns retry from every mark of a run: hours for this text
    runs = "ก" + "า" * run + " ข" + "่" * run + " ค" + "์" * run + " "
    assert normalise(runs + "\u0e4d" + "่" * run + "ๅ") == runs + "่" * run + "ำ"  # ๅ -> า, then ํ + า -> ำ
