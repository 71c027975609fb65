"""REFI-QDA codebooks: a valid, stable export, and imports of ours and other programs' files."""

import os
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from analysis.cli import app
from analysis.codebook.model import CodebookError, codebook_yaml, load_codebook, parse_codebook
from analysis.exchange.qdc import code_guid, codebook_to_qdc, import_qdc, read_qdc
from conftest import FIXTURES, REPO

SHARED = Path(os.environ.get("SITTHI_SHARED", REPO.parent / "shared")) / "refi-qda"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"REFI-QDA schema and samples not found at "
                                                              f"{SHARED} (set SITTHI_SHARED)")
MINI = FIXTURES / "codebooks" / "study" / "rights-violations.yaml"


def _round_trip(book, tmp_path):
    (tmp_path / "x.qdc").write_bytes(codebook_to_qdc(book))
    return parse_codebook(codebook_yaml(read_qdc(tmp_path / "x.qdc").data), tmp_path / "back.yaml")


@needs_shared
def test_exchange_qdc_export_is_schema_valid(demo_study) -> None:
    from analysis.codebook.model import study_codebook

    schema = etree.XMLSchema(etree.parse(str(SHARED / "Codebook-mrt2019.xsd")))
    for book in (study_codebook(demo_study), load_codebook(MINI)):
        document = etree.fromstring(codebook_to_qdc(book))
        assert schema.validate(document), schema.error_log
        assert len(document.findall(".//{*}Code")) == len(book)


def test_exchange_qdc_export_is_stable_and_nested() -> None:
    book = load_codebook(MINI)
    first, second = codebook_to_qdc(book), codebook_to_qdc(book)
    assert first == second
    document = etree.fromstring(first)
    shelter = document.find(f".//{{*}}Code[@guid='{code_guid('LIB-SHEL')}']")
    assert shelter.getparent().get("guid") == code_guid("LIB")
    assert shelter.get("name") == "LIB-SHEL · Held in a shelter"
    assert document.find(f".//{{*}}Code[@guid='{code_guid('ACT')}']").get("isCodable") == "false"
    assert [s.get("name") for s in document.findall(".//{*}Set")] == ["Actors / ผู้กระทำ", "Agency / การรับมือ"]


def test_exchange_qdc_round_trip_is_lossless(demo_study, tmp_path: Path) -> None:
    from analysis.codebook.model import study_codebook

    for book in (load_codebook(MINI), study_codebook(demo_study)):
        back = _round_trip(book, tmp_path)
        for code in book:
            other = back[code.id]
            assert (other.parent, other.kind, other.label, other.definition) == (
                code.parent, code.kind, code.label, code.definition)
            assert (other.include, other.exclude, other.see, other.example, other.keywords,
                    other.instruments, other.deprecated_by) == (
                code.include, code.exclude, code.see, code.example, code.keywords, code.instruments,
                code.deprecated_by)
        assert codebook_to_qdc(back) == codebook_to_qdc(book)


@needs_shared
def test_exchange_qdc_imports_the_spec_example() -> None:
    result = read_qdc(SHARED / "samples" / "spec_annexA1_codebook_example.qdc")
    book = parse_codebook(codebook_yaml(result.data), Path("spec.yaml"))
    assert [c.id for c in book] == ["TOPICS", "ECONOMY", "HEALTH-CARE", "VALUES", "CONSERVATIVES", "LIBERALS"]
    assert book["ECONOMY"].definition == {"en": "Anything about jobs or taxes or business"}
    assert any("no Thai label" in note for note in result.notes)


@needs_shared
def test_exchange_qdc_imports_atlas_ti_double_colon_names() -> None:
    result = read_qdc(SHARED / "samples" / "atlasti_standard_project_spec_annexA2_Project.qde")
    book = parse_codebook(codebook_yaml(result.data), Path("atlas.yaml"))
    assert len(book) == 14
    assert [c.label["en"] for c in book.children("COKE")] == ["full-fat Coke", "diet Coke"]
    assert any("namespace" in note for note in result.notes)
    assert any(note.startswith("sets not carried") for note in result.notes)


@pytest.mark.parametrize("content", [b"", b"<CodeBook><Codes>", b"<Other/>", b"not xml at all"])
def test_exchange_qdc_malformed_files_give_clear_errors(tmp_path: Path, content: bytes) -> None:
    source, target = tmp_path / "bad.qdc", tmp_path / "codebooks" / "bad.yaml"
    source.write_bytes(content)
    with pytest.raises(CodebookError) as caught:
        import_qdc(source, target)
    assert str(source) in caught.value.message and caught.value.fix
    assert not target.exists()


def test_exchange_qdc_cli_export_then_import(make_study, tmp_path: Path) -> None:
    study = make_study("GOOD-TH.md")
    runner = CliRunner()
    out = tmp_path / "mini.qdc"
    base = ["--study", str(study.root)]
    assert runner.invoke(app, [*base, "export", "codebook", str(out)]).exit_code == 0
    result = runner.invoke(app, [*base, "import", "codebook", str(out), "--out", "back.yaml"])
    assert result.exit_code == 0, result.output
    assert load_codebook(study.codebooks_dir / "back.yaml")["LIB-SHEL"].label["th"] == "ถูกกักในสถานคุ้มครอง"
    again = runner.invoke(app, [*base, "import", "codebook", str(out), "--out", "back.yaml"])
    assert again.exit_code != 0


def _foreign_qdc(codes: str) -> bytes:
    head = '<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0">'
    return f"{head}<Codes>{codes}</Codes></CodeBook>".encode()


def _code(guid: str, name: str, inner: str = "") -> str:
    return f'<Code guid="{guid}" name="{name}" isCodable="true">{inner}</Code>'


MESSY = (_code("r1", "1. OLT - S/T - PUSA", _code("a1", "Physical") + _code("a2", "Physical")
               + _code("a6", "Physical") + _code("a3", "1.1 OLT :: ทำร้ายร่างกาย")
               + _code("a4", "x" * 200) + _code("a5", "x" * 200))
         + _code("r2", "ทำร้ายร่างกาย", _code("b1", "Physical") + _code("b2", "?!&amp;") + _code("b3", "😀"))
         + _code("r3", "Gender::ผู้หญิง") + _code("r4", "Gender::Men"))


def _ids(tmp_path: Path, codes: str) -> dict[str, str]:
    (tmp_path / "x.qdc").write_bytes(_foreign_qdc(codes))
    return read_qdc(tmp_path / "x.qdc").guids


def test_exchange_qdc_code_ids_from_any_name(tmp_path: Path) -> None:
    from analysis.codebook.model import ID_RE

    _ids(tmp_path, MESSY)
    result = read_qdc(tmp_path / "x.qdc")
    book = parse_codebook(codebook_yaml(result.data), tmp_path / "x.yaml")  # valid, so it loads
    ids = [c.id for c in book]
    assert len(ids) == len(set(ids)) == 14 and all(ID_RE.match(i) and len(i) <= 45 for i in ids)
    guids = result.guids
    assert guids["r1"] == "C-1-OLT-S-T-PUSA" and guids["r2"] == "THAMRAYRANGKAY"
    assert guids["a1"] == "PHYSICAL" and guids["b1"] == "THAMRAYRANGKAY-PHYSICAL"  # parent's id in front
    assert guids["a2"] == "C-1-OLT-S-T-PUSA-PHYSICAL"
    assert guids["a6"].startswith("C-1-OLT-S-T-PUSA-PHYSICAL-")  # a third twin: its GUID's digest
    assert guids["a3"] == "C-1-1-OLT-THAMRAYRANGKAY"
    assert guids["a4"] != guids["a5"] and len(guids["a4"]) <= 45
    assert guids["b2"].startswith("CODE-") and guids["b3"].startswith("CODE-")
    assert book["THAMRAYRANGKAY"].label == {"th": "ทำร้ายร่างกาย", "en": "ทำร้ายร่างกาย"}
    assert book["C-1-OLT-S-T-PUSA"].label["en"] == "1. OLT - S/T - PUSA"
    women = guids["r3"]
    assert book[women].label["th"] == "ผู้หญิง" and book[book[women].parent].label["en"] == "Gender"
    assert any("no English label" in n for n in result.notes)
    assert any("no Thai label" in n for n in result.notes)
    assert any(n.startswith("14 code id(s) made from") and "→ GENDER" in n for n in result.notes)


def test_exchange_qdc_code_ids_are_stable(tmp_path: Path) -> None:
    first = _ids(tmp_path, MESSY)
    assert _ids(tmp_path, MESSY) == first  # the same file twice
    added = MESSY.replace('name="Physical">', 'name="Physical">' + _code("n1", "Psychological"), 1)
    added = _code("n0", "0. New right") + added + _code("n2", "Physical") + _code("n3", "ทำร้ายร่างกาย")
    again = _ids(tmp_path, added)
    assert {g: again[g] for g in first} == first  # codes added before, inside and after: no id moved
    assert len(set(again.values())) == len(again)
