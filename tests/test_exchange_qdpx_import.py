"""REFI-QDA project import: the spec's ATLAS.ti project, an NVivo-style archive (UTF-16 offsets,
BOM, CRLF), malformed archives (nothing written), and the round trip with our own export."""

import os
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analysis.cli import app
from analysis.coding.imported import raw_store
from analysis.coding.store import CodingStore
from analysis.errors import SitthiError
from analysis.exchange.qdpx_import import CODE_POINTS, UTF16, choose_reading, import_qdpx
from analysis.study import read_study_file
from analysis.text.corpus import read_transcript
from conftest import REPO

SHARED = Path(os.environ.get("SITTHI_SHARED", REPO.parent / "shared")) / "refi-qda"
ATLAS = SHARED / "samples" / "atlasti_standard_project_spec_annexA2_Project.qde"
needs_shared = pytest.mark.skipif(not ATLAS.is_file(), reason=f"REFI-QDA samples not found at {SHARED} "
                                                              "(set SITTHI_SHARED)")

# Fictional text. Emoji (two UTF-16 units each) come before the coded words, so code-point and
# UTF-16 readings of the offsets differ; the file has a BOM and CRLF line ends.
TEXT_A = ("I: Hello 😀 what happened at the shelter?\r\n\r\n"
          "R: ตำรวจ 🙂 พาไปบ้านพัก อยู่สองเดือน\r\n\r\n"
          "R: 😀😀 No interpreter was there.\r\n")
TEXT_B = "A short note 🙂 without speaker labels.\r\nIt has two lines.\r\n"
WANTED_A = [("shelter", "C1", "U1"), ("พาไปบ้านพัก", "C2", "U1"), ("No interpreter", "C2", "U2"),
            ("ตำรวจ 🙂 พาไปบ้านพัก อยู่สองเดือน", "C1", "U2")]
WANTED_B = [("speaker labels", "C1", "U2")]
NS = "urn:QDA-XML:project:1.0"


def _utf16(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    units = len(text[:start].encode("utf-16-le")) // 2
    return units, units + len(words.encode("utf-16-le")) // 2


def _selections(text: str, wanted, *, bom_counted: bool = False) -> str:
    out = []
    for n, (words, code, user) in enumerate(wanted):
        start, end = _utf16(text, words)
        start, end = start + bom_counted, end + bom_counted
        out.append(f'<PlainTextSelection guid="s{n}-{code}" name="sel {n}" startPosition="{start}" '
                   f'endPosition="{end}" creatingUser="{user}"><Description>memo {n}</Description>'
                   f'<Coding guid="c{n}" creatingUser="{user}"><CodeRef targetGUID="{code}"/></Coding>'
                   "</PlainTextSelection>")
    return "".join(out)


def nvivo_project(*, selections_a: str | None = None, bom_counted: bool = False) -> str:
    if selections_a is None:
        selections_a = _selections(TEXT_A, WANTED_A, bom_counted=bom_counted)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="Shelter study" origin="NVivo 12.6">
  <Users><User guid="U1" name="Nok Example"/><User guid="U2" name="Mai"/></Users>
  <CodeBook><Codes>
    <Code guid="{{C0}}" name="Liberty" isCodable="true">
      <Code guid="C1" name="Held in a shelter" isCodable="true"/>
      <Code guid="c2" name="No interpreter" isCodable="true"/>
    </Code>
  </Codes></CodeBook>
  <Variables><Variable guid="V1" name="Site" typeOfVariable="Text"/>
    <Variable guid="V2" name="Age group" typeOfVariable="Integer"/></Variables>
  <Cases><Case guid="K1" name="Participant A">
    <VariableValue><VariableRef targetGUID="V1"/><TextValue>Chiang Mai</TextValue></VariableValue>
    <VariableValue><VariableRef targetGUID="V2"/><IntegerValue>30</IntegerValue></VariableValue>
    <SourceRef targetGUID="T1"/></Case></Cases>
  <Sources>
    <TextSource guid="T1" name="Interview A.docx" plainTextPath="internal://T1.txt">{selections_a}</TextSource>
    <TextSource guid="T2" name="Note B.txt" plainTextPath="internal://T2.txt">
      {_selections(TEXT_B, WANTED_B)}</TextSource>
    <PictureSource guid="P1" name="photo.jpg" path="internal://P1.jpg"/>
  </Sources>
  <Sets><Set guid="S1" name="Interviews"><MemberSource targetGUID="T1"/></Set></Sets>
</Project>
"""


def write_qdpx(path: Path, project: str | None, *, qde_name: str = "Shelter study.qde",
               text_a: str = TEXT_A) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        if project is not None:
            archive.writestr(qde_name, project.encode("utf-8"))
        archive.writestr("sources/T1.txt", b"\xef\xbb\xbf" + text_a.encode("utf-8"))
        archive.writestr("sources/T2.txt", b"\xef\xbb\xbf" + TEXT_B.encode("utf-8"))
    return path


def _nothing_written(target: Path) -> None:
    assert not [p for p in target.rglob("*") if p.is_file() and p.suffix in (".md", ".csv", ".yaml")]


@needs_shared
def test_exchange_qdpx_import_atlas_ti_project(tmp_path: Path) -> None:
    result = import_qdpx(ATLAS, tmp_path / "study")
    assert len(result.codes) >= 14 and "DIET-COKE" in result.codes
    assert result.coders == {"ATLAS.ti": "atlas-ti", "Friedrich Markgraf": "friedrich-markgraf",
                             "Sebastian Petrausch": "sebastian-petrausch"}
    assert set(result.codings) == {"atlas-ti", "friedrich-markgraf", "sebastian-petrausch"}
    lines = "\n".join(result.not_imported)
    for missing in ("Mabel.txt", "Simon.docx", "cornflakes-n-milk.jpg", "Jeanine's Breakfast.m4a",
                    "1960s Coca Cola commercial.mp4", "Kellogg's Passion for Nutrition.pdf",
                    "link", "graph", "set"):
        assert missing in lines
    study = read_study_file(tmp_path / "study" / "study.toml")
    assert study.codebook_path == result.codebook and result.codebook.is_file()
    assert result.transcripts == []


def test_exchange_qdpx_import_nvivo_utf16_offsets(tmp_path: Path) -> None:
    source = write_qdpx(tmp_path / "nvivo.qdpx", nvivo_project())
    result = import_qdpx(source, tmp_path / "study", anonymised=True)
    assert result.offset_units == {"Interview A.docx": UTF16, "Note B.txt": UTF16}
    assert result.coders == {"Nok Example": "nok-example", "Mai": "mai"}
    study = result.study
    assert study.segment_unit == "paragraph"  # Note B has no speaker labels
    assert [p.name for p in result.transcripts] == ["Interview-A.md", "Note-B.md"]
    transcript = read_transcript(study.transcripts_dir / "Interview-A.md", require_labels=False)
    assert "\r" not in transcript.body and "\ufeff" not in transcript.body
    assert transcript.attributes == {"site": "Chiang Mai", "age_group": 30}
    store = CodingStore(study)
    got = {(c.coder_id, c.transcript_id, c.quote, c.code_id) for coder in store.coders()
           for c in store.codings_of(coder)}
    ids = {"C1": "HELD-IN-A-SHELTER", "C2": "NO-INTERPRETER"}
    coder = {"U1": "nok-example", "U2": "mai"}
    assert got == {(coder[u], "Interview-A", words, ids[code]) for words, code, u in WANTED_A} | {
        (coder[u], "Note-B", words, ids[code]) for words, code, u in WANTED_B}
    for c in store.codings_of("mai"):
        body = read_transcript(study.transcripts_dir / f"{c.transcript_id}.md", require_labels=False).body
        whole = c.quote.startswith("ตำรวจ")
        assert (c.start is None) == whole  # a selection of a whole turn is a whole-segment coding
        if not whole:
            assert body[c.start:c.end] == c.quote
    assert {c.memo for coder in store.coders() for c in store.codings_of(coder)} == {
        f"memo {n}" for n in range(len(WANTED_A))} | {"memo 0"}
    assert result.codings == {"mai": 3, "nok-example": 2}
    assert any("photo.jpg" in line for line in result.not_imported)
    assert any("Interviews" in line for line in result.not_imported)
    assert study.codebook_path == result.codebook


def test_exchange_qdpx_import_bom_counted_and_code_points(tmp_path: Path) -> None:
    result = import_qdpx(write_qdpx(tmp_path / "a.qdpx", nvivo_project(bom_counted=True)), tmp_path / "s")
    quotes = {c.quote for c in raw_store(result.study).codings_of("nok-example")}  # raw: codings wait
    assert quotes == {"shelter", "พาไปบ้านพัก"}
    assert (tmp_path / "s" / "data" / "raw" / "Interview-A.md").is_file()  # not anonymised: raw
    text = "Plain words 😀 here and there"
    start = text.index("here")
    assert choose_reading(text, False, [(start, start + 4)]) == (CODE_POINTS, [(start, start + 4)])
    assert choose_reading(text, False, [(start + 1, start + 5)]) == (UTF16, [(start, start + 4)])


@pytest.mark.parametrize("case", ["no-qde", "broken-xml", "outside", "not-a-project"])
def test_exchange_qdpx_import_malformed_writes_nothing(tmp_path: Path, case: str) -> None:
    source = tmp_path / "bad.qdpx"
    if case == "no-qde":
        write_qdpx(source, None)
    elif case == "broken-xml":
        write_qdpx(source, nvivo_project()[:-30])
    elif case == "outside":
        far = '<PlainTextSelection guid="x" name="far" startPosition="5" endPosition="900"/>'
        write_qdpx(source, nvivo_project(selections_a=far))
    else:
        source.write_text("just text")
    target = tmp_path / "study"
    with pytest.raises(SitthiError) as err:
        import_qdpx(source, target)
    assert {"no-qde": "no .qde", "broken-xml": "not well-formed", "outside": "outside",
            "not-a-project": "not a REFI-QDA"}[case] in err.value.message
    assert "bad.qdpx" in err.value.message
    assert not target.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".sitthi-import")]


def test_exchange_qdpx_import_refuses_a_study_with_data(tmp_path: Path) -> None:
    source = write_qdpx(tmp_path / "nvivo.qdpx", nvivo_project())
    import_qdpx(source, tmp_path / "study")
    before = sorted(p for p in (tmp_path / "study").rglob("*"))
    with pytest.raises(SitthiError, match="already has transcripts or codings"):
        import_qdpx(source, tmp_path / "study")
    assert sorted(p for p in (tmp_path / "study").rglob("*")) == before


def test_exchange_qdpx_import_cli(tmp_path: Path) -> None:
    source = write_qdpx(tmp_path / "nvivo.qdpx", nvivo_project())
    result = CliRunner().invoke(app, ["import", "qdpx", str(source), "--study", str(tmp_path / "s"),
                                      "--anonymised"])
    assert result.exit_code == 0, result.output
    assert "UTF-16 units" in result.output and "photo.jpg" in result.output
    assert (tmp_path / "s" / "data" / "transcripts" / "Note-B.md").is_file()


def test_exchange_qdpx_round_trip_with_export(demo_study, tmp_path: Path) -> None:
    exporter = pytest.importorskip("analysis.exchange.qdpx_export", reason="export qdpx not written yet")
    from analysis.codebook.model import load_codebook, study_codebook
    from analysis.text.corpus import read_corpus

    out = tmp_path / "demo.qdpx"
    exporter.export_qdpx(demo_study, out)
    result = import_qdpx(out, tmp_path / "back", anonymised=True)
    assert result.not_imported == []
    def transcripts(study) -> dict[str, tuple]:
        return {t.id: (t.body, t.language, t.fictional, t.translation_of, t.attributes)
                for t in read_corpus(study)}

    assert transcripts(result.study) == transcripts(demo_study)
    assert result.study.attributes == demo_study.attributes  # same order: it decides what quotes show
    assert {c.id for c in load_codebook(result.codebook)} == {c.id for c in study_codebook(demo_study)}

    def codings(study) -> set[tuple]:
        store = CodingStore(study)
        return {(c.coder_id, c.transcript_id, c.segment_id, c.code_id, c.start, c.end, c.memo)
                for coder in store.coders() for c in store.codings_of(coder)}

    assert codings(result.study) == codings(demo_study)


@pytest.mark.parametrize("namespace", ['xmlns="urn:QDA-XML:codebook:0:4"', ""])
def test_exchange_qdpx_import_namespace_variants(tmp_path: Path, namespace: str) -> None:
    project = nvivo_project().replace(f'xmlns="{NS}"', namespace)  # ATLAS.ti's old one, or none
    assert namespace in project and f'xmlns="{NS}"' not in project
    source = write_qdpx(tmp_path / "a.qdpx", project, qde_name="Shelter study 2019-03.qde")
    result = import_qdpx(source, tmp_path / "s", anonymised=True)
    assert result.codings == {"mai": 3, "nok-example": 2} and len(result.transcripts) == 2


def test_exchange_qdpx_import_refuses_identifiers_in_texts_said_anonymised(tmp_path: Path) -> None:
    source = write_qdpx(tmp_path / "a.qdpx", nvivo_project(), text_a=TEXT_A + "R: call 081 234 5678\r\n")
    with pytest.raises(SitthiError, match="'Interview A.docx' is not anonymised: line 6 .* phone") as err:
        import_qdpx(source, tmp_path / "s", anonymised=True)
    assert "5678" not in err.value.message and not (tmp_path / "s").exists()
    result = import_qdpx(source, tmp_path / "s")  # raw: it goes to data/raw/ for anonymisation
    assert [p.parent.name for p in result.transcripts] == ["raw", "raw"]
