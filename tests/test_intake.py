"""`sitthi add`: fictional interviews in every format become raw transcripts; a whole study runs on them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_cli import sitthi

from analysis.coding.rows import new_coding
from analysis.coding.store import CodingStore
from analysis.intake.add import add_files, add_for_review, id_from_name, intake_table
from analysis.intake.readers import Block, read_document, rejoin_lines
from analysis.intake.speakers import find_turns, is_dropped_line
from analysis.privacy.anonymise import apply_key, write_proposal
from analysis.study import init_study
from analysis.text.corpus import parse_transcript, read_corpus
from analysis.text.reading import read_text_file
from analysis.text.segments import segment_body
from conftest import FIXTURES

INTAKE = FIXTURES / "intake"
EN = ["I", "R"]
TH = ["ผู้สัมภาษณ์", "ผู้ให้สัมภาษณ์"]
EN_LAST = "No. Nok translated for us because she speaks some Thai, but the officers laughed at her."


@pytest.fixture
def study(tmp_path):
    return init_study(tmp_path / "study", name="Intake study", codebooks=FIXTURES / "codebooks" / "study")


def _raw(study, added):
    """The written raw transcript, parsed as anonymise reads it (turn labels required)."""
    text, _ = read_text_file(added.written)
    return parse_transcript(text.replace("anonymised: false", "anonymised: true"), added.written)


@pytest.mark.parametrize(("name", "tid", "language", "speakers", "turns", "dropped"), [
    ("en-p1.txt", "en-p1", "en", EN, 4, 2),
    ("th-p2-cp874.txt", "th-p2-cp874", "th", TH, 4, 1),
    ("en-p3.docx", "en-p3", "en", EN, 4, 1),
    ("th-p4.odt", "th-p4", "th", TH, 4, 0),
    ("th-p5.rtf", "th-p5", "th", TH, 4, 0),
    ("en-p6.rtf", "en-p6", "en", EN, 4, 0),
    ("en-p7.pdf", "en-p7", "en", EN, 4, 2),
    ("en-p8.vtt", "en-p8", "en", ["Nok", "Ploy"], 3, 0),
    ("th-p9.srt", "th-p9", "th", ["มาลี", "สมศรี"], 4, 0),
    ("en-otter.txt", "en-otter", "en", ["Speaker-1", "Speaker-2"], 4, 0),
    ("en-qualcoder.txt", "en-qualcoder", "en", ["id1", "id2"], 4, 0),
])
def test_intake_each_format_gives_turns_speakers_language_and_id(study, name, tid, language, speakers,
                                                                turns, dropped) -> None:
    [added] = add_files(study, [INTAKE / name])
    assert added.problem is None, added.problem
    assert (added.id, added.language, added.unit, added.speakers, added.dropped) == \
        (tid, language, "turn", speakers, dropped)
    transcript = _raw(study, added)
    assert transcript.id == tid and len(transcript.turns) == turns
    assert [t.speaker for t in transcript.turns][:2] == speakers
    assert transcript.attributes["source"] == name
    assert not any(is_dropped_line(line) for line in transcript.body.split("\n"))


def test_intake_pdf_lines_rejoined_page_numbers_dropped(study) -> None:
    [added] = add_files(study, [INTAKE / "en-p7.pdf"])
    body = _raw(study, added).body
    assert EN_LAST in body and "- 1 -" not in body and "Page 2" not in body
    assert any("re-joined" in note for note in added.notes)


def test_intake_rejoin_thai_without_space_and_stops_at_a_label() -> None:
    blocks, joins = rejoin_lines(["ผู้สัมภาษณ์: ตำรวจเรียกให้หยุดรถแล้วยึด", "บัตรไป", "R: yes"])
    assert [b.text for b in blocks] == ["ผู้สัมภาษณ์: ตำรวจเรียกให้หยุดรถแล้วยึดบัตรไป", "R: yes"] and joins == 1


def test_intake_docx_tables_in_order_headers_noted_not_added(study) -> None:
    document = read_document(INTAKE / "en-p3.docx")
    texts = [b.text for b in document.blocks]
    assert texts[2].startswith("R: We were stopped") and texts[3].startswith("I: Did anyone")
    assert document.notes == ["2 header/footer line(s) left out"]
    [added] = add_files(study, [INTAKE / "en-p3.docx"])
    body = _raw(study, added).body
    assert "Confidential" not in body
    assert body.endswith("She also said the cards came back with pages missing.\n")
    assert any("before the first speaker" in note for note in added.notes)


def test_intake_file_without_labels_is_a_paragraph_transcript_noted(study) -> None:
    [added] = add_files(study, [INTAKE / "en-notes.txt"])
    assert added.unit == "paragraph" and added.speakers == [] and added.dropped == 1
    table = intake_table([added])
    assert table.loc[0, "unit"] == "paragraph" and "no speaker labels" in table.loc[0, "notes"]
    assert 'segment_unit = "paragraph"' in table.loc[0, "notes"]
    text = added.written.read_text(encoding="utf-8")
    assert "speakers" not in text and "one said: they never tell us anything" in text


def test_intake_sentence_colons_are_not_speakers() -> None:
    turns = find_turns([Block("He told me: go home."), Block("Then she said: wait.")])
    assert turns.unit == "paragraph"


def test_intake_refuses_an_existing_id_and_never_overwrites(study) -> None:
    (study.transcripts_dir / "en-p1.md").write_text("anonymised before\n", encoding="utf-8")
    source = INTAKE / "th-p4.odt"
    before = source.read_bytes()
    first, again, taken = add_files(study, [source, source, INTAKE / "en-p1.txt"])
    assert first.problem is None and source.read_bytes() == before
    for refused, name in ((again, "th-p4.md"), (taken, "en-p1.md")):
        message = refused.problem.message
        assert refused.written is None and name in message and "rename this file" in message
        assert "\n" not in message
    assert (study.transcripts_dir / "en-p1.md").read_text(encoding="utf-8") == "anonymised before\n"


def test_intake_refusals_scan_unknown_format_and_files_in_raw(study, tmp_path) -> None:
    inside = study.raw_dir / "P1.txt"
    inside.write_text("I: hello\n\nR: hi\n", encoding="utf-8")
    odd = tmp_path / "P2.pages"
    odd.write_bytes(b"x")
    scan, unknown, raw = add_files(study, [INTAKE / "scan.pdf", odd, inside])
    assert "no text layer: run OCR first" in scan.problem.message
    assert "cannot read '.pages' files" in unknown.problem.message
    assert "data/raw/originals/" in raw.problem.message
    assert sorted(p.name for p in study.raw_dir.iterdir()) == ["P1.txt"]


def test_intake_id_from_file_name_and_options(study, tmp_path) -> None:
    assert id_from_name(Path("Interview P 3 (final).docx")) == "Interview-P-3-final"
    source = tmp_path / "2024.txt"
    shutil.copy(INTAKE / "en-p1.txt", source)
    [added] = add_files(study, [source], language="mixed", site="Mae Sot: north")
    transcript = _raw(study, added)
    assert transcript.id == "2024" and transcript.language == "mixed"  # quoted: YAML keeps it text
    assert transcript.attributes["site"] == "Mae Sot: north"
    thai = tmp_path / "สัมภาษณ์.txt"
    shutil.copy(INTAKE / "en-p1.txt", thai)
    [refused] = add_files(study, [thai])
    assert "cannot make an id from the file name" in refused.problem.message


def test_intake_cli_exit_codes(study, tmp_path) -> None:
    done = sitthi("add", INTAKE / "en-p1.txt", INTAKE / "th-p9.srt", "--study", study.root, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "en-p1.txt" in done.stdout and "th-p9" in done.stdout and " turn " in done.stdout
    again = sitthi("add", INTAKE / "en-p1.txt", INTAKE / "scan.pdf", "--study", study.root, cwd=tmp_path)
    lines = again.stderr.strip().splitlines()
    assert again.returncode == 1 and len(lines) == 2 and "Traceback" not in again.stderr
    assert all(line.startswith("refused: ") for line in lines) and "run OCR first" in lines[1]
    usage = sitthi("add", INTAKE / "en-p1.txt", "--language", "fr", "--study", study.root, cwd=tmp_path)
    assert usage.returncode == 2 and len(usage.stderr.strip().splitlines()) == 1


def test_intake_end_to_end_add_anonymise_check_words_kwic_report(study, tmp_path, monkeypatch) -> None:
    from analysis.coding.check import check_study
    from analysis.report.build import build_report
    from analysis.text.kwic import kwic
    from analysis.text.words import word_frequencies, words_table

    monkeypatch.setenv("SITTHI_SECRETS", str(tmp_path / "secrets"))
    names = ["en-p1.txt", "en-p3.docx", "th-p4.odt", "th-p5.rtf", "en-p7.pdf", "en-p8.vtt"]
    added = add_files(study, [INTAKE / name for name in names], site="A")
    assert [a.problem for a in added] == [None] * 6
    write_proposal(study)  # every proposal accepted as proposed
    applied = apply_key(study)
    assert applied.problems == [] and len(applied.written) == 6
    corpus = read_corpus(study)
    assert corpus.problems == [] and "Nok" not in corpus.get("en-p1").body
    store = CodingStore(study)
    for tid in ("en-p1", "th-p4"):
        transcript = corpus.get(tid)
        store.add(new_coding(transcript, segment_body(tid, transcript.body)[1], "LIB-SHEL", "fon"))
    assert check_study(study).ok
    assert len(word_frequencies(words_table(study), top=5))
    assert len(kwic(study, "ตำรวจ")) >= 2
    result = build_report(study, samples=20)
    assert result.removed == [] and (result.folder / "report.html").is_file()


def test_intake_add_for_review_lists_refusals_last(study) -> None:
    assert add_for_review(study, []).empty
    table = add_for_review(study, [INTAKE / "th-p9.srt", INTAKE / "scan.pdf"])
    assert list(table["file"]) == ["th-p9.srt", "scan.pdf"] and table.loc[1, "unit"] == "refused"
    assert "run OCR first" in table.loc[1, "notes"]
