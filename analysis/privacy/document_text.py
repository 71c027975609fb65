"""Readers of single documents for the leak guard: PDF pages, RTF text, notebooks and JSON strings.

Each returns ``Piece``s (a text, where in the file it comes from, the number of its first line).
Archives (DOCX, XLSX, ODT, zips) are read by ``analysis.privacy.file_text``, which calls these.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Piece:
    """A text read from a file; ``part`` says where ("" for the main text), ``first`` is the number of
    its first line (paragraph, row or page)."""

    text: str
    part: str = ""
    first: int = 1


def pdf_pieces(data: bytes) -> Iterator[Piece]:
    """Each page's text (its line is the page number), the comments on it, then the properties."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    for number, page in enumerate(reader.pages, 1):
        yield Piece((page.extract_text() or "").replace("\n", " "), "", number)
        notes = [str(note.get_object().get(key, "")) for note in page.get("/Annots") or []
                 for key in ("/Contents", "/T")]
        if any(notes):
            yield Piece(" ".join(n for n in notes if n), "comments", number)
    if reader.metadata:
        yield Piece("\n".join(str(v) for v in reader.metadata.values()), "document properties")


_RTF_TOKEN = re.compile(r"\\([a-zA-Z]+)(-?\d+)? ?|\\'([0-9a-fA-F]{2})|\\([^a-zA-Z])|([{}])|[\r\n]+"
                        r"|([^\\{}\r\n]+)")
_RTF_SKIP = {"fonttbl", "colortbl", "stylesheet", "listtable", "listoverridetable", "pict", "themedata",
             "colorschememapping", "datastore", "latentstyles", "rsidtbl", "generator", "xmlnstbl", "mmathPr",
             "pgdsctbl", "objdata", "blipuid", "wgrffmtfilter", "fchars", "lchars", "passwordhash", "panose",
             "nonshppict", "defchp", "defpap"}
_RTF_WORDS = {"par": "\n", "line": "\n", "sect": "\n", "page": "\n", "row": "\n", "cell": " | ", "tab": "\t",
              "emdash": "—", "endash": "–", "lquote": "‘", "rquote": "’", "ldblquote": "“", "rdblquote": "”",
              "emspace": " ", "enspace": " ", "qmspace": " "}
_RTF_SYMBOLS = {"~": " ", "_": "-", "-": "", "\\": "\\", "{": "{", "}": "}", "\n": "\n", "\r": "\n"}


def rtf_text(data: bytes) -> str:
    """The text of an RTF document: its words, ``\\'hh`` bytes in its code page, ``\\uN`` characters,
    and its information group (author, title); not its fonts, styles, colours or pictures."""
    raw = data.decode("latin-1")
    page = re.search(r"\\ansicpg(\d+)", raw)
    encoding = f"cp{page.group(1)}" if page else "cp1252"
    try:
        codecs.lookup(encoding)
    except LookupError:
        encoding = "cp1252"
    out: list[str] = []
    pending = bytearray()  # \'hh bytes decode together (a code page may use two bytes a character)
    stack: list[tuple[bool, int]] = []
    skip, uc, fallback, inside = False, 1, 0, 0  # inside: how deep in the information group

    def flush() -> None:
        if pending and not skip:
            out.append(pending.decode(encoding, errors="replace"))
        pending.clear()

    for match in _RTF_TOKEN.finditer(raw):
        word, arg, hexbyte, symbol, brace, text = match.groups()
        if hexbyte:
            if fallback:
                fallback -= 1
            else:
                pending.append(int(hexbyte, 16))
            continue
        flush()
        if brace == "{":
            stack.append((skip, uc))
            inside += bool(inside)
        elif brace == "}":
            skip, uc = stack.pop() if stack else (False, 1)
            out.append("\n" if inside == 2 else "")  # each field of the information group a line
            inside -= bool(inside)
        elif word:
            skip, uc, fallback = _rtf_word(word, arg, out, skip, uc, fallback)
            inside = inside or int(word == "info")
        elif symbol and not skip:
            out.append(_RTF_SYMBOLS.get(symbol, ""))
        elif text and not skip:
            cut = min(fallback, len(text))
            out.append(text[cut:])
            fallback -= cut
    flush()
    return "".join(out).encode("utf-16", "surrogatepass").decode("utf-16", errors="replace")


def _rtf_word(word: str, arg: str | None, out: list[str], skip: bool, uc: int,
              fallback: int) -> tuple[bool, int, int]:
    """Apply one RTF control word; returns the new (skip, uc, fallback)."""
    if word in _RTF_SKIP:
        return True, uc, fallback
    if word == "uc" and arg:
        return skip, int(arg), fallback
    if word == "u" and arg:
        if not skip:
            out.append(chr(int(arg) % 65536))
        return skip, uc, uc
    if not skip and word in _RTF_WORDS:
        out.append(_RTF_WORDS[word])
    return skip, uc, fallback


DATA_URI = re.compile(r"data:[\w/+.-]+(?:;[\w.=-]+)*;base64,[A-Za-z0-9+/=]+")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_BINARY_KEYS = ("image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "attachments")


def notebook_pieces(notebook: dict) -> Iterator[Piece]:
    """Every cell's source and every output of every type (streams, results, displays, errors with
    their name, value and traceback), then the metadata; not base64 pictures."""
    for number, cell in enumerate(notebook.get("cells", []), 1):
        yield Piece(_joined(cell.get("source", "")), f"cell {number}")
        for output in cell.get("outputs", []):
            yield Piece(_ANSI.sub("", "\n".join(json_strings(output))), f"cell {number} output")
        metadata = "\n".join(json_strings(cell.get("metadata", {})))
        if metadata:
            yield Piece(metadata, f"cell {number} metadata")
    yield Piece("\n".join(json_strings(notebook.get("metadata", {}))), "notebook metadata")


def _joined(value: object) -> str:
    """A notebook string, stored whole or as a list of lines."""
    if isinstance(value, list):
        return "".join(s if s.endswith("\n") else s + "\n" for s in value if isinstance(s, str))
    return value if isinstance(value, str) else ""


def json_strings(value: object) -> Iterator[str]:
    """Every string in a JSON value (lists of lines joined), except base64 pictures."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        yield _joined(value)
    elif isinstance(value, list):
        for item in value:
            yield from json_strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in _BINARY_KEYS:
                yield from json_strings(item)
