"""The leak guard: no key original, ID number, phone number or e-mail address in what can leave.

``sitthi check --privacy`` scans the transcripts, the codings (memos and quotes), every file in
``outputs/`` (HTML, DOCX, CSV, XLSX, SVG, PDF text, JSON, REFI-QDA ``.qdpx``) and the notebooks
(sources and outputs). Each finding names ``file:line`` (for DOCX the paragraph, for XLSX the row, for
PDF the page, for a ``.qdpx`` the text line counted through its members in name order).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd

from analysis.errors import SitthiError
from analysis.privacy.pii import numbers_and_addresses
from analysis.study import Study

TEXT_SUFFIXES = {".md", ".txt", ".csv", ".tsv", ".json", ".jsonl", ".yaml", ".toml"}


class LeakError(SitthiError):
    """Something identifying was found where it must never be."""


def _lines_docx(path: Path) -> Iterator[str]:
    from docx import Document

    document = Document(str(path))
    yield from (p.text for p in document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            yield " | ".join(cell.text for cell in row.cells)


def _lines_xlsx(path: Path) -> Iterator[str]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            yield " | ".join("" if v is None else str(v) for v in row)


def _lines_pdf(path: Path) -> Iterator[str]:
    from pypdf import PdfReader

    for page in PdfReader(str(path)).pages:
        yield (page.extract_text() or "").replace("\n", " ")


def _lines_svg(path: Path) -> Iterator[str]:
    """Only the words of a drawing: path data is full of numbers that look like phone numbers."""
    from lxml import etree

    yield from (t.strip() for t in etree.parse(str(path)).getroot().itertext() if t.strip())


def _lines_html(path: Path) -> Iterator[str]:
    """Lines of a page without its embedded pictures and fonts (base64 is not text)."""
    text = re.sub(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+", "data:…", path.read_text(encoding="utf-8"))
    yield from text.splitlines()


def _lines_qdpx(path: Path) -> Iterator[str]:
    """The words of a REFI-QDA project: the texts, notes and values of its ``.qde`` (not its GUIDs,
    which look like numbers), then every source text, member by member."""
    import zipfile

    from lxml import etree

    with zipfile.ZipFile(path) as archive:
        for name in sorted(archive.namelist()):
            if name.lower().endswith(".qde"):
                parser = etree.XMLParser(resolve_entities=False, huge_tree=True)
                root = etree.fromstring(archive.read(name), parser)
                yield from (t.strip() for t in root.itertext() if t.strip())
            elif name.lower().endswith(".txt"):
                yield from archive.read(name).decode("utf-8", errors="replace").splitlines()


def _lines_notebook(path: Path) -> Iterator[str]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook.get("cells", []):
        yield "".join(cell.get("source", []))
        for output in cell.get("outputs", []):
            yield "".join(output.get("text", []))
            for value in output.get("data", {}).values():
                yield value if isinstance(value, str) else "".join(value) if isinstance(value, list) else ""


def lines_of(path: Path) -> Iterator[str]:
    """The readable text of a file, one "line" at a time (paragraph, row, page or cell)."""
    suffix = path.suffix.lower()
    readers = {".docx": _lines_docx, ".xlsx": _lines_xlsx, ".pdf": _lines_pdf, ".ipynb": _lines_notebook,
               ".svg": _lines_svg, ".html": _lines_html, ".htm": _lines_html, ".qdpx": _lines_qdpx}
    if suffix in readers:
        yield from readers[suffix](path)
    elif suffix in TEXT_SUFFIXES:
        yield from path.read_text(encoding="utf-8", errors="replace").splitlines()


def scan_file(path: Path, originals: Iterable[str] = ()) -> list[LeakError]:
    """Every line of ``path`` holding a key original or an ID / phone / e-mail."""
    originals = [o for o in originals if o]
    found = []
    for number, line in enumerate(lines_of(path), 1):
        what = [o for o in originals if o in line] + [h.text for h in numbers_and_addresses(line)]
        if what:
            kind = "an identifier from the key" if what[0] in originals else "an ID, phone or e-mail"
            found.append(LeakError(f"{kind} ({_mask(what[0])})", path=path, line=number,
                                   fix="remove it (anonymise the source, or delete this output)"))
    return found


def _mask(text: str) -> str:
    """Enough of a finding to locate it, never the whole of it."""
    return text[:2] + "…" if len(text) > 3 else "…"


def privacy_files(study: Study) -> list[Path]:
    """What the guard scans: transcripts, codings, outputs and the notebooks next to the study."""
    files = []
    for folder in (study.transcripts_dir, study.codings_dir, study.outputs_dir, study.root / "notebooks"):
        if folder.is_dir():
            files += sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    return files


def key_originals(study: Study) -> list[str]:
    """The key's originals, if a key exists (the guard also runs in studies without one)."""
    from analysis.privacy.anonymise import KEY_FILE, read_key, secrets_folder

    return list(read_key(study)) if (secrets_folder(study) / KEY_FILE).is_file() else []


def check_privacy(study: Study, files: list[Path] | None = None) -> list[LeakError]:
    """Leaks in ``files`` (default: ``privacy_files``)."""
    originals = key_originals(study)
    return [leak for path in (privacy_files(study) if files is None else files)
            for leak in scan_file(path, originals)]


def privacy_report(study: Study) -> pd.DataFrame | str:
    """The leak guard's findings as a table (file, line, what), or a sentence saying all is well."""
    leaks = check_privacy(study)
    if not leaks:
        return "OK: nothing identifying found. / ไม่พบข้อมูลที่ระบุตัวตน"
    return pd.DataFrame([{"file": str(leak.path), "line": leak.line, "what": leak.what} for leak in leaks])
