"""The text of any file, whatever its name: what the leak guard reads.

The kind of a file is decided by its content first (a ``.bak`` of a DOCX is a zip, a notebook saved as
``x.ipynb~`` is still JSON) and by its suffix second. Each reader returns ``Piece``s: a text, the part
of the file it comes from (a DOCX header, a notebook cell's output, a PDF page, a member of an
archive) and the number of its first line, so that a finding can say where it is.

A file that cannot be read as what it claims to be (a DOCX that is not a zip, an HTML page that is not
UTF-8) is not an error here: ``read_file_text`` says why in ``problem`` and still returns what could be
read from its bytes, so that nothing escapes the guard unread.
"""

from __future__ import annotations

import codecs
import html
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from analysis.privacy.document_text import (
    DATA_URI,
    Piece,
    json_strings,
    notebook_pieces,
    pdf_pieces,
    rtf_text,
)

_MAX_DEPTH = 3  # archives inside archives


@dataclass
class FileText:
    """What could be read from a file, and why it could not be read completely ("" if it could)."""

    pieces: list[Piece] = field(default_factory=list)
    problem: str = ""


class Unreadable(Exception):
    """A file is not what its name or its first bytes say it is."""


def read_file_text(path: Path) -> FileText:
    """Every text in ``path``; never raises: a file that cannot be read gets a ``problem``."""
    try:
        data = path.read_bytes()
    except OSError as error:
        return FileText(problem=f"{error.strerror or type(error).__name__}")
    try:
        return FileText(list(file_pieces(path.name, data)))
    except Exception as error:  # noqa: BLE001 - any parser may fail on a corrupt file: report, never crash
        return FileText([Piece(decode(data)[0])], problem=_reason(error))


def _reason(error: Exception) -> str:
    """Why a file could not be read, without quoting any of its content."""
    if isinstance(error, Unreadable):
        return str(error)
    known = {zipfile.BadZipFile: "a broken zip archive", json.JSONDecodeError: "broken JSON",
             UnicodeDecodeError: "not UTF-8 text", KeyError: "a part of it is missing"}
    for kind, reason in known.items():
        if isinstance(error, kind):
            return reason
    name = type(error).__name__
    return "broken XML" if name == "XMLSyntaxError" else f"{type(error).__module__.split('.')[0]} {name}"


# ---------------------------------------------------------------------------------------- by content
_ZIP_SUFFIXES = {".docx", ".docm", ".dotx", ".xlsx", ".xlsm", ".pptx", ".odt", ".ods", ".odp", ".qdpx",
                 ".qdc", ".zip"}
_EXPECTED = {**dict.fromkeys(_ZIP_SUFFIXES, "a zip archive"), ".pdf": "a PDF", ".rtf": "an RTF document"}
_PROLOGUE = r"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
_SVG_START = re.compile(_PROLOGUE + r"(?:<!DOCTYPE svg[^>]*>\s*)?<svg\b", re.S | re.I)
_HTML_START = re.compile(_PROLOGUE + r"<(?:!doctype html|html)\b", re.S | re.I)


def file_pieces(name: str, data: bytes, depth: int = 0) -> Iterator[Piece]:
    """The pieces of a file named ``name`` holding ``data``; raises on a file that cannot be read."""
    suffix = Path(name).suffix.lower()
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        yield from _zip_pieces(data, depth)
    elif data.startswith(b"%PDF-"):
        yield from pdf_pieces(data)
    elif data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf"):
        yield Piece(rtf_text(data))
    elif data.startswith(b"\x89PNG\r\n\x1a\n"):
        yield Piece("\n".join(png_texts(data)), "picture text")
    elif data.startswith(b"\xff\xd8\xff"):  # a JPEG's words (EXIF, XMP, comments) come before its pixels
        pixels = data.find(b"\xff\xda")
        yield Piece(printable_runs(data if pixels < 0 else data[:pixels]), "picture text")
    elif suffix in _EXPECTED:
        raise Unreadable(f"not {_EXPECTED[suffix]}, although its name says so")
    else:
        yield from _text_pieces(suffix, data)


def _text_pieces(suffix: str, data: bytes) -> Iterator[Piece]:
    text, encoding = decode(data)
    head = text[:2000]
    if suffix == ".ipynb" or (head.lstrip().startswith("{") and '"nbformat"' in text and '"cells"' in text):
        yield from notebook_pieces(json.loads(text))
    elif suffix == ".svg" or _SVG_START.match(head):
        yield Piece("\n".join(_xml_texts(text.encode("utf-8"))))
    elif suffix in (".html", ".htm", ".xhtml") or _HTML_START.match(head):
        if encoding not in ("utf-8", "utf-16", "utf-32"):
            raise Unreadable("an HTML page that is not UTF-8")
        yield Piece(html.unescape(DATA_URI.sub("data:…", text)))
    else:
        yield Piece(text)
        if "\\u" in text and text.lstrip()[:1] in ("{", "["):
            yield from _json_strings_piece(text)


def _json_strings_piece(text: str) -> Iterator[Piece]:
    """The strings of a JSON (or JSON lines) file written with ``\\uXXXX`` escapes (Thai hidden from a
    plain search)."""
    values = []
    for chunk in [text] if text.lstrip().startswith("[") else text.splitlines():
        try:
            values.append(json.loads(chunk))
        except ValueError:
            continue
    yield Piece("\n".join(json_strings(values)), "decoded JSON strings")


# ------------------------------------------------------------------------------------------ decoding
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
_UTF8_RUNS = re.compile(r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]{4,}")
_UTF16_RUNS = re.compile(r"[\t\n\r\x20-\x7e\u00a0-\u00ff\u0e00-\u0e7f\u2000-\u206f\uff01-\uff5e]{4,}")


def decode(data: bytes) -> tuple[str, str]:
    """``data`` as text and the encoding used: a BOM's, UTF-8, Thai Windows-874, Latin-1 for mostly
    printable bytes, else ("runs") the printable runs of a binary file (like ``strings``)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), encoding.removesuffix("-sig")
    if b"\0" not in data:
        text = data.decode("utf-8", errors="replace")
        if text.count("\ufffd") <= len(text) // 200:  # UTF-8, perhaps with a few damaged bytes
            return text, "utf-8"
        for encoding in ("cp874", "latin-1"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if len(_CONTROL.findall(text)) <= len(text) // 20:
                return text, encoding
    return printable_runs(data), "runs"


def printable_runs(data: bytes) -> str:
    """The runs of at least four printable characters in binary ``data`` (a vim swap file, an old
    Word file), read as UTF-8 and as UTF-16 (both byte alignments), one run a line."""
    runs = _UTF8_RUNS.findall(data.decode("utf-8", errors="replace"))
    if data.count(b"\0") > len(data) // 8:
        for start in (0, 1):
            chunk = data[start:len(data) - (len(data) - start) % 2]
            runs += _UTF16_RUNS.findall(chunk.decode("utf-16-le", errors="replace"))
    return "\n".join(run.strip("\r\n") for run in runs)


def png_texts(data: bytes) -> list[str]:
    """The text chunks of a PNG picture (its compressed pixels are noise, not text)."""
    import zlib

    texts, at = [], 8
    while at + 8 <= len(data):
        size, kind = int.from_bytes(data[at:at + 4], "big"), data[at + 4:at + 8]
        body = data[at + 8:at + 8 + size]
        at += 12 + size
        if kind == b"tEXt":
            texts.append(body.decode("latin-1").replace("\0", ": "))
        elif kind == b"zTXt":
            keyword, _, packed = body.partition(b"\0")
            texts.append(f"{keyword.decode('latin-1')}: {zlib.decompress(packed[1:]).decode('latin-1')}")
        elif kind == b"iTXt":
            keyword, _, rest = body.partition(b"\0")
            packed, rest = rest[0], rest[2:]
            text = rest.split(b"\0", 2)[-1]
            texts.append(f"{keyword.decode('latin-1')}: "
                         + (zlib.decompress(text) if packed else text).decode("utf-8", errors="replace"))
        elif kind == b"eXIf":
            texts.append(printable_runs(body))
    return texts


# ---------------------------------------------------------------------------------------------- XML
def _parse_xml(data: bytes):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    return etree.fromstring(data, parser)


def _xml_texts(data: bytes) -> list[str]:
    """The words of an XML document (its text nodes, not its attributes)."""
    return [t.strip() for t in _parse_xml(data).itertext() if t.strip()]


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _attributes(root, names: tuple[str, ...]) -> list[str]:
    """The values of the attributes called ``names`` (any namespace) anywhere under ``root``."""
    return [v for el in root.iter() for k, v in el.attrib.items() if _local(k) in names]


# ---------------------------------------------------------------------------------------------- zips
def _zip_pieces(data: bytes, depth: int) -> Iterator[Piece]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = [n for n in archive.namelist() if not n.endswith("/")]
        if "word/document.xml" in names:
            yield from _docx_pieces(archive, names)
        elif "xl/workbook.xml" in names:
            yield from _xlsx_pieces(archive, names, data)
        elif "content.xml" in names:
            yield from _odf_pieces(archive, names)
        else:
            yield from _members(archive, sorted(names), depth)
            return
        yield from _properties(archive, names)


def _members(archive: zipfile.ZipFile, names: list[str], depth: int) -> Iterator[Piece]:
    """Every member of an archive (a REFI-QDA project, a zip, a presentation), each by its content."""
    for name in names:
        data = archive.read(name)
        if name.lower().endswith((".xml", ".qde", ".qdc", ".rels")):
            yield Piece("\n".join(_xml_texts(data)), name)  # not GUIDs and offsets: they look like numbers
        elif depth < _MAX_DEPTH:
            yield from (Piece(p.text, f"{name}: {p.part}" if p.part else name, p.first)
                        for p in file_pieces(name, data, depth + 1))


_DOCX_PARTS = (("header", "header"), ("footer", "footer"), ("footnotes", "footnotes"),
               ("endnotes", "endnotes"), ("comments", "comments"), ("glossary", "building blocks"))


def _docx_pieces(archive: zipfile.ZipFile, names: list[str]) -> Iterator[Piece]:
    """Body, headers, footers, footnotes, endnotes and comments (deleted text and field codes too),
    then every author named in comments and tracked changes."""
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    parts = sorted((n for n in names if re.fullmatch(r"word/.+\.xml", n)),
                   key=lambda n: n != "word/document.xml")
    authors: set[str] = set()
    for name in parts:
        root = _parse_xml(archive.read(name))
        authors |= set(_attributes(root, ("author",)))
        paragraphs = root.xpath("//w:p[not(ancestor::w:p)]", namespaces={"w": w[1:-1]})
        if paragraphs:
            label = next((lab for key, lab in _DOCX_PARTS if key in name), "" if name == parts[0] else name)
            yield Piece("\n".join(_word_text(p, w) for p in paragraphs), label)
    if authors:
        yield Piece("\n".join(sorted(authors)), "authors of comments and changes")
    links = [el.get("Target", "") for n in names if re.fullmatch(r"word/_rels/.+\.rels", n)
             for el in _parse_xml(archive.read(n)).iter() if el.get("TargetMode") == "External"]
    if links:
        yield Piece("\n".join(links), "links")


def _word_text(paragraph, w: str) -> str:
    """A Word paragraph's text, text boxes inside it included."""
    texts = {w + "t", w + "delText", w + "instrText"}
    gaps = {w + "tab": "\t", w + "ptab": "\t", w + "br": " ", w + "cr": " ", w + "noBreakHyphen": "-"}
    return "".join((el.text or "") if el.tag in texts else gaps.get(el.tag, "") for el in paragraph.iter())


def _xlsx_pieces(archive: zipfile.ZipFile, names: list[str], data: bytes) -> Iterator[Piece]:
    """Every sheet (a row a line), then the comments and the people who wrote them."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        yield Piece("\n".join(workbook.sheetnames), "sheet names")
        for sheet in workbook.worksheets:
            rows = sheet.iter_rows(values_only=True)
            yield Piece("\n".join(" | ".join("" if v is None else str(v) for v in row) for row in rows),
                        f"sheet {sheet.title!r}")
    finally:
        workbook.close()
    for name in sorted(n for n in names if re.search(r"(comment|person)[^/]*\.xml$", n, re.I)):
        people = _attributes(_parse_xml(archive.read(name)), ("displayName", "author"))
        yield Piece("\n".join(_xml_texts(archive.read(name)) + people), "comments")


def _odf_pieces(archive: zipfile.ZipFile, names: list[str]) -> Iterator[Piece]:
    """An OpenDocument file: its text (comments inline), its headers and footers (in styles.xml)."""
    for name, label in (("content.xml", ""), ("styles.xml", "headers, footers and styles")):
        if name in names:
            root = _parse_xml(archive.read(name))
            ns = {"text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0"}
            paragraphs = root.xpath("//text:p[not(ancestor::text:p or ancestor::text:h)]"
                                    "|//text:h[not(ancestor::text:p or ancestor::text:h)]", namespaces=ns)
            yield Piece("\n".join(_odf_text(p) for p in paragraphs), label)


def _odf_text(element) -> str:
    """An OpenDocument paragraph's text: ``text:s`` counts its spaces, tabs and line breaks are spaces."""
    out = [element.text or ""]
    for child in element:
        name = _local(child.tag)
        if name == "s":
            out.append(" " * int(child.get("{urn:oasis:names:tc:opendocument:xmlns:text:1.0}c", "1")))
        elif name in ("tab", "line-break"):
            out.append(" ")
        else:
            out.append(_odf_text(child))
        out.append(child.tail or "")
    return "".join(out)


def _properties(archive: zipfile.ZipFile, names: list[str]) -> Iterator[Piece]:
    """Author, last modified by, title, company…: the document properties of OOXML and OpenDocument."""
    parts = [n for n in names if n.startswith("docProps/") and n.endswith(".xml")] + \
            [n for n in names if n == "meta.xml"]
    texts = [t for name in sorted(parts) for t in _xml_texts(archive.read(name))]
    if texts:
        yield Piece("\n".join(texts), "document properties")
