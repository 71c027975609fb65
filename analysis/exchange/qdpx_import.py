"""REFI-QDA projects (``.qdpx``, or a bare ``.qde``) imported into a new study.

What is carried: the codebook (through the tolerant codebook import of ``qdc.py``), every
``TextSource`` as a transcript (text normalised like any transcript), case variables as front
matter attributes, and each user's text codings, one coder per user. Selections are mapped onto
the study's segments: a selection covering a whole segment becomes a whole-segment coding, a part
of one keeps its ``start``/``end``; a selection over several segments is split at their borders.

Offsets: the standard says code points, NVivo writes UTF-16 code units (and counts on text with
a BOM and CRLF); ``qdpx_offsets`` chooses the reading per source, and it is reported.

Everything is built in a temporary folder and moved into place only when all of it succeeded;
what cannot be carried (pictures, PDFs, audio, video, links, graphs, sets, notes, unknown codes)
is listed in plain words in ``QdpxImport.not_imported``.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml
from lxml import etree

from analysis.codebook.model import codebook_yaml, parse_codebook
from analysis.coding.imported import raw_store
from analysis.coding.rows import Coding, new_coding
from analysis.coding.store import CodingStore
from analysis.exchange.qdc import children, codebook_from_root, normal_guid
from analysis.exchange.qdpx_archive import (
    Archive,
    QdpxError,
    descendants,
    note_refs,
    note_texts,
    read_archive,
    selection_memo,
    source_meta,
    text_of,
    variable_notes,
    variables,
)
from analysis.exchange.qdpx_names import coder_id, source_id, unique
from analysis.exchange.qdpx_offsets import CODE_POINTS, UTF16, choose_reading, map_offset, normalised_with_map
from analysis.files import BusyError, hold_lock
from analysis.privacy.hits import Hit, mask
from analysis.privacy.pii import numbers_and_addresses
from analysis.study import LANGUAGES, STUDY_FILE, Study, init_study, read_study_file
from analysis.text.corpus import ID_RE, Transcript, split_front_matter, transcript_files
from analysis.text.normalise import normalise
from analysis.text.script import language_of
from analysis.text.segments import paragraphs, segment_body

__all__ = ["CODE_POINTS", "UTF16", "QdpxError", "QdpxImport", "choose_reading", "import_qdpx"]

PROJECT_NS = "urn:QDA-XML:project:1.0"
OTHER_SOURCES = {"PictureSource": "picture", "PDFSource": "PDF", "AudioSource": "audio recording",
                 "VideoSource": "video"}


@dataclass
class QdpxImport:
    """What an import wrote, and what it could not carry."""

    study: Study
    codebook: Path
    transcripts: list[Path] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    coders: dict[str, str] = field(default_factory=dict)  # user name -> coder id
    codings: dict[str, int] = field(default_factory=dict)  # coder id -> codings written
    offset_units: dict[str, str] = field(default_factory=dict)  # source name -> CODE_POINTS / UTF16
    not_imported: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        """Plain-language lines for the command line."""
        lines = [f"Study: {self.study.root}",
                 f"Codebook: {self.codebook.name} ({len(self.codes)} codes)",
                 f"Transcripts: {len(self.transcripts)}"]
        lines += [f"  {name}: offsets read as {unit}" for name, unit in self.offset_units.items()]
        lines.append("Codings: " + (", ".join(f"{c} {n}" for c, n in self.codings.items()) or "none"))
        if self.transcripts and self.transcripts[0].parent == self.study.raw_dir:
            lines.append("The texts are in data/raw/ and their codings wait in data/raw/codings/: run "
                         "`sitthi anonymise --propose`, review the key, then `sitthi anonymise --apply` "
                         "(it carries the codings over). / ข้อความอยู่ใน data/raw/ ต้องทำให้เป็นนิรนามก่อน")
        return lines


# ----------------------------------------------------------------------------- the import

@dataclass
class _Source:
    element: etree._Element
    name: str
    id: str
    body: str
    spans: list[tuple[int, int]]
    selections: list[etree._Element]
    unit: str
    language: str
    meta: dict[str, str]  # front matter carried in the description by Sitthi's own export


def _user_of(coding: etree._Element, selection: etree._Element) -> str:
    return normal_guid(coding.get("creatingUser") or selection.get("creatingUser"))


def import_qdpx(source: Path, target_study_dir: Path, *, anonymised: bool = False,
                progress: bool = False) -> QdpxImport:
    """Import a REFI-QDA project into ``target_study_dir`` (created if needed); all or nothing.

    Staging folders that an import killed before it could clean up left next to the target are
    removed first (said in ``notes``)."""
    source, target = Path(source), Path(target_study_dir).expanduser().resolve()
    removed = remove_stale_staging(_existing_parent(target))
    with read_archive(source) as archive:
        result = _import(archive, source, target, anonymised, progress)
    result.notes[:0] = removed
    return result


def _import(archive: Archive, source: Path, target: Path, anonymised: bool, progress: bool) -> QdpxImport:
    existing = _check_target(target)
    root = archive.root
    not_imported: list[str] = []
    project_name = root.get("name") or source.stem

    book = codebook_from_root(root, source, source_id(project_name, set()).lower())
    notes = [n for n in book.notes if not n.startswith(("sets not carried", f"namespace '{PROJECT_NS}'"))]
    users = {normal_guid(u.get("guid")): u.get("name") or "user" for u in descendants(root, "User")}
    taken: set[str] = set()
    coders = {guid: coder_id(name, taken) for guid, name in users.items()}
    variable_keys, attributes = variables(root)
    not_imported += variable_notes(root)

    sources: list[_Source] = []
    ids: set[str] = set()
    for element in descendants(root, "TextSource"):
        item = _read_source(archive, element, ids, source)
        if isinstance(item, str):
            not_imported.append(item)
        else:
            sources.append(item)
    notes_by_guid = note_texts(root)
    if anonymised:
        _refuse_identifiers(sources, source, notes_by_guid)
    notes += _check_translations(sources)

    not_imported += _not_carried(root, sources)

    turn_study = all(p.speaker for s in sources for p in paragraphs(s.body))
    unit = "turn" if turn_study and sources else "paragraph"
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=_existing_parent(target)))
    try:
        with hold_lock(staging / STAGING_LOCK, timeout=0, what="this import's staging folder"):
            staged = _staged_study(existing, staging / "study", target.name)
            codebook_path = staged.codebooks_dir / f"{book.data['codebook']}.yaml"
            if (target / codebook_path.relative_to(staged.root)).exists():
                raise QdpxError("a codebook with this name already exists",
                                path=target / codebook_path.relative_to(staged.root),
                                fix="remove it or import into a new folder; nothing was changed")
            text = codebook_yaml(book.data)
            parse_codebook(text, codebook_path)
            codebook_path.write_text(text, encoding="utf-8")
            used = {k for s in sources for k in attributes.get(normal_guid(s.element.get("guid")), {})}
            keys = [k for k in dict.fromkeys(variable_keys.values()) if k in used]  # the project's order
            _write_settings(staged, existing, codebook_path.name, unit, keys)
            result = QdpxImport(study=staged, codebook=codebook_path,
                                codes=[c["id"] for c in book.data["codes"]],
                                coders={users[g]: c for g, c in coders.items()}, not_imported=not_imported,
                                notes=notes)
            people = _People(users, coders, taken, result.coders)
            counts: Counter[str] = Counter({c: 0 for c in coders.values()})
            store = CodingStore(staged) if anonymised else raw_store(staged)
            folder = staged.transcripts_dir if anonymised else staged.raw_dir
            for item in _progress(sources, progress):
                path = folder / f"{item.id}.md"
                values = attributes.get(normal_guid(item.element.get("guid")), {})
                _write_transcript(path, item, anonymised, values)
                transcript = Transcript(id=item.id, path=path, language=item.language, body=item.body,
                                        body_line=0, encoding="UTF-8")
                _check_written(path, transcript)
                result.transcripts.append(path)
                result.offset_units[item.name] = item.unit
                pending = _codings_of(item, transcript, unit, book.guids, people, notes_by_guid, not_imported)
                added = store.add_many(pending)
                counts.update(c.coder_id for c in added)
                if len(added) < len(pending):
                    notes.append(f"text '{item.name}': {len(pending) - len(added)} repeated coding(s) "
                                 "(same coder, code and words) kept once")
            result.codings = dict(sorted(counts.items()))
            _move_into_place(staging / "study", target, existing is not None)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    result.study = read_study_file(target / STUDY_FILE)
    result.codebook = target / codebook_path.relative_to(staged.root)
    result.transcripts = [target / p.relative_to(staged.root) for p in result.transcripts]
    return result


@dataclass
class _People:
    """Users of the project and their coder ids; a user met only on a coding is added."""

    users: dict[str, str]  # user GUID -> name
    coders: dict[str, str]  # user GUID -> coder id
    taken: set[str]
    by_name: dict[str, str]  # user name -> coder id (the import's report)

    def coder(self, guid: str) -> str:
        if guid not in self.coders:
            self.users[guid] = self.users.get(guid) or "unknown"
            self.coders[guid] = coder_id(self.users[guid], self.taken)
            self.by_name[self.users[guid]] = self.coders[guid]
        return self.coders[guid]


def _codings_of(item: _Source, transcript: Transcript, unit: str, codes: dict[str, str], people: _People,
                notes_by_guid: dict[str, str], not_imported: list[str]) -> list[Coding]:
    """A source's selections as codings of its segments; what cannot be placed goes to ``not_imported``."""
    segments = segment_body(item.id, item.body, unit)
    pending: list[Coding] = []
    for selection, (start, end) in zip(item.selections, item.spans, strict=True):
        memo = selection_memo(selection, notes_by_guid)
        for coding in children(selection, "Coding"):
            coder = people.coder(_user_of(coding, selection))
            for ref in [normal_guid(r.get("targetGUID")) for r in children(coding, "CodeRef")]:
                if ref not in codes:
                    not_imported.append(f"a coding in text '{item.name}' refers to an unknown code "
                                        f"({ref or 'no code'}): not imported")
                    continue
                placed = _code_span(transcript, segments, start, end, codes[ref], coder, memo)
                pending += placed
                if not placed:
                    not_imported.append(f"a coding in text '{item.name}' ({start}-{end}) covers no "
                                        "words of any segment: not imported")
    return pending


def _read_source(archive: Archive, element: etree._Element, ids: set[str], project: Path) -> _Source | str:
    """A text source with its selections read in the right unit, or why it cannot be imported."""
    name = element.get("name") or element.get("guid") or "text"
    selections = children(element, "PlainTextSelection")
    text, has_bom, origin = text_of(archive, element)
    if text is None or not text.strip():
        lost = sum(len(children(s, "Coding")) for s in selections)
        why = f"its text is not in {archive.sources_place}" if text is None else "it has no text"
        return f"text '{name}': {why} ({origin})" + (f"; {lost} coding(s) on it not imported" if lost else "")
    spans = []
    for selection in selections:
        try:
            spans.append((int(selection.get("startPosition", "")), int(selection.get("endPosition", ""))))
        except ValueError:
            raise QdpxError(f"{archive.name}: selection '{selection.get('name', '')}' of text '{name}' "
                            "has no whole-number startPosition/endPosition", path=project,
                            line=selection.sourceline, fix="export the project again") from None
    try:
        unit, mapped = choose_reading(text, has_bom, spans)
    except ValueError as bad:
        selection = selections[bad.args[0]]
        raise QdpxError(f"{archive.name}: selection '{selection.get('name', '')}' "
                        f"({selection.get('startPosition')}-{selection.get('endPosition')}) lies outside "
                        f"the {len(text)} characters of text '{name}'", path=project,
                        line=selection.sourceline,
                        fix="export the project again; nothing was written") from None
    body, index = normalised_with_map(text)
    if not body.endswith("\n"):
        body += "\n"
    spans = [(map_offset(text, index, s), map_offset(text, index, e)) for s, e in mapped]
    meta = source_meta(element)
    wanted = meta.get("id", "")
    ours = ID_RE.match(wanted) and wanted.lower() not in ids
    item_id = unique(wanted, ids) if ours else source_id(name, ids)
    language = meta["language"] if meta.get("language") in LANGUAGES else language_of(body)
    return _Source(element, name, item_id, body, spans, selections, unit, language, meta)


def _check_translations(sources: list[_Source]) -> list[str]:
    """Drop ``translation_of`` links to texts not in the project; say which."""
    imported_ids = {s.id for s in sources}
    notes = []
    for item in sources:
        original = item.meta.get("translation_of")
        if original and original not in imported_ids:
            del item.meta["translation_of"]
            notes.append(f"text '{item.name}' is marked as a translation of '{original}', which is not "
                         "in the project: imported as a transcript of its own")
    return notes


def _not_carried(root: etree._Element, sources: list[_Source]) -> list[str]:
    """Other kinds of sources, and notes (unless a coding's memo), links, graphs and sets."""
    lines = []
    for kind, what in OTHER_SOURCES.items():
        for element in descendants(root, kind):
            lost = len(descendants(element, "Coding"))
            lines.append(f"{what} '{element.get('name', '')}': only text sources are imported"
                         + (f" ({lost} coding(s) on it not imported)" if lost else ""))
    used_notes = {normal_guid(r.get("targetGUID")) for s in sources for selection in s.selections
                  if children(selection, "Coding") for r in note_refs(selection)}  # a coding's memo
    for group, what in (("Notes", "note"), ("Links", "link"), ("Graphs", "graph"), ("Sets", "set")):
        for holder in children(root, group):
            found = [e.get("name") or e.get("guid", "") for e in holder if isinstance(e.tag, str)
                     and normal_guid(e.get("guid")) not in used_notes]
            if found:
                lines.append(f"{len(found)} {what}(s) not imported (Sitthi has none): "
                             + ", ".join(found[:8]) + (" …" if len(found) > 8 else ""))
    return lines


def _refuse_identifiers(sources: list[_Source], project: Path, notes_by_guid: dict) -> None:
    """Texts said to be anonymised, and the memos on their codings, must hold no ID number, phone number
    or e-mail address (shown masked: ``08…78``)."""
    for item in sources:
        hits = numbers_and_addresses(item.body)
        if hits:
            line = item.body.count("\n", 0, hits[0].start) + 1
            raise _not_anonymised(f"text '{item.name}' is not anonymised: line {line} of its text", hits[0],
                                  project)
        for selection in item.selections:
            memo = selection_memo(selection, notes_by_guid)
            found = numbers_and_addresses(memo) if memo else []
            if found:
                raise _not_anonymised(f"text '{item.name}' is not anonymised: a memo on its codings",
                                      found[0], project)


def _not_anonymised(where: str, hit: Hit, project: Path) -> QdpxError:
    what = "an e-mail address" if hit.kind == "email" else "an ID or phone number"
    return QdpxError(f"{where} holds {what} ({mask(hit.text)})", path=project,
                     fix="import without --anonymised: the texts go to data/raw/ for "
                         "`sitthi anonymise`; nothing was written")


def _progress(sources: list[_Source], show: bool):
    if not show:
        return sources
    from tqdm.auto import tqdm

    return tqdm(sources, desc="Importing texts / นำเข้าข้อความ", unit="text", leave=False)


def _code_span(transcript: Transcript, segments, start: int, end: int, code: str, coder: str,
               memo: str) -> list[Coding]:
    """A selection as codings of the segments it overlaps (split at their borders)."""
    found = []
    for segment in segments:
        s, e = max(start, segment.start), min(end, segment.end)
        if s >= e:
            continue
        whole = (s, e) == (segment.start, segment.end)
        coding = new_coding(transcript, segment, code, coder, start=None if whole else s,
                            end=None if whole else e, memo=memo)
        found.append(coding)
    return found


# ----------------------------------------------------------------------------- files

STAGING_PREFIX = ".sitthi-import-"
STAGING_LOCK = ".lock"  # held for the whole import, so another run can tell a live one from a killed one
STALE_AFTER = 5.0  # seconds: a younger folder may belong to a run that has not taken its lock yet


def remove_stale_staging(parent: Path) -> list[str]:
    """Remove ``.sitthi-import-*`` folders in ``parent`` that no running import holds (left by a
    killed one); one line for each."""
    removed = []
    for folder in sorted(parent.glob(f"{STAGING_PREFIX}*")):
        if folder.is_symlink() or not folder.is_dir() or time.time() - folder.stat().st_mtime < STALE_AFTER:
            continue
        try:
            with hold_lock(folder / STAGING_LOCK, timeout=0, what="an import's staging folder"):
                shutil.rmtree(folder, ignore_errors=True)
        except BusyError:
            continue  # an import is running there
        except OSError:
            pass
        done = "removed" if not folder.exists() else "could not remove (delete it by hand)"
        removed.append(f"{done} {folder}: left behind by an import that was stopped")
    return removed


def _existing_parent(path: Path) -> Path:
    while not path.exists():
        path = path.parent
    return path if path.is_dir() else path.parent


def _check_target(target: Path) -> Study | None:
    """The existing study at ``target`` (None when there is none); refuse one with data."""
    if target.exists() and not target.is_dir():
        raise QdpxError("the target is a file, not a folder", path=target, fix="choose a folder")
    if not (target / STUDY_FILE).is_file():
        return None
    study = read_study_file(target / STUDY_FILE)
    if transcript_files(study.transcripts_dir) or transcript_files(study.raw_dir) or (
            study.codings_dir.is_dir() and any(study.codings_dir.rglob("*.csv"))):
        raise QdpxError("this study already has transcripts or codings", path=target,
                        fix="import into a new, empty folder; nothing was changed")
    return study


def _staged_study(existing: Study | None, folder: Path, name: str) -> Study:
    if existing is None:
        return init_study(folder, name=name)
    staged = replace(existing, root=folder)
    for kind in staged.paths:
        staged.path(kind).mkdir(parents=True, exist_ok=True)
    shutil.copy(existing.config_file, staged.config_file)
    return staged


def _set_toml(text: str, key: str, value: str) -> str:
    line = f"{key} = {value}"
    pattern = re.compile(rf"^{re.escape(key)}\s*=.*$", re.MULTILINE)
    if pattern.search(text):
        return pattern.sub(line.replace("\\", "\\\\"), text, count=1)
    return re.sub(r"^\[study\]\s*$", f"[study]\n{line}", text, count=1, flags=re.MULTILINE)


def _write_settings(staged: Study, existing: Study | None, codebook: str, unit: str, keys: list[str]) -> None:
    text = staged.config_file.read_text(encoding="utf-8")
    if existing is None or existing.codebook_path is None or not existing.codebook_path.is_file():
        text = _set_toml(text, "codebook", f'"{codebook}"')
    text = _set_toml(text, "segment_unit", f'"{unit}"')
    if existing is None:
        text = _set_toml(text, "attributes", "[" + ", ".join(f'"{k}"' for k in keys) + "]")
    staged.config_file.write_text(text, encoding="utf-8")
    read_study_file(staged.config_file)


def _write_transcript(path: Path, item: _Source, anonymised: bool, attributes: dict[str, object]) -> None:
    meta = {"id": item.id, "language": item.language, "anonymised": anonymised}
    if item.meta.get("fictional") == "true":
        meta["fictional"] = True
    meta |= attributes
    if item.meta.get("translation_of"):
        meta["translation_of"] = item.meta["translation_of"]
    head = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    path.write_text(f"---\n{head}---\n{item.body}", encoding="utf-8", newline="\n")


def _check_written(path: Path, transcript: Transcript) -> None:
    """The written file's body must be exactly the body the codings refer to."""
    text = normalise(path.read_text(encoding="utf-8"))
    _, body, _ = split_front_matter(text, path)
    if body != transcript.body:
        raise QdpxError("the transcript could not be written unchanged", path=path,
                        fix="report this as a bug; nothing was written")


def _move_into_place(staged_root: Path, target: Path, overwrite_config: bool) -> None:
    """Move the staged files into ``target``; check every conflict before moving anything."""
    moves: list[tuple[Path, Path]] = []

    def plan(src: Path, dst: Path) -> None:
        for child in sorted(src.iterdir()):
            goal = dst / child.name
            if child.is_dir() and goal.is_dir():
                plan(child, goal)
            elif goal.exists() and not (overwrite_config and goal == target / STUDY_FILE):
                raise QdpxError("the target already has this file", path=goal,
                                fix="import into a new, empty folder; nothing was changed")
            else:
                moves.append((child, goal))

    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staged_root), str(target))
        return
    plan(staged_root, target)
    for src, dst in moves:
        shutil.move(str(src), str(dst))
