"""REFI-QDA project export: a valid, stable .qdpx whose selections land on the coded text."""

import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from analysis.cli import app
from analysis.codebook.model import study_codebook
from analysis.coding.status import study_codings
from analysis.errors import SitthiError
from analysis.exchange.qdc import code_guid, read_qdc
from analysis.exchange.qdpx_export import export_qdpx, source_guid, user_guid
from analysis.exchange.qdpx_import import import_qdpx
from analysis.study import load_study
from analysis.text.corpus import read_corpus
from conftest import REPO

SHARED = Path(os.environ.get("SITTHI_SHARED", REPO.parent / "shared")) / "refi-qda"
SCHEMA = SHARED / "Project-mrt2019.xsd"
needs_schema = pytest.mark.skipif(not SCHEMA.is_file(), reason=f"REFI-QDA project schema not found at "
                                                               f"{SCHEMA} (set SITTHI_SHARED)")
TIMES = re.compile(rb' (creationDateTime|modifiedDateTime)="[^"]*"')


@pytest.fixture(scope="module")
def demo_export(demo_study, tmp_path_factory) -> Path:
    return export_qdpx(demo_study, tmp_path_factory.mktemp("qdpx") / "demo.qdpx").path


def _qde(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("project.qde")


def test_exchange_qdpx_export_zip_holds_project_and_bodies(demo_study, demo_export: Path) -> None:
    corpus = read_corpus(demo_study)
    with zipfile.ZipFile(demo_export) as archive:
        names = set(archive.namelist())
        assert names == {"project.qde"} | {f"sources/{source_guid(t.id)}.txt" for t in corpus}
        for transcript in corpus:
            raw = archive.read(f"sources/{source_guid(transcript.id)}.txt")
            assert not raw.startswith(b"\xef\xbb\xbf")
            assert raw.decode("utf-8") == transcript.body
    document = etree.fromstring(_qde(demo_export))
    sources = document.findall(".//{*}TextSource")
    assert [s.get("plainTextPath") for s in sources] == [
        f"internal://{source_guid(t.id)}.txt" for t in sorted(corpus, key=lambda t: t.id)]
    assert len(document.findall(".//{*}Case")) == len(corpus)


@needs_schema
def test_exchange_qdpx_export_is_schema_valid(demo_export: Path) -> None:
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(etree.fromstring(_qde(demo_export))), schema.error_log


def test_exchange_qdpx_export_selections_hold_the_quotes(demo_study, demo_export: Path) -> None:
    bodies = {source_guid(t.id): t.body for t in read_corpus(demo_study)}
    document = etree.fromstring(_qde(demo_export))
    spans = {}
    for source in document.findall(".//{*}TextSource"):
        for selection in source.findall("{*}PlainTextSelection"):
            body = bodies[source.get("guid")]
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            code = selection.find("{*}Coding/{*}CodeRef").get("targetGUID")
            spans[(body[start:end], code, selection.get("creatingUser"))] = selection
    table, _ = study_codings(demo_study)
    table = table[table["status"].isin(["ok", "reanchored"])]
    assert len(document.findall(".//{*}PlainTextSelection")) == len(table)
    phrases = table[table["start"].notna()]
    assert len(phrases) > 0
    for row in phrases.itertuples():  # body[start:end] is the coding's quote
        assert (row.quote, code_guid(row.code_id), user_guid(row.coder_id)) in spans
    for row in table[table["start"].isna()].itertuples():  # whole segments: the segment's text
        assert (row.quote, code_guid(row.code_id), user_guid(row.coder_id)) in spans
    memos = table[table["memo"].fillna("") != ""]
    notes = {n.get("guid"): n.findtext("{*}PlainTextContent") for n in document.findall(".//{*}Note")}
    assert sorted(notes.values()) == sorted(memos["memo"])
    referenced = [r.get("targetGUID") for r in document.findall(".//{*}PlainTextSelection/{*}NoteRef")]
    assert sorted(referenced) == sorted(notes)


def test_exchange_qdpx_export_users_codebook_and_variables(demo_study, demo_export: Path) -> None:
    document = etree.fromstring(_qde(demo_export))
    users = document.findall("{*}Users/{*}User")
    assert [u.get("name") for u in users] == ["fon", "mai", "nok"]
    assert [u.get("guid") for u in users] == [user_guid(c) for c in ("fon", "mai", "nok")]
    codebook = study_codebook(demo_study)
    assert {c.get("guid") for c in document.findall(".//{*}CodeBook//{*}Code")} == {
        code_guid(c.id) for c in codebook}
    assert {v.get("name") for v in document.findall(".//{*}Variable")} >= set(demo_study.attributes)
    assert {v.get("typeOfVariable") for v in document.findall(".//{*}Variable")} == {"Text"}
    case = document.find(".//{*}Case[@name='BKK-01']")
    assert case.find("{*}SourceRef").get("targetGUID") == source_guid("BKK-01")
    values = [v.findtext("{*}TextValue") for v in case.findall("{*}VariableValue")]
    assert "Bangkok" in values


def test_exchange_qdpx_export_codebook_reads_back(demo_study, demo_export: Path, tmp_path: Path) -> None:
    (tmp_path / "project.qde").write_bytes(_qde(demo_export))
    back = read_qdc(tmp_path / "project.qde").data["codes"]
    codebook = study_codebook(demo_study)
    assert {c["id"] for c in back} == {c.id for c in codebook}
    assert all(c["label"] == codebook[c["id"]].label for c in back)


def test_exchange_qdpx_export_is_deterministic(demo_study, demo_export: Path, tmp_path: Path) -> None:
    again = export_qdpx(demo_study, tmp_path / "again.qdpx").path
    first, second = _qde(demo_export), _qde(again)
    assert TIMES.sub(b"", first) == TIMES.sub(b"", second)
    with zipfile.ZipFile(demo_export) as a, zipfile.ZipFile(again) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())


def test_exchange_qdpx_export_cli_one_coder(demo_study, tmp_path: Path) -> None:
    out = tmp_path / "nok.qdpx"
    result = CliRunner().invoke(app, ["--study", str(demo_study.root), "export", "qdpx", str(out),
                                      "--coders", "nok"])
    assert result.exit_code == 0, result.output
    document = etree.fromstring(_qde(out))
    assert [u.get("name") for u in document.findall("{*}Users/{*}User")] == ["nok"]
    creators = {s.get("creatingUser") for s in document.findall(".//{*}PlainTextSelection")}
    assert creators == {user_guid("nok")}
    table, _ = study_codings(demo_study)
    assert len(document.findall(".//{*}PlainTextSelection")) == int((table["coder_id"] == "nok").sum())

    bad = CliRunner().invoke(app, ["--study", str(demo_study.root), "export", "qdpx",
                                   str(tmp_path / "x.qdpx"), "--coders", "nobody"])
    assert isinstance(bad.exception, SitthiError) and "unknown coder(s): nobody" in str(bad.exception)
    assert not (tmp_path / "x.qdpx").exists()


@needs_schema
def test_exchange_qdpx_export_names_the_first_schema_error() -> None:
    from analysis.exchange.qdpx_export import validate_project

    with pytest.raises(SitthiError, match="not valid REFI-QDA: .*'name' is required"):
        validate_project(b'<Project xmlns="urn:QDA-XML:project:1.0"/>', SCHEMA)


def test_exchange_qdpx_export_says_when_the_schema_is_absent(demo_study, tmp_path: Path,
                                                             monkeypatch) -> None:
    copy = tmp_path / "demo"  # the default file goes to the study's outputs/: use a copy
    for folder in ("codebooks", "data/transcripts", "data/codings"):
        shutil.copytree(demo_study.root / folder, copy / folder)
    shutil.copy(demo_study.config_file, copy / "study.toml")
    study = load_study(copy)
    monkeypatch.setenv("SITTHI_SHARED", str(tmp_path / "nowhere"))
    result = CliRunner().invoke(app, ["--study", str(study.root), "export", "qdpx", "--coders", "fon"])
    assert result.exit_code == 0, result.output
    assert (study.outputs_dir / "exchange" / f"{study.root.name}.qdpx").is_file()  # the default
    assert "not checked: Project-mrt2019.xsd not found" in result.output
    assert "22 transcripts, 172 codings" in result.output  # every transcript, fon's codings
    with pytest.raises(SitthiError, match="schema was not found"):  # an explicit schema must exist
        export_qdpx(study, tmp_path / "x.qdpx", schema=tmp_path / "nowhere.xsd")
    assert not (tmp_path / "x.qdpx").exists()


@needs_schema
def test_exchange_qdpx_export_of_a_study_nobody_coded_is_valid(make_study, tmp_path: Path) -> None:
    study = make_study("GOOD-TH.md", "GOOD-EN.md")
    result = export_qdpx(study, tmp_path / "empty.qdpx")
    document = etree.fromstring(_qde(tmp_path / "empty.qdpx"))
    assert document.find("{*}Users") is None and len(document.findall(".//{*}TextSource")) == 2
    assert "checked against" in result.summary()


@needs_schema
def test_exchange_qdpx_export_memos_become_notes(make_study, tmp_path: Path) -> None:
    from analysis.coding.memos import MemoStore, coding_memo, segment_memo, span_memo, transcript_memo
    from analysis.coding.rows import new_coding
    from analysis.coding.store import CodingStore
    from analysis.text.segments import segment_body

    study = make_study("GOOD-TH.md", "GOOD-EN.md")
    transcript = next(t for t in read_corpus(study) if t.id == "GOOD-TH")
    segments = segment_body(transcript.id, transcript.body, study.segment_unit)
    store = CodingStore(study)
    memos = MemoStore(store)
    coding = new_coding(transcript, segments[1], "LIB-SHEL", "nok")
    store.add(coding)
    start = transcript.body.index("ล่าม", segments[3].start)
    memos.save(transcript_memo(transcript, "nok", "บันทึกทั้งเรื่อง whole"))
    memos.save(segment_memo(transcript, segments[2], "nok", "uncoded turn memo"))
    memos.save(span_memo(transcript, segments[3], start, start + 4, "nok", "span memo"))
    memos.save(coding_memo(transcript, coding, "coding memo"))
    result = export_qdpx(study, tmp_path / "memos.qdpx")
    assert "checked against" in result.summary() and result.selections == 1
    document = etree.fromstring(_qde(tmp_path / "memos.qdpx"))
    notes = {note.get("guid"): note.findtext("{*}PlainTextContent")
             for note in document.iterfind(".//{*}Notes/{*}Note")}
    assert sorted(notes.values()) == sorted(["บันทึกทั้งเรื่อง whole", "uncoded turn memo", "span memo",
                                             "coding memo"])
    source = document.find(f".//{{*}}TextSource[@guid='{source_guid('GOOD-TH')}']")
    by_note = {notes[ref.get("targetGUID")]: ref.getparent() for ref in source.iter("{*}NoteRef")}
    assert by_note["บันทึกทั้งเรื่อง whole"] is source
    for text, (begin, end) in (("uncoded turn memo", (segments[2].start, segments[2].end)),
                               ("span memo", (start, start + 4)),
                               ("coding memo", (segments[1].start, segments[1].end))):
        selection = by_note[text]
        assert (int(selection.get("startPosition")), int(selection.get("endPosition"))) == (begin, end)
    assert by_note["uncoded turn memo"].find("{*}Coding") is None
    assert by_note["coding memo"].find("{*}Coding") is not None

    imported = import_qdpx(tmp_path / "memos.qdpx", tmp_path / "back", anonymised=True)
    lost = " ".join(imported.not_imported)  # memo notes are not imported yet, and never silently lost
    assert "3 note(s) not imported" in lost and "Memo nok transcript GOOD-TH" in lost
    assert "Memo nok segment GOOD-TH:0003" in lost and "Memo nok span GOOD-TH:0004" in lost
    back = CodingStore(imported.study).codings_of("nok")
    assert [c.memo for c in back] == ["coding memo"]  # a coding's memo comes back on the coding
