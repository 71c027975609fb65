"""The leak guard reads every file whatever its name, and reports what it cannot read."""

import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from analysis.privacy.file_text import read_file_text, rtf_text
from analysis.privacy.leak_guard import check_privacy, privacy_files, scan_file
from conftest import REPO

PHONE = "081-234-5678"
MASKED = "08…78"
TRANSCRIPT = f"---\nid: CM-02\n---\n\nR: ฉันอยู่เชียงใหม่ โทร {PHONE} ได้เลย\n"


def _one_phone(path: Path, part: str = "") -> None:
    """``path`` has exactly the planted phone, masked, in ``part``; and it could be read."""
    leaks = scan_file(path)
    assert [leak.what for leak in leaks] == [f"a phone number ({MASKED})" + (f" in {part}" if part else "")]
    assert PHONE not in leaks[0].message and leaks[0].path == path


def _swap_file(text: str) -> bytes:
    """Something shaped like a vim swap file: a binary header, then text lines between NUL bytes."""
    header = b"b0VIM 9.0\0" + bytes(range(1, 40)) + b"\0" * 900 + b"nok\0" + b"\0" * 100
    return header + b"\0".join(line.encode("utf-8") for line in reversed(text.splitlines())) + b"\0" * 500


@pytest.mark.parametrize("name", ["CM-02.md.bak", "CM-02.md~", "CM-02.md.orig", "CM-02.md.tmp", ".notes",
                                  "CM-02.md.bak.lock", "CM-02"])
def test_leak_guard_reads_backups_and_dotfiles(tmp_path, name) -> None:
    path = tmp_path / name
    path.write_text(TRANSCRIPT, encoding="utf-8")
    _one_phone(path)
    assert scan_file(path)[0].line == 5


def test_leak_guard_reads_the_text_inside_a_vim_swap_file(tmp_path) -> None:
    path = tmp_path / ".CM-02.md.swp"
    path.write_bytes(_swap_file(TRANSCRIPT))
    _one_phone(path)


@pytest.mark.parametrize(("encoding", "bom"), [("utf-16-le", b"\xff\xfe"), ("cp874", b""), ("latin-1", b"")])
def test_leak_guard_decodes_other_encodings(tmp_path, encoding, bom) -> None:
    text = TRANSCRIPT if encoding != "latin-1" else f"R: café, call {PHONE}\n"
    path = tmp_path / "notes.txt"
    path.write_bytes(bom + text.encode(encoding))
    _one_phone(path)
    if encoding != "latin-1":  # Thai read back as Thai: key originals in Thai are found
        assert scan_file(path, ["เชียงใหม่"])[0].what.startswith("an identifier from the key")


def test_leak_guard_reads_rtf_text_and_information_not_its_fonts_or_pictures(tmp_path) -> None:
    thai = "".join(f"\\'{b:02x}" for b in "มาลัย".encode("cp874"))
    rtf = ("{\\rtf1\\ansi\\ansicpg874{\\fonttbl{\\f0 Angsana 0812345679;}}{\\info{\\author Somchai Jaidee}}"
           "{\\*\\generator Riched20}{\\pict\\pngblip 0899999999}"
           f"\\pard R: {thai} \\u3666?\\u3667? call 081-\\par\n234-5678\\par}}")
    assert rtf_text(rtf.encode("latin-1")) == "Somchai Jaidee\nR: มาลัย ๒๓ call 081-\n234-5678\n"
    path = tmp_path / "CM-02.rtf"
    path.write_text(rtf, encoding="latin-1")
    leaks = scan_file(path, ["Somchai Jaidee", "มาลัย"])
    kinds = [leak.what.split(" (")[0] for leak in leaks]
    assert kinds == ["an identifier from the key"] * 2 + ["a phone number"]


def _odt(path: Path, body: str, footer: str, creator: str) -> Path:
    """A minimal OpenDocument text: body in content.xml, a footer in styles.xml, the author in meta.xml."""
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
          'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/"')
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", f"<office:document-content {ns}><office:body><office:text>"
                                        f"<text:p>clean</text:p><text:p>{body}</text:p>"
                                        "</office:text></office:body></office:document-content>")
        archive.writestr("styles.xml", f"<office:document-styles {ns}><office:master-styles>"
                                       f"<style:master-page><style:footer><text:p>{footer}</text:p></style:footer>"
                                       "</style:master-page></office:master-styles></office:document-styles>")
        archive.writestr("meta.xml", f"<office:document-meta {ns}><office:meta><meta:initial-creator>"
                                     f"{creator}</meta:initial-creator></office:meta></office:document-meta>")
    return path


def test_leak_guard_reads_odt_body_footer_and_author(tmp_path) -> None:
    body = 'R: call <text:span>081</text:span>-234-<text:s text:c="1"/>5678'.replace("-<text:s", "<text:s")
    path = _odt(tmp_path / "CM-02.odt.bak", body, "nok@example.org", "Somchai Jaidee")
    leaks = scan_file(path, ["Somchai Jaidee"])
    assert [(leak.line, leak.what) for leak in leaks] == [
        (2, "a phone number (08…78)"), (1, "an e-mail address (no…rg) in headers, footers and styles"),
        (1, "an identifier from the key (So…ee) in document properties")]


def _docx(path: Path) -> Path:
    """A DOCX whose body is clean but whose header, footer, comment and properties are not."""
    from docx import Document

    document = Document()
    paragraph = document.add_paragraph("R: nothing to see here")
    document.sections[0].header.paragraphs[0].text = f"Interview with {PHONE}"
    document.sections[0].footer.paragraphs[0].text = "typed by nok@example.org"
    document.add_comment(paragraph.runs, text="her number is 089 765 4321", author="Malai Srisuk",
                         initials="MS")
    document.core_properties.author = "Somchai Jaidee"
    document.core_properties.last_modified_by = "Malai Srisuk"
    document.save(str(path))
    return path


def test_leak_guard_reads_docx_headers_footers_comments_and_properties(tmp_path) -> None:
    leaks = scan_file(_docx(tmp_path / "CM-02.docx"), ["Somchai Jaidee", "Malai Srisuk"])
    found = {leak.what for leak in leaks}
    assert {"a phone number (08…78) in header", "an e-mail address (no…rg) in footer",
            "a phone number (08…21) in comments", "an identifier from the key (So…ee) in document properties",
            "an identifier from the key (Ma…uk) in document properties",
            "an identifier from the key (Ma…uk) in authors of comments and changes"} <= found
    assert not any(leak.what.endswith(")") for leak in leaks)  # nothing found in the clean body


def test_leak_guard_reads_deleted_text_of_a_docx(tmp_path) -> None:
    path = _docx(tmp_path / "CM-02.docx")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(tmp_path / "tracked.docx", "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "word/document.xml":
                deleted = f'<w:del w:author="S"><w:r><w:delText> {PHONE}</w:delText></w:r></w:del>'
                data = data.replace(b"</w:p>", f"{deleted}</w:p>".encode(), 1)
            target.writestr(name, data)
    leaks = scan_file(tmp_path / "tracked.docx", ["Somchai Jaidee"])
    assert "a phone number (08…78)" in {leak.what for leak in leaks}  # in the body, though deleted


def test_leak_guard_decodes_escaped_json_lines(tmp_path) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text(f'{json.dumps({"memo": "ชื่อมาลัย"})}\n{json.dumps({"memo": "ok"})}\n', encoding="utf-8")
    assert "\\u0e21" in path.read_text(encoding="utf-8")
    assert [leak.what for leak in scan_file(path, ["มาลัย"])] == [
        "an identifier from the key (ม…) in decoded JSON strings"]


def test_leak_guard_reads_a_docx_backup_by_its_content(tmp_path) -> None:
    path = _docx(tmp_path / "CM-02.docx")
    path.rename(tmp_path / "CM-02.docx~")
    assert any("in header" in leak.what for leak in scan_file(tmp_path / "CM-02.docx~"))


def test_leak_guard_reads_every_sheet_and_the_comments_of_a_workbook(tmp_path) -> None:
    from openpyxl import Workbook
    from openpyxl.comments import Comment

    workbook = Workbook()
    workbook.active["A1"] = "clean"
    workbook.active["A1"].comment = Comment(f"call {PHONE}", "Malai")
    workbook.create_sheet("second")["B3"] = "nok@example.org"
    workbook.save(tmp_path / "tables.xlsx")
    leaks = scan_file(tmp_path / "tables.xlsx")
    assert {(leak.line, leak.what) for leak in leaks} == {
        (2, "a phone number (08…78) in comments"), (3, "an e-mail address (no…rg) in sheet 'second'")}


def _notebook(outputs: list[dict]) -> str:
    cell = {"cell_type": "code", "source": ["x = 1\n", "x"], "outputs": outputs, "execution_count": 1,
            "metadata": {}}
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


@pytest.mark.parametrize("output", [
    {"output_type": "error", "ename": "ValueError", "evalue": f"no transcript for {PHONE}", "traceback": []},
    {"output_type": "error", "ename": "E", "evalue": "",
     "traceback": ["\x1b[0;31m---------\x1b[0m", f"\x1b[0;31mKeyError\x1b[0m: '{PHONE}'"]},
    {"output_type": "stream", "name": "stderr", "text": [f"warning {PHONE}\n"]},
    {"output_type": "display_data", "metadata": {}, "data": {"text/html": [f"<b>{PHONE}</b>"]}},
    {"output_type": "execute_result", "metadata": {}, "execution_count": 1, "data": {"text/plain": [PHONE]}},
])
def test_leak_guard_reads_every_kind_of_notebook_output(tmp_path, output) -> None:
    for name in ("a.ipynb", "a.ipynb~"):  # the backup is recognised by its content
        path = tmp_path / name
        path.write_text(_notebook([output]), encoding="utf-8")
        _one_phone(path, "cell 1 output")


def test_leak_guard_skips_pictures_in_notebooks_and_png_pixels(tmp_path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure()
    figure.text(0.5, 0.5, "clean")
    figure.savefig(tmp_path / "figure.png", metadata={"Author": f"call {PHONE}"})
    _one_phone(tmp_path / "figure.png", "picture text")  # a PNG's text chunks are read, its pixels not
    picture = {"output_type": "display_data", "metadata": {}, "data": {"image/png": "MDgxMjM0NTY3OA==" * 500}}
    path = tmp_path / "a.ipynb"
    path.write_text(_notebook([picture]), encoding="utf-8")
    assert scan_file(path) == []


def test_leak_guard_matches_key_originals_normalised_and_on_word_boundaries(tmp_path) -> None:
    path = tmp_path / "notes.md"
    misordered = "ก\u0e48\u0e34งแก้ว"  # tone mark typed before the vowel
    path.write_text(f"Nokia phone. ที่เชียงใหม่\nmy name is nok. Zoe\u0308 and Somchai\nJaidee. "
                    f"{misordered}\nพี่ฝนบอกว่า\n", encoding="utf-8")
    leaks = scan_file(path, ["Nok", "ฝน", "ใหม่", "Zoë", "Somchai Jaidee", "กิ่งแก้ว", "Ann"])
    # Thai originals on token boundaries, as --apply replaces them: ใหม่ is not inside เชียงใหม่
    assert [(leak.line, leak.what) for leak in leaks] == [
        (2, "an identifier from the key (n…)"),
        (2, "an identifier from the key (Z…)"), (2, "an identifier from the key (So…ee)"),
        (3, "an identifier from the key (กิ…้ว)"), (4, "an identifier from the key (…)")]


def test_leak_guard_reports_what_it_cannot_read_and_scans_the_rest(make_study) -> None:
    study = make_study()
    folder = study.transcripts_dir
    (folder / "page.html").write_bytes(f"<html><body>caf\xe9 {PHONE}</body></html>".encode("latin-1"))
    (folder / "junk.docx").write_bytes(os.urandom(2000))
    (folder / "export.zip").write_text("not a zip at all", encoding="utf-8")
    (folder / "CM-02.md.bak").write_text(TRANSCRIPT, encoding="utf-8")
    leaks = check_privacy(study)
    messages = [leak.message for leak in leaks]
    for name in ("page.html", "junk.docx", "export.zip"):
        assert f"{folder / name}: could not be read (" in "\n".join(messages), name
    assert any(m.endswith("— open it and check it by hand, or delete it") for m in messages)
    assert f"{folder / 'CM-02.md.bak'}:5: a phone number ({MASKED})" in "\n".join(messages)
    assert f"{folder / 'page.html'}:1: a phone number" in "\n".join(messages)  # read as far as it could be
    assert not any(PHONE in m for m in messages)


@pytest.mark.parametrize("in_pool", [False, True])
def test_leak_guard_reports_a_leak_in_one_of_several_files_that_share_their_other_text(make_study,
                                                                                          in_pool) -> None:
    from concurrent.futures import ProcessPoolExecutor

    study = make_study()
    label = "สิทธิในการทำงาน / right to work\nLIB | 3 | <3\n"
    files = [study.outputs_dir / "figures" / lang / f"rights.{suffix}" for lang in ("th", "en")
             for suffix in ("csv", "txt", "md")]
    for path in files:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(label * 3, encoding="utf-8")
    leaky = files[4]  # the same labels as every other file, and one phone number more
    leaky.write_text(label + f"โทร {PHONE}\n" + label * 2, encoding="utf-8")
    twin = files[5]  # the leaky file's text twice over: the guard remembers hits, never files
    twin.write_text(leaky.read_text(encoding="utf-8"), encoding="utf-8")
    for _ in range(2):  # a second scan (texts all seen already) finds the same
        if in_pool:
            with ProcessPoolExecutor(2) as pool:
                leaks = check_privacy(study, files, pool=pool)
        else:
            leaks = check_privacy(study, files)
        assert [(leak.path, leak.line, leak.what) for leak in leaks] == [
            (leaky, 3, f"a phone number ({MASKED})"), (twin, 3, f"a phone number ({MASKED})")]


def test_leak_guard_scans_dotfiles_and_hidden_folders(make_study) -> None:
    study = make_study()
    checkpoints = study.root / "notebooks" / ".ipynb_checkpoints"
    checkpoints.mkdir(parents=True)
    (checkpoints / "a-checkpoint.ipynb").write_text(_notebook([]), encoding="utf-8")
    (study.codings_dir / ".nok.lock").write_text("", encoding="utf-8")
    names = {p.name for p in privacy_files(study)}
    assert {"a-checkpoint.ipynb", ".nok.lock"} <= names


def test_leak_guard_passes_clean_outputs(tmp_path) -> None:
    import pandas as pd
    from docx import Document

    document = Document()
    document.add_paragraph("R: The police took me to a shelter for two months.")
    document.save(str(tmp_path / "quotes.docx"))
    pd.DataFrame({"n": [1, 20, 300], "when": ["2024-01-05", "2024-02-11", "12:30"]}).to_excel(
        tmp_path / "tables.xlsx", index=False)
    for path in tmp_path.iterdir():
        assert read_file_text(path).problem == "" and scan_file(path) == [], path.name


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=folder,
                          capture_output=True, text=True)


def test_git_hook_refuses_a_staged_backup_with_a_phone(tmp_path) -> None:
    from analysis.privacy.git_hook import install

    _git(tmp_path, "init", "-q")
    install(tmp_path)
    (tmp_path / "CM-02.md.bak").write_text(TRANSCRIPT, encoding="utf-8")
    _git(tmp_path, "add", "CM-02.md.bak")
    refused = _git(tmp_path, "commit", "-qm", "x")
    assert refused.returncode != 0 and f"CM-02.md.bak:5: a phone number ({MASKED})" in refused.stderr
    assert PHONE not in refused.stderr
    _git(tmp_path, "rm", "-q", "--cached", "CM-02.md.bak")
    (tmp_path / "junk.docx").write_bytes(b"\x00\x01 not a document")
    _git(tmp_path, "add", "junk.docx")
    refused = _git(tmp_path, "commit", "-qm", "x")
    assert refused.returncode != 0 and "junk.docx: could not be read" in refused.stderr


def test_check_privacy_exits_1_through_the_console_script(make_study, tmp_path) -> None:
    study = make_study()
    script = REPO / ".venv" / "bin" / "sitthi"
    env = {**os.environ, "SITTHI_SECRETS": str(tmp_path / "secrets")}

    def check() -> subprocess.CompletedProcess:
        return subprocess.run([str(script), "check", "--privacy", "--study", str(study.root)], env=env,
                              capture_output=True, text=True, timeout=300)

    assert check().returncode == 0
    (study.transcripts_dir / "CM-02.md~").write_text(TRANSCRIPT, encoding="utf-8")
    done = check()
    assert done.returncode == 1 and "CM-02.md~:5: a phone number (08…78)" in done.stderr
    assert PHONE not in done.stderr + done.stdout
