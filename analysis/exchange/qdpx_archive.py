"""Reading a REFI-QDA project: the archive (``.qdpx`` with any ``*.qde`` name, or a bare ``.qde``),
its source texts, case variables, notes, and the front matter our own export leaves in descriptions."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from analysis.errors import SitthiError
from analysis.exchange.qdc import children, local_name, normal_guid
from analysis.exchange.qdpx_names import variable_key
from analysis.text.reading import decode_bytes

_VALUE_TYPES = ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue", "DateTimeValue")
_META_KEYS = ("id", "language", "translation_of", "fictional")


class QdpxError(SitthiError):
    """A REFI-QDA project cannot be imported (nothing was written)."""


@dataclass
class Archive:
    """The project file's XML root and the files next to it (``sources/...``)."""

    name: str  # for messages: 'project.qdpx!Project.qde'
    root: etree._Element
    files: dict[str, bytes]


def read_archive(source: Path) -> Archive:
    """Open a ``.qdpx`` (any one ``*.qde`` inside) or a bare ``.qde`` with its ``sources/`` folder."""
    files: dict[str, bytes] = {}
    if not source.is_file():
        raise QdpxError("no such file", path=source, fix="give the path of a .qdpx or .qde file")
    if zipfile.is_zipfile(source):
        try:
            with zipfile.ZipFile(source) as archive:
                files = {i.filename: archive.read(i) for i in archive.infolist() if not i.is_dir()}
        except (zipfile.BadZipFile, OSError, RuntimeError) as err:
            raise QdpxError(f"the archive cannot be read ({err})", path=source,
                            fix="export the project again from the other program") from None
        projects = sorted(n for n in files if n.lower().endswith(".qde") and "/" not in n.strip("/"))
        projects = projects or sorted(n for n in files if n.lower().endswith(".qde"))
        if not projects:
            raise QdpxError("the archive holds no .qde project file", path=source,
                            fix="choose a REFI-QDA project export (.qdpx)")
        if len(projects) > 1:
            raise QdpxError(f"the archive holds several .qde files ({', '.join(projects)})", path=source,
                            fix="export one project per .qdpx file")
        name, data = f"{source.name}!{projects[0]}", files.pop(projects[0])
    elif source.suffix.lower() == ".qde":
        name, data = source.name, source.read_bytes()
        folder = source.parent / "sources"
        if folder.is_dir():
            files = {f"sources/{p.name}": p.read_bytes() for p in folder.iterdir() if p.is_file()}
    else:
        raise QdpxError("not a REFI-QDA project (neither a .qdpx archive nor a .qde file)", path=source,
                        fix="choose the .qdpx file exported by NVivo, ATLAS.ti, MAXQDA or QualCoder")
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        raise QdpxError(f"{name} is not well-formed XML ({err.msg})", path=source, line=err.lineno,
                        fix="export the project again from the other program") from None
    if local_name(root) != "Project":
        raise QdpxError(f"{name} has no <Project> root element (found <{local_name(root)}>)", path=source,
                        fix="choose a REFI-QDA project export (.qdpx)")
    return Archive(name, root, files)


def descendants(element: etree._Element, name: str) -> list[etree._Element]:
    """Every element below ``element`` with this tag, in any namespace."""
    return [e for e in element.iter() if local_name(e) == name]


def text_of(archive: Archive, element: etree._Element) -> tuple[str | None, bool, str]:
    """A text source's original text (BOM removed), whether it had a BOM, and where it came from."""
    path = element.get("plainTextPath") or ""
    if path.startswith("internal://"):
        member = path.removeprefix("internal://")
        data = archive.files.get(f"sources/{member}")
        if data is None:
            data = next((d for n, d in archive.files.items() if n.rsplit("/", 1)[-1] == member), None)
        if data is not None:
            text, _ = decode_bytes(data, Path(member))
            has_bom = data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))
            return text.removeprefix("\ufeff"), has_bom, member
    content = children(element, "PlainTextContent")
    if content:
        text = "".join(c.text or "" for c in content)
        return text.removeprefix("\ufeff"), text.startswith("\ufeff"), "PlainTextContent"
    return None, False, path or "no text"


def variables(root: etree._Element) -> tuple[dict[str, str], dict[str, dict[str, object]]]:
    """Variable GUID -> attribute key, and source GUID -> attributes (from cases and the source)."""
    names = {normal_guid(v.get("guid")): variable_key(v.get("name", ""))
             for v in descendants(root, "Variable")}

    def values(owner: etree._Element) -> dict[str, object]:
        found = {}
        for value in children(owner, "VariableValue"):
            ref = children(value, "VariableRef")
            key = names.get(normal_guid(ref[0].get("targetGUID")) if ref else "")
            typed = [c for c in value if local_name(c) in _VALUE_TYPES]
            if key and typed:
                text = (typed[0].text or "").strip()
                kind = local_name(typed[0])
                if kind == "BooleanValue":
                    found[key] = text.lower() == "true"
                elif kind in ("IntegerValue", "FloatValue"):
                    try:
                        found[key] = int(text) if kind == "IntegerValue" else float(text)
                    except ValueError:
                        found[key] = text
                else:
                    found[key] = text
        return found

    by_source: dict[str, dict[str, object]] = {}
    for case in descendants(root, "Case"):
        case_values = values(case)
        for ref in children(case, "SourceRef"):
            by_source.setdefault(normal_guid(ref.get("targetGUID")), {}).update(case_values)
    for source in descendants(root, "TextSource"):
        by_source.setdefault(normal_guid(source.get("guid")), {}).update(values(source))
    return names, by_source


def source_meta(element: etree._Element) -> dict[str, str]:
    """The ``key: value`` lines Sitthi's export writes in a source's description (id, language,
    translation_of, fictional); other descriptions yield nothing."""
    text = "".join(d.text or "" for d in children(element, "Description"))
    found = {}
    for line in text.splitlines():
        key, colon, value = (part.strip() for part in line.partition(":"))
        if colon and key in _META_KEYS and value:
            found[key] = value
    return found


def note_texts(root: etree._Element) -> dict[str, str]:
    """Note GUID -> its plain text (the memos coders attach to selections)."""
    return {normal_guid(n.get("guid")): "".join(c.text or "" for c in children(n, "PlainTextContent"))
            for n in descendants(root, "Note")}


def note_refs(selection: etree._Element) -> list[etree._Element]:
    """``NoteRef``s of a selection and of its codings."""
    codings = children(selection, "Coding")
    return children(selection, "NoteRef") + [r for c in codings for r in children(c, "NoteRef")]


def selection_memo(selection: etree._Element, notes: dict[str, str]) -> str:
    """A selection's description and referenced notes, as one memo (line ends normalised)."""
    parts = ["".join(d.text or "" for d in children(selection, "Description"))]
    parts += [notes.get(normal_guid(r.get("targetGUID")), "") for r in note_refs(selection)]
    text = "\n".join(p.strip() for p in parts if p.strip())
    return text.replace("\r\n", "\n").replace("\r", "\n")


