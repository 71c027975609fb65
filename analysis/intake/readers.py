"""Interviews as people have them → their paragraphs (or subtitle cues) in document order.

One reader per format, each with the ecosystem's library: ``.txt``/``.md`` (any encoding
``decode_bytes`` knows), ``.docx`` (python-docx: paragraphs and tables in order; headers and
footers only noted), ``.odt`` (odfdo), ``.rtf`` (striprtf), ``.pdf`` with a text layer (pypdf; line
breaks that are only the page width re-joined), ``.srt`` (pysrt) and ``.vtt`` (webvtt-py).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import SitthiError
from analysis.intake.speakers import is_dropped_line, join_wrapped, starts_turn
from analysis.text.reading import decode_bytes, read_file_bytes

_TAG_RE = re.compile(r"</?[a-zA-Z][^>]*>")  # <i>, <b>, <font ...> in subtitles
_RTF_CODEPAGE_RE = re.compile(rb"\\ansicpg(\d+)")
FULL_LINE = 0.8  # a PDF line this share of the longest line's length runs on into the next


class IntakeError(SitthiError):
    """A file that cannot be added as a raw transcript."""


@dataclass(frozen=True)
class Block:
    """A paragraph of a document (lines kept), or one subtitle cue with its voice if it has one."""

    text: str
    speaker: str | None = None


@dataclass
class Document:
    """What a reader found: blocks in order, whether they are timed cues, and notes for the table."""

    blocks: list[Block]
    kind: str
    timed: bool = False
    dropped: int = 0  # page-number lines a reader removed itself (PDF)
    notes: list[str] = field(default_factory=list)


def text_blocks(text: str) -> list[Block]:
    """Paragraphs of plain text: blank-line separated when there are blank lines, else one a line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if re.search(r"\n[ \t\f]*\n", text.strip()):
        parts = re.split(r"\n[ \t\f]*\n", text)
    else:
        parts = text.split("\n")
    return [Block(part.strip("\n")) for part in parts if part.strip()]


def _refuse_front_matter(text: str, path: Path) -> None:
    if text.lstrip("\ufeff").startswith("---\n"):
        raise IntakeError("already starts with front matter: it is a raw transcript", path=path, line=1,
                          fix="copy it into data/raw/ as it is instead of adding it")


def read_plain(data: bytes, path: Path) -> Document:
    text, encoding = decode_bytes(data, path)
    _refuse_front_matter(text, path)
    return Document(text_blocks(text), f"text ({encoding})")


def _docx_row(cells: list[str]) -> str:
    """A table row as one paragraph: ``label: text`` for two cells, else the cells in order."""
    cells = [c.strip() for c in cells if c.strip()]
    if len(cells) == 2 and "\n" not in cells[0] and len(cells[0]) <= 30:
        return f"{cells[0]}: {cells[1]}"
    return " ".join(cells)


def read_docx(data: bytes, path: Path) -> Document:
    """Body paragraphs and table rows in document order; headers and footers only counted."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as err:  # any failure to parse is a problem of the file
        raise IntakeError(f"not a readable Word document ({type(err).__name__})", path=path,
                          fix="open it in Word or LibreOffice and save it again as .docx") from None
    blocks = []
    for element in document.element.body.iterchildren():
        if element.tag.endswith("}p"):
            blocks.append(Block(Paragraph(element, document).text))
        elif element.tag.endswith("}tbl"):
            for row in Table(element, document).rows:
                unique = list({id(cell._tc): cell.text for cell in row.cells}.values())  # merged cells once
                blocks.append(Block(_docx_row(unique)))
    left_out = {p.text.strip() for section in document.sections
                for part in (section.header, section.footer) if not part.is_linked_to_previous
                for p in part.paragraphs if p.text.strip()}
    notes = [f"{len(left_out)} header/footer line(s) left out"] if left_out else []
    return Document([b for b in blocks if b.text.strip()], "Word .docx", notes=notes)


def _odt_blocks(element) -> list[Block]:
    tag = element.tag
    if tag in ("text:p", "text:h"):
        return [Block(str(element).strip("\n"))]
    if tag == "table:table":
        return [Block(_docx_row([str(v) for v in row if v is not None])) for row in element.get_values()]
    return [block for child in element.children for block in _odt_blocks(child)]


def read_odt(data: bytes, path: Path) -> Document:
    from odfdo import Document as OdfDocument

    try:
        document = OdfDocument(io.BytesIO(data))
        body = document.body
    except Exception as err:  # any failure to parse is a problem of the file
        raise IntakeError(f"not a readable OpenDocument text ({type(err).__name__})", path=path,
                          fix="open it in LibreOffice and save it again as .odt") from None
    return Document([b for b in _odt_blocks(body) if b.text.strip()], "OpenDocument .odt")


def read_rtf(data: bytes, path: Path) -> Document:
    """RTF through striprtf, ``\\'xx`` bytes in the file's own code page (``\\ansicpg874`` for Thai)."""
    from striprtf.striprtf import rtf_to_text

    if not data.lstrip().startswith(b"{\\rtf"):
        raise IntakeError("not an RTF file (it does not start with '{\\rtf')", path=path,
                          fix="save it again as Rich Text Format (.rtf)")
    page = _RTF_CODEPAGE_RE.search(data)
    encoding = f"cp{page.group(1).decode()}" if page else "cp1252"
    try:
        text = rtf_to_text(data.decode("latin-1"), encoding=encoding, errors="replace")
    except Exception as err:  # striprtf gives up on broken files
        raise IntakeError(f"not a readable RTF file ({type(err).__name__})", path=path,
                          fix="open it in Word or LibreOffice and save it again as .rtf or .docx") from None
    return Document(text_blocks(text), "Rich Text .rtf")


def rejoin_lines(lines: list[str]) -> tuple[list[Block], int]:
    """PDF lines → paragraphs: a line nearly as long as the longest runs on into the next unless the
    next starts a speaker turn; a blank line or a short line ends a paragraph. Returns the joins made."""
    width = max((len(line) for line in lines), default=0)
    paragraphs: list[str] = []
    joins, runs_on = 0, False
    for line in lines:
        if not line.strip():
            runs_on = False
            continue
        if runs_on and not starts_turn(line):
            paragraphs[-1] = join_wrapped(paragraphs[-1], line.strip())
            joins += 1
        else:
            paragraphs.append(line.strip())
        runs_on = len(line.rstrip()) >= FULL_LINE * width
    return [Block(p) for p in paragraphs], joins


def read_pdf(data: bytes, path: Path) -> Document:
    from pypdf import PdfReader

    try:
        pages = [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]
    except Exception as err:  # encrypted, damaged
        raise IntakeError(f"not a readable PDF ({type(err).__name__})", path=path,
                          fix="save it again without a password, or add the .docx it came from") from None
    if not "".join(pages).strip():
        raise IntakeError("no text layer: run OCR first", path=path,
                          fix="e.g. `ocrmypdf -l tha+eng in.pdf out.pdf`, then add out.pdf")
    lines = [line for page in pages for line in page.split("\n")]
    kept = [line for line in lines if not is_dropped_line(line)]
    blocks, joins = rejoin_lines(kept)
    notes = [f"{joins} line break(s) of the page width re-joined"] if joins else []
    return Document(blocks, "PDF", dropped=len(lines) - len(kept), notes=notes)


def _cue_text(text: str) -> str:
    lines = [_TAG_RE.sub("", line).strip() for line in text.split("\n")]
    joined = ""
    for line in filter(None, lines):
        joined = join_wrapped(joined, line) if joined else line
    return joined


def read_srt(data: bytes, path: Path) -> Document:
    import pysrt

    text, _ = decode_bytes(data, path)
    try:
        cues = pysrt.from_string(text, error_handling=pysrt.ERROR_RAISE)
    except Exception as err:  # pysrt's own errors for a broken file
        raise IntakeError(f"not a readable SubRip file ({type(err).__name__})", path=path,
                          fix="export the subtitles again as .srt") from None
    return Document([Block(_cue_text(cue.text)) for cue in cues if cue.text.strip()], "SubRip .srt",
                    timed=True)


def read_vtt(data: bytes, path: Path) -> Document:
    import webvtt

    text, _ = decode_bytes(data, path)
    try:
        cues = webvtt.from_string(text)
    except Exception as err:  # webvtt's MalformedFileError and friends
        raise IntakeError(f"not a readable WebVTT file ({type(err).__name__})", path=path,
                          fix="export the captions again as .vtt") from None
    blocks = [Block(_cue_text(cue.text), getattr(cue, "voice", None) or None) for cue in cues]
    return Document([b for b in blocks if b.text], "WebVTT .vtt", timed=True)


READERS: dict[str, Callable[[bytes, Path], Document]] = {
    ".txt": read_plain, ".md": read_plain, ".text": read_plain, ".docx": read_docx, ".odt": read_odt,
    ".rtf": read_rtf, ".pdf": read_pdf, ".srt": read_srt, ".vtt": read_vtt,
}


def read_document(path: Path) -> Document:
    """The blocks of one file, read by its suffix (raises ``SitthiError`` naming the file)."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise IntakeError(f"cannot read '{path.suffix or 'no suffix'}' files", path=path,
                          fix=f"save it as one of: {', '.join(sorted(READERS))}")
    document = reader(read_file_bytes(path, IntakeError), path)
    if not document.blocks:
        raise IntakeError("no text found", path=path, fix="check that this is the typed-up interview")
    return document
