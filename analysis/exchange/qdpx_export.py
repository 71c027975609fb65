"""REFI-QDA projects (``.qdpx``): export a study's transcripts, codebook and codings.

A ``.qdpx`` is a zip holding ``project.qde`` (QDA-XML, namespace ``urn:QDA-XML:project:1.0``) and
``sources/<guid>.txt``, one per transcript: its body exactly as Sitthi stores it (UTF-8, no BOM),
so every selection's ``startPosition``/``endPosition`` are our code-point offsets into the body.

Mapping: coders → ``Users``; the codebook → ``CodeBook`` (the elements of
``analysis.exchange.qdc``: same GUIDs, names and descriptions, so our importer reads our fields
back; no ``Sets``: the kind of each code travels in its description); case attributes →
``Variables`` (Text) and one ``Case`` per transcript; each resolved coding (status ok or
reanchored) → one ``PlainTextSelection`` with one ``Coding``; a coding's memo → a ``Note`` referenced
from its selection. Memos of ``analysis.coding.memos`` → ``Note``s too: on a transcript (or one whose
place no longer holds its quote: its text is kept, its place is not) referenced from the ``TextSource``,
on a turn or a span from a ``PlainTextSelection`` without coding over that text, on a coding from the
coding's selection. GUIDs are uuid5 of our ids and the order is fixed, so two exports differ only in
their ``creationDateTime`` attributes. The XML is checked against the standard's schema (when it is
present: the XSD is not shipped with Sitthi) before anything is written; the file is replaced atomically.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from lxml import etree

from analysis import __version__
from analysis.coding.loaded import LoadedStudy
from analysis.coding.memos import Memo, MemoStore, memo_problem
from analysis.errors import SitthiError
from analysis.exchange.qdc import GUID_NAMESPACE, add_codes, code_guid
from analysis.files import atomic_target
from analysis.study import Study
from analysis.text.corpus import Transcript
from analysis.text.segments import segment_body

NS = "urn:QDA-XML:project:1.0"
SCHEMA_NAME = "Project-mrt2019.xsd"
RESOLVED = ("ok", "reanchored")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed member times: the zip changes only when the XML does


def _guid(kind: str, *parts: object) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, ":".join([kind, *map(str, parts)])))


def user_guid(coder: str) -> str:
    return _guid("user", coder)


def source_guid(transcript_id: str) -> str:
    return _guid("source", transcript_id)


def selection_guid(transcript_id: str, segment_id: str, start: int, end: int, code_id: str,
                   coder: str) -> str:
    return _guid("selection", transcript_id, segment_id, start, end, code_id, coder)


def schema_path() -> Path:
    """The REFI-QDA project schema: ``$SITTHI_SHARED/refi-qda``, else ``shared/`` beside the repository."""
    repo = Path(__file__).resolve().parents[2]
    shared = Path(os.environ.get("SITTHI_SHARED", repo.parent / "shared"))
    return shared / "refi-qda" / SCHEMA_NAME


def _E(parent: etree._Element, tag: str, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{NS}}}{tag}", **attributes)


def _value(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    return "" if value is None else str(value)


def _timestamp(text: object) -> str | None:
    """``coded_at`` as an ``xsd:dateTime``, or None when it is not one."""
    try:
        return dt.datetime.fromisoformat(str(text)).isoformat()
    except ValueError:
        return None


def _resolved(data: LoadedStudy, coders: list[str] | None) -> tuple[pd.DataFrame, list[str]]:
    """Resolved codings of the chosen coders, and those coders (sorted, or as given)."""
    study, table = data.study, data.codings
    known = data.store.coders()
    if coders is None:
        chosen = sorted(set(known) | set(table["coder_id"]))
    else:
        chosen = list(dict.fromkeys(c.strip() for c in coders if c.strip()))
        unknown = [c for c in chosen if c not in known]
        if unknown or not chosen:
            raise SitthiError(f"unknown coder(s): {', '.join(unknown) or '(none given)'}",
                              path=study.codings_dir, fix=f"choose from: {', '.join(known) or '(none yet)'}")
    table = table[table["status"].isin(RESOLVED) & table["coder_id"].isin(chosen)]
    return table, chosen


def _variable_keys(study: Study, transcripts: list[Transcript]) -> list[str]:
    present = {key for t in transcripts for key in t.attributes}
    return [k for k in study.attributes if k in present] + sorted(present - set(study.attributes))


def _source_description(transcript: Transcript) -> str:
    lines = [f"id: {transcript.id}", f"language: {transcript.language}"]
    if transcript.translation_of:
        lines.append(f"translation_of: {transcript.translation_of}")
    if transcript.fictional:
        lines.append("fictional: true")
    return "\n".join(lines)


def project_xml(study: Study, *, coders: list[str] | None = None,
                now: dt.datetime | None = None) -> tuple[bytes, dict[str, str]]:
    """The ``project.qde`` bytes and the bodies by source GUID (not validated: see ``export_qdpx``)."""
    data = LoadedStudy(study)
    corpus = sorted(data.corpus, key=lambda t: t.id)
    codebook = data.codebook
    table, chosen = _resolved(data, coders)
    stamp = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0).isoformat()

    root = etree.Element(f"{{{NS}}}Project", nsmap={None: NS}, name=study.name,
                         origin=f"Sitthi {__version__}", creationDateTime=stamp)
    if chosen:  # the standard allows no empty <Users/>: a study nobody coded yet has none
        users = _E(root, "Users")
        for coder in chosen:
            _E(users, "User", guid=user_guid(coder), name=coder, id=coder)
    add_codes(_E(root, "CodeBook"), codebook, NS)

    keys = _variable_keys(study, corpus)
    if keys:
        variables = _E(root, "Variables")
        for key in keys:
            _E(variables, "Variable", guid=_guid("variable", key), name=key, typeOfVariable="Text")
    if corpus:
        cases = _E(root, "Cases")
        for transcript in corpus:
            case = _E(cases, "Case", guid=_guid("case", transcript.id), name=transcript.id)
            for key in keys:
                if key in transcript.attributes:
                    value = _E(case, "VariableValue")
                    _E(value, "VariableRef", targetGUID=_guid("variable", key))
                    _E(value, "TextValue").text = _value(transcript.attributes[key])
            _E(case, "SourceRef", targetGUID=source_guid(transcript.id))

    notes: list[tuple[str, str, str, str | None, str]] = []  # guid, name, coder, time, text
    memos = _memos(data, chosen)
    bodies: dict[str, str] = {}
    if corpus:
        sources = _E(root, "Sources")
        for transcript in corpus:
            guid = source_guid(transcript.id)
            bodies[guid] = transcript.body
            source = _E(sources, "TextSource", guid=guid, name=transcript.id,
                        plainTextPath=f"internal://{guid}.txt")
            _E(source, "Description").text = _source_description(transcript)
            selections: dict[tuple, etree._Element] = {}
            for row in _selections(study, transcript, table):
                start, end, code_id, coder, segment, coded_at, memo = row
                sel_guid = selection_guid(transcript.id, segment, start, end, code_id, coder)
                time = _timestamp(coded_at)
                timed = {"creationDateTime": time} if time else {}
                selection = _E(source, "PlainTextSelection", guid=sel_guid, name=segment,
                               startPosition=str(start), endPosition=str(end),
                               creatingUser=user_guid(coder), **timed)
                selections[(segment, start, end, code_id, coder)] = selection
                coding = _E(selection, "Coding", guid=_guid("coding", sel_guid),
                            creatingUser=user_guid(coder), **timed)
                _E(coding, "CodeRef", targetGUID=code_guid(code_id))
                if memo:
                    note_guid = _guid("note", sel_guid)
                    _E(selection, "NoteRef", targetGUID=note_guid)
                    notes.append((note_guid, f"Memo {coder} {segment} {code_id}", coder, time, memo))
            notes += _memo_notes(source, data, transcript, memos.get(transcript.id, []), selections)
    if notes:
        notes_element = _E(root, "Notes")
        for guid, name, coder, time, text in notes:
            note = _E(notes_element, "Note", guid=guid, name=name, creatingUser=user_guid(coder),
                      **({"creationDateTime": time} if time else {}))
            _E(note, "PlainTextContent").text = text
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True), bodies


def _memos(data: LoadedStudy, coders: list[str]) -> dict[str, list[tuple[Memo, bool]]]:
    """The chosen coders' memos by transcript, each with whether its place still holds its quote."""
    transcripts = {t.id: t for t in data.corpus}
    found: dict[str, list[tuple[Memo, bool]]] = {}
    for coder, transcript_id, _ in MemoStore(data.store).files():
        if coder not in coders or transcript_id not in transcripts:
            continue
        keys = {c.key for c in data.store.read(coder, transcript_id)}
        for memo in MemoStore(data.store).read(coder, transcript_id):
            placed = not memo_problem(memo, coder, transcript_id, transcripts[transcript_id],
                                      data.segments.get(transcript_id, []), keys)
            found.setdefault(transcript_id, []).append((memo, placed))
    return found


def _memo_notes(source: etree._Element, data: LoadedStudy, transcript: Transcript,
                memos: list[tuple[Memo, bool]], selections: dict[tuple, etree._Element]) -> list[tuple]:
    """Reference each memo of a transcript from its place in ``source``; return their notes."""
    spans = {s.segment_id: (s.start, s.end) for s in data.segments.get(transcript.id, [])}
    on_source, notes = [], []
    for memo, placed in memos:
        guid = _guid("memo", memo.coder_id, transcript.id, *memo.key)
        where = memo.segment_id or transcript.id
        start, end = (memo.start, memo.end) if memo.start is not None else spans.get(memo.segment_id, (0, 0))
        time = _timestamp(memo.written_at)
        timed = {"creationDateTime": time} if time else {}
        coded = selections.get((memo.segment_id, start, end, memo.code_id, memo.coder_id))
        if not placed or memo.target == "transcript" or (memo.target == "coding" and coded is None):
            on_source.append(guid)
        elif memo.target == "coding":
            _E(coded, "NoteRef", targetGUID=guid)
        else:
            selection = _E(source, "PlainTextSelection", guid=_guid("memo-selection", guid), name=where,
                           startPosition=str(start), endPosition=str(end),
                           creatingUser=user_guid(memo.coder_id), **timed)
            _E(selection, "NoteRef", targetGUID=guid)
        notes.append((guid, f"Memo {memo.coder_id} {memo.target} {where}", memo.coder_id, time, memo.memo))
    for guid in on_source:  # after every selection, as the schema orders them
        _E(source, "NoteRef", targetGUID=guid)
    return notes


def _selections(study: Study, transcript: Transcript, table: pd.DataFrame) -> list[tuple]:
    """``(start, end, code, coder, segment, coded_at, memo)`` of a transcript's codings, sorted,
    whole-segment codings spanning their segment; one per selection GUID."""
    rows = table[table["transcript_id"] == transcript.id]
    if rows.empty:
        return []
    spans = {s.segment_id: (s.start, s.end)
             for s in segment_body(transcript.id, transcript.body, study.segment_unit)}
    result: dict[tuple, tuple] = {}
    for record in rows.itertuples(index=False):
        if pd.isna(record.start):
            if record.segment_id not in spans:
                continue  # cannot happen for resolved codings; never write a wrong span
            start, end = spans[record.segment_id]
        else:
            start, end = int(record.start), int(record.end)
        key = (record.segment_id, start, end, record.code_id, record.coder_id)
        result.setdefault(key, (start, end, record.code_id, record.coder_id, record.segment_id,
                                record.coded_at, record.memo if isinstance(record.memo, str) else ""))
    return sorted(result.values(), key=lambda r: (r[0], r[1], r[2], r[3], r[4]))


def validate_project(xml: bytes, schema: Path) -> None:
    """Raise ``SitthiError`` naming the first error of ``project.qde`` bytes against ``schema``."""
    if not schema.is_file():
        raise SitthiError("the REFI-QDA project schema was not found", path=schema,
                          fix="set SITTHI_SHARED to the folder holding refi-qda/" + SCHEMA_NAME)
    validator = etree.XMLSchema(etree.parse(str(schema)))
    if not validator.validate(etree.fromstring(xml)):
        first = validator.error_log[0]
        raise SitthiError(f"the exported project is not valid REFI-QDA: {first.message}",
                          path="project.qde", line=first.line,
                          fix="report this as a bug in Sitthi; nothing was written")


@dataclass(frozen=True)
class QdpxExport:
    """What ``export_qdpx`` wrote; ``schema`` is the XSD it was checked against (None: not found)."""

    path: Path
    transcripts: int
    selections: int
    schema: Path | None

    def summary(self) -> str:
        checked = (f"checked against {self.schema.name}" if self.schema else
                   f"not checked: {SCHEMA_NAME} not found (set SITTHI_SHARED to check it)")
        return f"Wrote {self.path}: {self.transcripts} transcripts, {self.selections} codings; {checked}"


def export_qdpx(study: Study, out: Path, *, coders: list[str] | None = None,
                schema: Path | None = None) -> QdpxExport:
    """Write the study as a REFI-QDA project (``.qdpx``) at ``out``.

    ``coders`` limits the users and codings to those coders (default: every coder). The XML is
    checked against ``schema`` (default: the shared project schema when it is present; the standard's
    XSD is not shipped with Sitthi); on any error nothing is written.
    """
    xml, bodies = project_xml(study, coders=coders)
    if schema is None and schema_path().is_file():
        schema = schema_path()
    if schema is not None:
        validate_project(xml, schema)
    out = Path(out)
    with atomic_target(out) as temporary, zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("project.qde", _ZIP_TIME), xml, zipfile.ZIP_DEFLATED)
        for guid, body in bodies.items():
            archive.writestr(zipfile.ZipInfo(f"sources/{guid}.txt", _ZIP_TIME), body.encode("utf-8"),
                             zipfile.ZIP_DEFLATED)
    return QdpxExport(out, len(bodies), xml.count(b"<Coding "), schema)
