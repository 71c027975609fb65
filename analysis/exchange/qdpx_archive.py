"""Reading a REFI-QDA project: the archive (``.qdpx`` with any ``*.qde`` name, or a bare ``.qde``),
its source texts, case variables, notes, and the front matter our own export leaves in descriptions.

An archive is untrusted input: only ``project.qde`` and the sources it names are ever read, each
within limits on its size, its compression ratio and the total, checked from the zip directory
first and again while reading in chunks. Damage of any kind is one ``QdpxError`` line naming the
archive and the member."""

from __future__ import annotations

import os
import zipfile
import zlib
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


# Limits on what is read from an archive (project.qde and the sources it names; nothing else is read).
MAX_MEMBER = 512 * 2**20  # bytes of one member, uncompressed
MAX_TOTAL = 2 * 2**30  # bytes of everything read from one archive
MAX_RATIO = 200  # uncompressed / compressed size of a member …
RATIO_FLOOR = 2**20  # … once more than this has come out of it (small files may compress very well)
_CHUNK = 2**20
_AGAIN = "export the project again from the other program; nothing was written"
_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError, ValueError)


@dataclass
class Archive:
    """The project file's XML root, and the files next to it (``sources/...``), read only on request.

    ``files`` names every member (or file of the ``sources/`` folder next to a bare ``.qde``);
    ``read`` returns one, within the limits above. Close it (or use ``with``) when done."""

    name: str  # for messages: 'project.qdpx!Project.qde'
    root: etree._Element
    files: dict[str, zipfile.ZipInfo | Path]
    path: Path
    zip: zipfile.ZipFile | None = None
    total: int = 0

    def read(self, member: str) -> bytes:
        """One member's bytes; a ``QdpxError`` naming it when it is too large, a zip bomb or damaged."""
        info = self.files[member]
        if isinstance(info, Path):
            if info.stat().st_size > MAX_MEMBER:
                raise QdpxError(f"{info.name} is {_size(info.stat().st_size)}, more than the "
                                f"{_size(MAX_MEMBER)} Sitthi reads from one file", path=info,
                                fix="shorten or split this text; nothing was written")
            data = info.read_bytes()
            self._count(member, len(data))
            return data
        assert self.zip is not None
        return _read_member(self, info)

    @property
    def sources_place(self) -> str:
        """Where source files were looked for, for messages."""
        return "the archive" if self.zip is not None else f"{self.path.parent / 'sources'}{os.sep}"

    def _count(self, member: str, size: int) -> None:
        self.total += size
        if self.total > MAX_TOTAL:
            raise QdpxError(f"{self.path.name}!{member}: the project's files come to more than "
                            f"{_size(MAX_TOTAL)} uncompressed", path=self.path,
                            fix="split the project, or remove media it does not need; nothing was written")

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()
            self.zip = None

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *_) -> None:
        self.close()


def _size(n: int) -> str:
    """``n`` bytes for a message: ``59 KiB``, ``512 MiB``, ``4.0 GiB``."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}" if unit == "GiB" else f"{n // scale} {unit}"
    return f"{n} bytes"


def _check_directory(archive: Archive, info: zipfile.ZipInfo) -> None:
    """Refuse a member from what the zip directory says, before reading a byte of it."""
    where = f"{archive.path.name}!{info.filename}"
    if info.file_size > MAX_MEMBER:
        raise QdpxError(f"{where} is {_size(info.file_size)} uncompressed, more than the "
                        f"{_size(MAX_MEMBER)} Sitthi reads from one file", path=archive.path,
                        fix="remove or shrink this file in the other program, then export again")
    if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise _bomb(archive, info)
    if archive.total + info.file_size > MAX_TOTAL:
        archive._count(info.filename, info.file_size)


def _bomb(archive: Archive, info: zipfile.ZipInfo) -> QdpxError:
    return QdpxError(f"{archive.path.name}!{info.filename} expands more than {MAX_RATIO} times "
                     "(a zip bomb?)", path=archive.path,
                     fix="do not open this file; ask for a new export from the other program")


def _read_member(archive: Archive, info: zipfile.ZipInfo) -> bytes:
    """A member read in chunks: the directory's sizes checked first, the limits again while reading
    (a directory that lies does not get past them), damage reported as one line."""
    _check_directory(archive, info)
    chunks, size = [], 0
    try:
        with archive.zip.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > min(MAX_MEMBER, info.file_size):
                    raise QdpxError(f"{archive.path.name}!{info.filename} holds more than its zip "
                                    f"directory says ({info.file_size} bytes)", path=archive.path, fix=_AGAIN)
                if size > RATIO_FLOOR and size > MAX_RATIO * max(info.compress_size, 1):
                    raise _bomb(archive, info)
                chunks.append(chunk)
    except _DAMAGE as err:
        raise _damaged(archive.path, info.filename, err) from None
    archive._count(info.filename, size)
    return b"".join(chunks)


def _damaged(path: Path, member: str | None, err: BaseException) -> QdpxError:
    what = " ".join(str(err).split()) or type(err).__name__
    where = f"{path.name}!{member}" if member else path.name
    return QdpxError(f"{where} cannot be read: the archive is damaged or incomplete ({what})", path=path,
                     fix="copy the .qdpx again (a download or copy may have been cut short) or " + _AGAIN)


def read_archive(source: Path) -> Archive:
    """Open a ``.qdpx`` (any one ``*.qde`` inside) or a bare ``.qde`` with its ``sources/`` folder.

    Only the project file is read here; source files are read when asked for (``Archive.read``)."""
    source = Path(source)
    if not source.is_file():
        raise QdpxError("no such file", path=source, fix="give the path of a .qdpx or .qde file")
    with source.open("rb") as handle:
        magic = handle.read(4)
    if magic == b"PK\x03\x04" or zipfile.is_zipfile(source):
        archive = _open_zip(source)
        try:
            project = _project_member(archive)
            archive.name = f"{source.name}!{project}"
            data = archive.read(project)
            del archive.files[project]
            archive.root = _parse_project(data, archive.name, source)
        except BaseException:
            archive.close()
            raise
        return archive
    if source.suffix.lower() == ".qde":
        folder = source.parent / "sources"
        files = {f"sources/{p.name}": p for p in sorted(folder.iterdir()) if p.is_file()} \
            if folder.is_dir() else {}
        if source.stat().st_size > MAX_MEMBER:
            raise QdpxError(f"{source.name} is {_size(source.stat().st_size)}, more than the "
                            f"{_size(MAX_MEMBER)} Sitthi reads from one file", path=source, fix=_AGAIN)
        return Archive(source.name, _parse_project(source.read_bytes(), source.name, source), files, source)
    raise QdpxError("not a REFI-QDA project (neither a .qdpx archive nor a .qde file)", path=source,
                    fix="choose the .qdpx file exported by NVivo, ATLAS.ti, MAXQDA or QualCoder")


def _open_zip(source: Path) -> Archive:
    try:
        handle = zipfile.ZipFile(source)
        infos = handle.infolist()
    except _DAMAGE as err:
        raise _damaged(source, None, err) from None
    files = {i.filename: i for i in infos if not i.is_dir()}
    return Archive(source.name, etree.Element("Project"), files, source, handle)


def _project_member(archive: Archive) -> str:
    """The one ``*.qde`` in the archive (at its top level if there are several levels)."""
    names = archive.files
    projects = sorted(n for n in names if n.lower().endswith(".qde") and "/" not in n.strip("/"))
    projects = projects or sorted(n for n in names if n.lower().endswith(".qde"))
    if not projects:
        raise QdpxError(f"the archive holds no .qde project file ({len(names)} other file(s))",
                        path=archive.path, fix="choose a REFI-QDA project export (.qdpx)")
    if len(projects) > 1:
        raise QdpxError(f"the archive holds several .qde files ({', '.join(projects)})", path=archive.path,
                        fix="export one project per .qdpx file")
    return projects[0]


def _parse_project(data: bytes, name: str, source: Path) -> etree._Element:
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        raise QdpxError(f"not well-formed XML ({err.msg})", path=source.parent / name, line=err.lineno,
                        fix=_AGAIN) from None
    if local_name(root) != "Project":
        raise QdpxError(f"{name} has no <Project> root element (found <{local_name(root)}>)", path=source,
                        fix="choose a REFI-QDA project export (.qdpx)")
    return root


def descendants(element: etree._Element, name: str) -> list[etree._Element]:
    """Every element below ``element`` with this tag, in any namespace."""
    return [e for e in element.iter() if local_name(e) == name]


def text_of(archive: Archive, element: etree._Element) -> tuple[str | None, bool, str]:
    """A text source's original text (BOM removed), whether it had a BOM, and where it came from."""
    path = element.get("plainTextPath") or ""
    if path.startswith("internal://"):
        member = path.removeprefix("internal://")
        found = f"sources/{member}" if f"sources/{member}" in archive.files else next(
            (n for n in archive.files if n.rsplit("/", 1)[-1] == member), None)
        if found is not None:
            data = archive.read(found)
            text, _ = decode_bytes(data, archive.path.parent / f"{archive.path.name}!{found}")
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


def variable_notes(root: etree._Element) -> list[str]:
    """What of the variables cannot be carried as it is: values of no known type, dates as text."""
    notes, by_variable = [], {}
    for value in descendants(root, "VariableValue"):
        for ref in children(value, "VariableRef"):
            by_variable.setdefault(normal_guid(ref.get("targetGUID")), []).append(value)
    for variable in descendants(root, "Variable"):
        values = by_variable.get(normal_guid(variable.get("guid")), [])
        unknown = [v for v in values if not [c for c in v if local_name(c) in _VALUE_TYPES]]
        name, kind = variable.get("name", ""), variable.get("typeOfVariable", "")
        if unknown:
            notes.append(f"variable '{name}': {len(unknown)} value(s) of no known type not carried")
        if kind in ("Date", "DateTime") and len(unknown) < len(values):
            notes.append(f"variable '{name}' ({kind}) carried as text")
    return notes


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


