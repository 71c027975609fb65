"""Participant attributes in a spreadsheet: export the transcripts' front matter, import it back.

NVivo and MAXQDA users keep case classifications (site, group, nationality, age band …) in a sheet;
Sitthi keeps them in each transcript's front matter. ``export_attributes`` writes one row per
transcript (``id``, ``file``, ``language``, the study's attributes, then every other front-matter key
with plain values). ``import_attributes`` checks the whole sheet first and writes nothing when any row
is wrong (each problem names the sheet and its row as Excel shows it); then it edits only the lines
of the keys that change (``front_matter_edit``), one atomic write per file, under the folder's lock.
Anonymised transcripts (``data/transcripts``) by default, raw ones (``data/raw``) with ``raw=True``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.errors import SitthiError, TranscriptError
from analysis.files import hold_lock, write_atomic
from analysis.intake.attribute_sheet import Formula, Sheet, SheetProblem, check_suffix, read_sheet
from analysis.intake.front_matter_edit import FrontMatterFile, cell_text, is_simple, read_front_matter
from analysis.spreadsheets import write_csv, write_workbook
from analysis.study import Study
from analysis.text.corpus import RESERVED, transcript_files

FIRST_COLUMNS = ("id", "file", "language")
INFORMATION = ("file",)  # shown in the sheet, never imported
KEY_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
LOCK = ".transcripts.lock"
LOCK_WAIT = 30.0
EXPORT_HELP = "export a fresh sheet with `sitthi attributes export FILE` and edit that"


@dataclass(frozen=True)
class Entry:
    """One transcript file: its id, front-matter values and the editable file (``None``: a .docx)."""

    id: str
    path: Path
    values: dict[str, object]
    editable: FrontMatterFile | None


@dataclass(frozen=True)
class Change:
    """One value changed (``new`` is ``None`` when the key is removed; ``old`` when it was absent)."""

    id: str
    key: str
    old: str | None
    new: str | None
    path: Path

    def line(self) -> str:
        return f"{self.id}: {self.key}: {_shown(self.old)} → {_shown(self.new)}"


def _shown(text: str | None) -> str:
    return "(none)" if text is None else repr(text) if text != text.strip() or not text else text


@dataclass
class AttributeImport:
    """What an import changed (or, in a dry run, would change)."""

    sheet: Path
    folder: Path
    changes: list[Change] = field(default_factory=list)
    dry_run: bool = False

    @property
    def files(self) -> list[Path]:
        return sorted({change.path for change in self.changes})

    def summary(self) -> list[str]:
        """One line per change, then the count."""
        if not self.changes:
            return [f"No changes: the transcripts in {self.folder} already hold these values."]
        done = "would be changed (dry run: nothing written)" if self.dry_run else "written"
        return [*(change.line() for change in self.changes),
                f"{len(self.changes)} value(s) in {len(self.files)} transcript(s) {done}."]


class SheetError(SitthiError):
    """A sheet that cannot be imported; ``problems`` holds every problem, one line each."""

    def __init__(self, what: str, *, path: str | Path | None = None, line: int | None = None,
                 fix: str = "", problems: Iterable[SitthiError] = ()) -> None:
        self.problems = list(problems)
        super().__init__(what, path=path, line=line, fix=fix)


def transcripts_folder(study: Study, raw: bool = False) -> Path:
    """The folder whose transcripts a sheet describes: ``data/raw`` or ``data/transcripts``."""
    return study.raw_dir if raw else study.transcripts_dir


def read_entries(folder: Path) -> tuple[list[Entry], list[TranscriptError]]:
    """Every transcript file of ``folder`` with its front matter, and the files that cannot be read."""
    entries: list[Entry] = []
    problems: list[TranscriptError] = []
    for path in transcript_files(folder):
        try:
            values, editable = read_front_matter(path)
        except TranscriptError as err:
            problems.append(err)
            continue
        tid = values.get("id")
        if tid is None or not is_simple(tid) or not cell_text(tid):
            problems.append(TranscriptError("front matter has no id", path=path, line=2,
                                            fix=f"add 'id: {path.stem}'"))
            continue
        entries.append(Entry(cell_text(tid), path, values, editable))
    seen: dict[str, Path] = {}
    for entry in entries:
        if entry.id in seen:
            problems.append(TranscriptError(f"id '{entry.id}' is also the id of {seen[entry.id].name}",
                                            path=entry.path, line=2, fix="give each transcript its own id"))
        seen.setdefault(entry.id, entry.path)
    return entries, problems


# --- export ------------------------------------------------------------------------------------


def attribute_frame(study: Study, entries: list[Entry]) -> pd.DataFrame:
    """One row per transcript: id, file, language, the study's attributes, then other plain keys."""
    others: list[str] = []
    complex_keys = {k for e in entries for k, v in e.values.items() if not is_simple(v)}
    for entry in entries:
        for key in entry.values:
            if key not in (*FIRST_COLUMNS, *study.attributes, *RESERVED, *others) and key not in complex_keys:
                others.append(key)
    columns = [*FIRST_COLUMNS, *study.attributes, *others]
    rows = []
    for entry in entries:
        row = {key: _export_cell(entry.values.get(key)) for key in columns}
        row["file"] = entry.path.relative_to(study.root).as_posix() if entry.path.is_relative_to(
            study.root) else str(entry.path)
        rows.append(row)
    return pd.DataFrame(rows, columns=columns, dtype=object)


def _export_cell(value: object) -> object:
    """Numbers stay numbers; everything else is its front-matter text (lists and mappings: empty)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return cell_text(value) or None if is_simple(value) else None


def export_attributes(study: Study, path: str | Path, *, raw: bool = False) -> Path:
    """Write the attribute sheet of a study's transcripts (``.xlsx`` or ``.csv``) atomically; return it.

    Raises ``SheetError`` listing every transcript that cannot be read (nothing is written then).
    """
    path = Path(path)
    check_suffix(path)
    folder = transcripts_folder(study, raw)
    entries, problems = read_entries(folder)
    if problems:
        raise SheetError(f"{len(problems)} transcript(s) cannot be read; no sheet written", path=folder,
                         fix="fix the files named above, then export again", problems=problems)
    if not entries:
        raise SitthiError("there are no transcripts here", path=folder,
                          fix="add transcripts (or use --raw for data/raw), then export again")
    frame = attribute_frame(study, entries)
    if path.suffix.lower() == ".csv":
        return write_csv(path, frame)
    return write_workbook(path, {"attributes": frame})


# --- import ------------------------------------------------------------------------------------


def import_attributes(study: Study, path: str | Path, *, raw: bool = False,
                      dry_run: bool = False) -> AttributeImport:
    """Write a sheet's values into the transcripts' front matter; change nothing else.

    Every row is checked first; any problem raises ``SheetError`` (its ``problems`` name the sheet and
    row) and nothing is written. A dry run checks and reports the same, writing nothing.
    """
    sheet = read_sheet(path)
    folder = transcripts_folder(study, raw)
    if not folder.is_dir():
        raise SitthiError("no such folder", path=folder,
                          fix="give the study the sheet belongs to (--study), or check --raw")
    if dry_run:
        return _import(study, sheet, folder, dry_run=True)
    with hold_lock(folder / LOCK, timeout=LOCK_WAIT, what=f"the transcripts folder {folder.name}"):
        return _import(study, sheet, folder, dry_run=False)


def _import(study: Study, sheet: Sheet, folder: Path, *, dry_run: bool) -> AttributeImport:
    entries, unreadable = read_entries(folder)
    problems = _header_problems(sheet)
    if "id" not in sheet.header:
        raise _refused(sheet, problems)
    plan = _Plan(study, sheet, folder, entries, unreadable)
    problems += plan.problems
    edits = {}
    for entry, row, changes in plan.edits():
        try:
            edits[entry.path] = entry.editable.edited(changes)
        except TranscriptError as err:
            problems.append(_problem(sheet, row, f"{entry.id}: {err.what} ({err.where})", err.fix))
    if problems:
        raise _refused(sheet, problems)
    if not dry_run:
        for target, data in edits.items():
            write_atomic(target, data)
    return AttributeImport(sheet.path, folder, plan.changes, dry_run)


def _refused(sheet: Sheet, problems: list[SitthiError]) -> SheetError:
    return SheetError(f"{len(problems)} problem(s) in the sheet; nothing was written", path=sheet.path,
                      fix="fix each row named above, then import the sheet again", problems=problems)


def _problem(sheet: Sheet, row: int, what: str, fix: str) -> SheetProblem:
    return SheetProblem(what, path=sheet.path, line=row, fix=fix)


def _header_problems(sheet: Sheet) -> list[SitthiError]:
    """Column names that are not front-matter keys, twice, or missing; no ``id`` column."""
    problems = []
    seen: set[str] = set()
    width = max([len(sheet.header), *(len(cells) for _, cells in sheet.rows)])
    for number, name in enumerate([*sheet.header, *[""] * (width - len(sheet.header))], 1):
        letter = _column_letter(number)
        has_data = any(number <= len(cells) and cells[number - 1] for _, cells in sheet.rows)
        if not name and has_data:
            problems.append(_problem(sheet, 1, f"column {letter} has values but no name",
                                     "write the front-matter key it holds in row 1, e.g. 'site'"))
        elif name and not KEY_RE.match(name):
            problems.append(_problem(sheet, 1, f"column {letter} '{name}' is not a valid front-matter key",
                                     f"use letters, digits and '_' starting with a letter, e.g. "
                                     f"'{_suggest_key(name)}'"))
        elif name in seen:
            problems.append(_problem(sheet, 1, f"column {letter} '{name}' is there twice",
                                     "keep one of the two columns"))
        seen.add(name)
    if "id" not in sheet.header:
        problems.insert(0, _problem(sheet, 1, "no 'id' column: Sitthi cannot tell which transcript a row is",
                                    f"put the transcripts' ids in a column named 'id' ({EXPORT_HELP})"))
    return problems


def _column_letter(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _suggest_key(name: str) -> str:
    key = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").lower()
    return key if key and key[0].isalpha() else "site"


def _fold(text: str) -> str:
    """What two spellings of one value share: case and spacing ignored."""
    return " ".join(text.split()).casefold()


class _Plan:
    """Every row of a sheet checked against the transcripts: the changes and the problems."""

    def __init__(self, study: Study, sheet: Sheet, folder: Path, entries: list[Entry],
                 unreadable: list[TranscriptError]) -> None:
        self.study, self.sheet, self.folder = study, sheet, folder
        self.by_id = {entry.id: entry for entry in entries}
        self.unreadable = {err.path.stem: err for err in unreadable if err.path is not None}
        self.problems: list[SitthiError] = []
        self.changes: list[Change] = []
        self._rows: dict[str, int] = {}
        self._changes: dict[str, dict[str, str | None]] = defaultdict(dict)
        self.columns = [(i, name) for i, name in enumerate(sheet.header)
                        if name and KEY_RE.match(name) and name not in ("id", *INFORMATION)
                        and sheet.header.index(name) == i]
        self._check_rows()
        self._check_spellings()

    def edits(self) -> Iterable[tuple[Entry, int, dict[str, str | None]]]:
        """Each transcript to edit, its row and its changes (key → new text, ``None``: remove)."""
        for tid, changes in self._changes.items():
            if changes:
                yield self.by_id[tid], self._rows[tid], changes

    def _fail(self, row: int, what: str, fix: str) -> None:
        self.problems.append(_problem(self.sheet, row, what, fix))

    def _check_rows(self) -> None:
        id_at = self.sheet.header.index("id")
        for row, cells in self.sheet.rows:
            tid = cells[id_at] if id_at < len(cells) else ""
            entry = self._entry(row, tid)
            if entry is None:
                continue
            self._rows[tid] = row
            for at, key in self.columns:
                self._check_cell(row, entry, key, cells[at] if at < len(cells) else "")

    def _entry(self, row: int, tid: str) -> Entry | None:
        """The transcript of a row, or ``None`` after saying why there is none."""
        if not tid:
            self._fail(row, "no id", "write the transcript's id in the 'id' column, or delete the row")
        elif tid in self._rows:
            self._fail(row, f"id '{tid}' is also on row {self._rows[tid]}", "keep one row per transcript")
        elif tid in self.unreadable:
            err = self.unreadable[tid]
            self._fail(row, f"{tid}: its file cannot be read: {err.what} ({err.where})", err.fix)
        elif tid not in self.by_id:
            self._fail(row, f"no transcript with id '{tid}' in {self.folder}",
                       f"check the id (ids are case-sensitive), or {EXPORT_HELP}")
        else:
            return self.by_id[tid]
        return None

    def _check_cell(self, row: int, entry: Entry, key: str, text: str) -> None:
        current = entry.values.get(key)
        old = cell_text(current) if key in entry.values else None
        if isinstance(text, Formula):
            self._fail(row, f"{key} of {entry.id} is a formula ({text})",
                       "type the value itself, not a formula")
        elif "\n" in text:
            self._fail(row, f"{key} of {entry.id} holds a line break", "write the value on one line")
        elif not is_simple(current):
            if text:
                self._fail(row, f"{key} of {entry.id} is a list or mapping in its file, not one value",
                           f"clear the cell and {_edit_help(entry)}")
        elif key in RESERVED:
            if text != (old or "").strip():
                self._fail(row, f"'{key}' cannot be changed from the sheet ({entry.id} has "
                                f"{_shown(old)}, the sheet {_shown(text or None)})",
                           f"put back {_shown(old)}, or {_edit_help(entry)}")
        elif not text and key in self.study.attributes:
            self._fail(row, f"{key} of {entry.id} is empty, but the study lists '{key}' as an attribute",
                       f"fill it in (study.toml [study] attributes: {', '.join(self.study.attributes)})")
        elif not _same(current, old, text):
            self._change(row, entry, key, old, text or None)

    def _change(self, row: int, entry: Entry, key: str, old: str | None, new: str | None) -> None:
        if entry.editable is None:
            self._fail(row, f"{entry.id} is a Word file ({entry.path.name}): Sitthi cannot edit it",
                       f"change '{key}' in Word, or save the transcript as .md")
            return
        self._changes[entry.id][key] = new
        self.changes.append(Change(entry.id, key, old, new, entry.path))

    def _check_spellings(self) -> None:
        """Values of one column that differ only by case or spacing (also from transcripts not listed)."""
        listed = set(self._rows)
        id_at = self.sheet.header.index("id")
        for at, key in self.columns:
            if key in RESERVED:
                continue
            spellings: dict[str, list[tuple[str, int | None]]] = defaultdict(list)
            for row, cells in self.sheet.rows:
                text = cells[at] if at < len(cells) else ""
                listed_here = id_at < len(cells) and cells[id_at] in self.by_id
                if text and not isinstance(text, Formula) and listed_here:
                    spellings[_fold(text)].append((text, row))
            for entry in self.by_id.values():
                value = entry.values.get(key)
                if entry.id not in listed and is_simple(value) and cell_text(value).strip():
                    spellings[_fold(cell_text(value))].append((cell_text(value).strip(), None))
            for group in spellings.values():
                self._check_group(key, group)

    def _check_group(self, key: str, group: list[tuple[str, int | None]]) -> None:
        counts = Counter(text for text, _ in group)
        if len(counts) < 2:
            return
        best = max(counts, key=counts.__getitem__)  # the commonest; on a tie, the first seen
        rows = [str(row) for text, row in group if text == best and row is not None]
        unlisted = sum(1 for text, row in group if text == best and row is None)
        where = ", ".join(filter(None, [f"row {', '.join(rows)}" if rows else "",
                                        f"{unlisted} transcript(s) not in the sheet" if unlisted else ""]))
        for text, row in group:
            if row is not None and text != best:
                self._fail(row, f"{key} '{text}' differs from '{best}' ({where}) only by case or spacing",
                           f"write '{best}' (one spelling per value, or breakdowns split it in two)")


def _same(current: object, old: str | None, text: str) -> bool:
    """True when a cell holds the value already in the file (``1.0`` is ``1``: Excel drops the ``.0``)."""
    if text == (old or "").strip():
        return True
    if isinstance(current, (int, float)) and not isinstance(current, bool):
        try:
            return float(text) == current
        except ValueError:
            return False
    return False


def _edit_help(entry: Entry) -> str:
    return f"change it in {entry.path.name} itself"
