"""Turning transcript files into text: encoding detection for plain text, paragraphs for .docx.

Thai files from older Windows machines are often TIS-620 / cp874, Word's "Unicode" text is
UTF-16 with a byte-order mark, and Notepad adds a BOM to UTF-8. We detect these and say which.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from analysis.errors import SitthiError, TranscriptError
from analysis.text.script import THAI_BLOCK, THAI_MARKS

UTF8 = "UTF-8"
UTF8_BOM = "UTF-8 with BOM"
UTF16_BOM = "UTF-16 with BOM"
TIS620 = "TIS-620 / cp874"
DOCX = "Word .docx"

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig", UTF8_BOM),
    (b"\xff\xfe", "utf-16", UTF16_BOM),
    (b"\xfe\xff", "utf-16", UTF16_BOM),
)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")  # controls other than tab, LF, FF, CR
_ASCII_RE = re.compile(r"[\x00-\x7f]+")
_DROP_THAI = dict.fromkeys(range(ord(THAI_BLOCK[0]), ord(THAI_BLOCK[1]) + 1))
_MARK_OFF_THAI_RE = re.compile(f"[^{THAI_BLOCK[0]}-{THAI_BLOCK[1]}][{''.join(sorted(THAI_MARKS))}]")
SAVE_AS_UTF8 = "save the file as UTF-8 text (in Notepad: Save As, Encoding: UTF-8)"


def decode_bytes(data: bytes, path: Path) -> tuple[str, str]:
    """Decode the bytes of a text file; return ``(text, encoding name)``.

    Tries, in order: a byte-order mark (UTF-8, UTF-16), strict UTF-8, then TIS-620 / cp874 when
    the result is mostly Thai. Anything else (binary files, other encodings) is refused.
    """
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(codec), path), name
            except UnicodeDecodeError:
                raise TranscriptError(f"starts with a {name.split(' with')[0]} byte-order mark but "
                                      "is not valid in that encoding", path=path, line=1,
                                      fix=SAVE_AS_UTF8) from None
    if b"\x00" in data:
        raise TranscriptError("looks like a binary file (it contains NUL bytes), not text", path=path,
                              line=data.count(b"\n", 0, data.index(b"\x00")) + 1,
                              fix="export the transcript as .docx, .md or UTF-8 .txt")
    try:
        return _checked(data.decode("utf-8"), path), UTF8
    except UnicodeDecodeError as err:
        bad_line = data.count(b"\n", 0, err.start) + 1
    try:
        text = data.decode("cp874")
    except UnicodeDecodeError:
        text = None
    if text is not None and _plausible_thai(text):
        return _checked(text, path), TIS620
    raise TranscriptError("unknown text encoding: neither UTF-8, UTF-16 nor Thai TIS-620", path=path,
                          line=bad_line, fix=SAVE_AS_UTF8)


def _plausible_thai(text: str) -> bool:
    """True when ``text`` reads as Thai: most non-ASCII characters are Thai and every Thai vowel
    or tone mark sits on a Thai letter (Latin-1 accents misread as TIS-620 land on Latin letters)."""
    non_ascii = len(_ASCII_RE.sub("", text))
    thai = len(text) - len(text.translate(_DROP_THAI))
    if not non_ascii or thai / non_ascii < 0.9:
        return False
    return _MARK_OFF_THAI_RE.search(text) is None


def _checked(text: str, path: Path) -> str:
    """Refuse text with control characters: a sign of a binary or damaged file."""
    junk = _CONTROL_RE.search(text)
    if junk:
        raise TranscriptError("contains control characters: binary or damaged file", path=path,
                              line=text.count("\n", 0, junk.start()) + 1,
                              fix="open it in an editor, remove the junk, save as UTF-8")
    return text


def docx_text(data: bytes, path: Path) -> str:
    """Text of a Word document: one line per paragraph, a blank line between body paragraphs.

    The front matter (``---`` ... ``---`` paragraphs at the top) stays one line per paragraph, so
    it reads exactly like the front matter of a ``.md`` file.
    """
    import docx  # python-docx; imported here because only .docx files need it

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as err:  # any failure to parse is a problem of the file, not of Sitthi
        raise TranscriptError(f"not a readable Word document ({type(err).__name__})", path=path,
                              fix="open it in Word or LibreOffice and save it again as .docx") from None
    paragraphs = [p.text for p in document.paragraphs]
    head: list[str] = []
    if paragraphs and paragraphs[0].strip() == "---":
        closing = next((i for i in range(1, len(paragraphs)) if paragraphs[i].strip() == "---"), None)
        if closing is not None:
            head, paragraphs = paragraphs[: closing + 1], paragraphs[closing + 1:]
    body = [p for p in paragraphs if p.strip()]
    return "\n".join(head + [""]) + "\n\n".join(body) + "\n"


def read_file_bytes(path: Path, error: type[SitthiError] = TranscriptError) -> bytes:
    """The bytes of ``path``; a file that cannot be read is an ``error`` naming it, in one line."""
    try:
        return path.read_bytes()
    except OSError as err:
        raise error(f"cannot be read ({err.strerror})", path=path,
                    fix="check that the file exists and you may read it") from None


def read_text_file(path: Path) -> tuple[str, str]:
    """Read a transcript file (``.md``, ``.txt`` or ``.docx``); return ``(text, encoding name)``."""
    data = read_file_bytes(path)
    if path.suffix.lower() == ".docx":
        return docx_text(data, path), DOCX
    return decode_bytes(data, path)
