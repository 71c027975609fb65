"""REFI-QDA project import: the spec's ATLAS.ti project, an NVivo-style archive (UTF-16 offsets,
BOM, CRLF), malformed archives (nothing written), and the round trip with our own export."""

import os
import zipfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

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


# ----------------------------------------------------------------------------- names like NVivo's

ROOTS = ["1. OLT - S/T - PUSA", "2. Arrest & detention (police)", "3. สิทธิในร่างกาย", "4. OLT - S/T - PUSA",
         "5. Gender :: เพศ", "6. Access / การเข้าถึง", "7. ???", "8. " + "Very long name " * 10,
         "9. Other", "10. Other"]
CHILDREN = ["{r}.1 OLT :: ทำร้ายร่างกาย", "Physical", "Psychological", "ทำร้ายร่างกาย", "Other / อื่นๆ",
            "Threats", "Detention > 24h", "No interpreter", "No lawyer", "Family not told", "Physical",
            "Sexual violence", "Forced labour", "Other"]


def nvivo_like_project(extra_code: str = "") -> tuple[str, str]:
    """150 codes with NVivo-style names (numbers, punctuation, Thai, twins) and 300 codings on one
    text of 60 turns (fictional), by two users."""
    turns = [f"R: Fictional turn {n} about the shelter, ที่พัก {n}." for n in range(60)]
    text = "\n\n".join(turns) + "\n"
    codes, leaves = [], []
    for r, root in enumerate(ROOTS):
        kids = []
        for c, child in enumerate(CHILDREN):
            kids.append(f'<Code guid="K{r}-{c}" name={quoteattr(child.format(r=r + 1))} isCodable="true"/>')
            leaves.append(f"K{r}-{c}")
        codes.append(f'<Code guid="R{r}" name={quoteattr(root)} isCodable="true" color="#FF0000">'
                     f'{"".join(kids)}</Code>')
    selections = []
    for n in range(300):
        turn = turns[n % 60]
        start = text.index(turn) + 3
        selections.append(
            f'<PlainTextSelection guid="S{n}" name="s{n}" startPosition="{start}" endPosition="{start + 14}" '
            f'creatingUser="U{n % 2}"><Coding guid="G{n}" creatingUser="U{n % 2}">'
            f'<CodeRef targetGUID="{leaves[n % len(leaves)]}"/></Coding></PlainTextSelection>')
    project = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="OLT study" origin="NVivo 12">
  <Users><User guid="U0" name="Coder One"/><User guid="U1" name="Coder Two"/></Users>
  <CodeBook><Codes>{extra_code}{"".join(codes)}</Codes></CodeBook>
  <Sources><TextSource guid="T1" name="Interview 1.docx" plainTextPath="internal://T1.txt">
    {"".join(selections)}</TextSource></Sources>
</Project>"""
    return project, text


def write_archive(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_exchange_qdpx_import_nvivo_like_names(tmp_path: Path) -> None:
    from analysis.codebook.model import ID_RE, load_codebook

    project, text = nvivo_like_project()
    members = {"OLT.qde": project.encode(), "sources/T1.txt": text.encode()}
    source = write_archive(tmp_path / "olt.qdpx", members)
    first = import_qdpx(source, tmp_path / "one", anonymised=True)
    second = import_qdpx(source, tmp_path / "two", anonymised=True)
    assert len(first.codes) == 151  # 150 + the parent 'Gender' of '5. Gender :: เพศ'
    assert all(ID_RE.match(c) and len(c) <= 45 for c in first.codes) and len(set(first.codes)) == 151
    assert first.codes == second.codes  # the same project twice: the same ids
    assert sum(first.codings.values()) == 300 == sum(second.codings.values())
    book = load_codebook(first.codebook)
    assert book["C-1-OLT-S-T-PUSA"].label == {"en": "1. OLT - S/T - PUSA", "th": "1. OLT - S/T - PUSA"}
    assert book["C-1-1-OLT-THAMRAYRANGKAY"].parent == "C-1-OLT-S-T-PUSA"
    assert book["C-3-SITHTHIAINRANGKAY"].label["th"] == "3. สิทธิในร่างกาย"
    assert any("code colours not carried" in n for n in first.notes)

    def codings(result) -> set:
        store = CodingStore(result.study)
        return {(c.coder_id, c.segment_id, c.code_id, c.start, c.end) for k in store.coders()
                for c in store.codings_of(k)}

    assert codings(first) == codings(second)


# ----------------------------------------------------------------------------- archive safety

def _patch_directory(data: bytes, member: str, *, size: int) -> bytes:
    """The archive with the zip directory's uncompressed size of ``member`` changed (a lying header)."""
    at = 0
    while True:
        at = data.index(b"PK\x01\x02", at)
        length = int.from_bytes(data[at + 28:at + 30], "little")
        if data[at + 46:at + 46 + length] == member.encode():
            return data[:at + 24] + size.to_bytes(4, "little") + data[at + 28:]
        at += 4


def _small_project(tmp_path: Path, text_a: bytes, **extra: bytes) -> Path:
    members = {"p.qde": nvivo_project().encode(), "sources/T1.txt": text_a,
               "sources/T2.txt": b"\xef\xbb\xbf" + TEXT_B.encode()} | extra
    return write_archive(tmp_path / "bad.qdpx", members)


GOOD_A = b"\xef\xbb\xbf" + TEXT_A.encode()


@pytest.mark.parametrize("case", ["too-large", "zip-bomb", "lying-directory", "corrupt", "truncated"])
def test_exchange_qdpx_import_unsafe_archives_give_one_line(tmp_path: Path, monkeypatch, case: str) -> None:
    from analysis.exchange import qdpx_archive

    monkeypatch.setattr(qdpx_archive, "MAX_MEMBER", 50_000)
    monkeypatch.setattr(qdpx_archive, "RATIO_FLOOR", 10_000)
    padded = GOOD_A + b" " * 60_000  # compresses over 200 times
    big = case in ("too-large", "zip-bomb", "lying-directory")
    source = _small_project(tmp_path, padded if big else GOOD_A)
    data = source.read_bytes()
    if case == "zip-bomb":
        monkeypatch.setattr(qdpx_archive, "MAX_MEMBER", 10**6)
    elif case == "lying-directory":
        data = _patch_directory(data, "sources/T1.txt", size=len(GOOD_A))
    elif case == "corrupt":
        with zipfile.ZipFile(source) as archive:
            info = archive.getinfo("sources/T1.txt")
        at = info.header_offset + 30 + len(info.filename) + 10
        data = data[:at] + bytes(b ^ 0xFF for b in data[at:at + 8]) + data[at + 8:]
    elif case == "truncated":
        data = data[:len(data) // 2]
    source.write_bytes(data)
    with pytest.raises(SitthiError) as err:
        import_qdpx(source, tmp_path / "study")
    message = err.value.message
    wanted = {"too-large": "bad.qdpx!sources/T1.txt is 58 KiB uncompressed",
              "zip-bomb": "bad.qdpx!sources/T1.txt expands more than 200 times",
              "lying-directory": "bad.qdpx!sources/T1.txt cannot be read",
              "corrupt": "bad.qdpx!sources/T1.txt cannot be read",
              "truncated": "bad.qdpx cannot be read: the archive is damaged or incomplete"}[case]
    assert wanted in message and "\n" not in message and " — " in message
    assert not (tmp_path / "study").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".sitthi-import")]


def test_exchange_qdpx_import_never_reads_unused_members(tmp_path: Path) -> None:
    source = _small_project(tmp_path, GOOD_A, **{"media/huge.mp4": b"not really a video"})
    source.write_bytes(_patch_directory(source.read_bytes(), "media/huge.mp4", size=4 * 2**30 - 2))
    with zipfile.ZipFile(source) as archive:
        assert archive.getinfo("media/huge.mp4").file_size > 2**31  # the directory claims 4 GiB
    result = import_qdpx(source, tmp_path / "study", anonymised=True)
    assert len(result.transcripts) == 2


# ----------------------------------------------------------------------------- interrupted imports

def test_exchange_qdpx_import_interrupted_leaves_nothing(tmp_path: Path, monkeypatch) -> None:
    from analysis.exchange import qdpx_import

    source = write_qdpx(tmp_path / "a.qdpx", nvivo_project())

    def interrupt(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(qdpx_import, "_check_written", interrupt)
    with pytest.raises(KeyboardInterrupt):
        import_qdpx(source, tmp_path / "study")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.qdpx"]


def test_exchange_qdpx_import_removes_what_a_killed_import_left(tmp_path: Path) -> None:
    from analysis.exchange.qdpx_import import STAGING_LOCK
    from analysis.files import hold_lock

    source = write_qdpx(tmp_path / "a.qdpx", nvivo_project())
    killed, running = tmp_path / ".sitthi-import-killed", tmp_path / ".sitthi-import-running"
    for folder in (killed, running):
        (folder / "study" / "data" / "raw").mkdir(parents=True)
        (folder / "study" / "data" / "raw" / "Interview-A.md").write_text("words of a killed import")
        os.utime(folder, (1_000_000_000, 1_000_000_000))
    with hold_lock(running / STAGING_LOCK, timeout=0, what="a running import"):
        result = import_qdpx(source, tmp_path / "study")
    assert not killed.exists() and running.exists()  # a folder another import holds is left alone
    assert result.notes[0] == f"removed {killed}: left behind by an import that was stopped"
    assert len([n for n in result.notes if "left behind" in n]) == 1


# ----------------------------------------------------------------------------- the real samples

CODEBOOK_SAMPLE = SHARED / "samples" / "spec_annexA1_codebook_example.qdc"


@needs_shared
def test_exchange_qdpx_import_every_sample(tmp_path: Path) -> None:
    from lxml import etree

    from analysis.exchange.qdc import import_qdc

    project = etree.parse(str(ATLAS)).getroot()
    result = import_qdpx(ATLAS, tmp_path / "atlas")
    assert len(result.codes) == len(project.findall(".//{*}Code"))
    texts = project.findall(".//{*}TextSource")
    missing = [line for line in result.not_imported if "its text is not in" in line]
    assert len(result.transcripts) + len(missing) == len(texts) == 6
    assert all(str(ATLAS.parent / "sources") in line for line in missing)  # where it looked
    codebook = import_qdc(CODEBOOK_SAMPLE, tmp_path / "spec.yaml")
    assert len(codebook.data["codes"]) == len(etree.parse(str(CODEBOOK_SAMPLE)).findall(".//{*}Code"))
