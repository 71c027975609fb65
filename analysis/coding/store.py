"""The coding store: one CSV per coder per transcript, an append-only audit log per coder.

Layout (see design §3): ``data/codings/<coder>/<transcript_id>.csv`` with the columns
``CODING_COLUMNS`` (UTF-8, LF, sorted, one row per line, so git merges are clean and coders
never share a file) and ``data/codings/<coder>/log.jsonl`` (one JSON line per add / remove /
edit / undo, with who, when and the row). Offsets are ``str`` indices into the transcript body;
empty ``start,end`` means the whole segment.

Every change takes the coder's lock, reads the file, changes it, writes it atomically (temporary
file, fsync, rename) and appends to the log, so two kernels of one coder never lose an update
and a crash leaves either the old or the new file, never a partial one.

The audit log is data, not instructions. Undo first checks every entry: a known action, a row
with exactly the coding fields and valid values, the log's own coder, and a transcript id that is
plain (the corpus's id pattern: no folders, no ``..``) and known (a transcript file of the study
or this coder's codings file for it). A malformed line is an error naming ``log.jsonl:LINE``; only
a last line cut short by a crash is ignored (and cut off before the next append). Symbolic links
(a coder's folder, a codings file, the log) are refused for writing and undo, and every path must
resolve inside the coder's folder.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, replace
from pathlib import Path

from analysis.coding.audit_log import LOG_FIX, LOG_NAME, append_log, check_entry, read_log
from analysis.coding.rows import (
    CODER_RE,
    Coding,
    CodingError,
    check_coder,
    check_transcript_id,
    coding_from_row,
    format_codings,
    now,
    read_rows,
)
from analysis.files import hold_lock, write_atomic
from analysis.study import Study


def coder_lock(folder: Path, *, timeout: float = 30.0):
    """Hold the coder's lock (``.lock`` in their folder) while their codings change."""
    return hold_lock(folder / ".lock", timeout=timeout, what=f"{folder.name}'s codings folder")


def _refuse_links(*paths: Path) -> None:
    """A ``CodingError`` for the first of ``paths`` that is a symbolic link."""
    for path in paths:
        if path.is_symlink():
            raise CodingError("refused: this is a symbolic link, and Sitthi never follows one here",
                              path=path, fix="replace the link with the real file or folder")


# ----------------------------------------------------------------------------- the store

class CodingStore:
    """Read and change the codings of a study."""

    def __init__(self, study: Study) -> None:
        self.study = study
        self.root = study.codings_dir

    def folder(self, coder: str) -> Path:
        return self.root / check_coder(coder)

    def path(self, coder: str, transcript_id: str) -> Path:
        """The codings file of a coder and a transcript (a plain id: see ``check_transcript_id``)."""
        return self.folder(coder) / f"{check_transcript_id(transcript_id)}.csv"

    def coders(self) -> list[str]:
        """Coders with a folder of codings, sorted."""
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and CODER_RE.match(p.name))

    def load(self, coder: str, transcript_id: str) -> tuple[list[Coding], list[CodingError]]:
        """A coder's codings of one transcript, and the problems of rows that could not be read."""
        rows, problems = self.load_rows(coder, transcript_id)
        return [coding for _, coding in rows], problems

    def load_rows(self, coder: str, transcript_id: str) -> tuple[list[tuple[int, Coding]], list[CodingError]]:
        """Like ``load``, each coding with its line in the file."""
        return read_rows(self.path(coder, transcript_id))

    def read(self, coder: str, transcript_id: str) -> list[Coding]:
        """A coder's codings of one transcript (rows that cannot be read are left out)."""
        return self.load(coder, transcript_id)[0]

    def codings_of(self, coder: str) -> list[Coding]:
        """All of a coder's codings, transcript by transcript."""
        return [c for path in sorted(self.folder(coder).glob("*.csv")) for _, c in read_rows(path)[0]]

    def coverage(self) -> dict[str, set[str]]:
        """Per coder, the transcripts they have a codings file for (coded, even if nothing applied)."""
        covered: dict[str, set[str]] = {}
        for coder, transcript_id, _ in self.files():
            covered.setdefault(coder, set()).add(transcript_id)
        return covered

    def files(self) -> Iterator[tuple[str, str, Path]]:
        """``(coder, transcript_id, path)`` of every codings file."""
        for coder in self.coders():
            for path in sorted(self.folder(coder).glob("*.csv")):
                yield coder, path.stem, path

    # -- changes ------------------------------------------------------------------------

    def _change(self, coder: str, transcript_id: str, action: str, change) -> list[dict]:
        """Apply ``change(codings) -> (codings, log entries)`` under the coder's lock; no entry, no write."""
        def apply(codings: list[Coding]):
            codings, entries = change(codings)
            return codings, [{"action": action, **entry} for entry in entries]

        return self.locked_change(coder, transcript_id, self.path(coder, transcript_id), read_rows,
                                  format_codings, apply)

    def locked_change(self, coder: str, transcript_id: str, path: Path, read, write, change) -> list[dict]:
        """Apply ``change(items) -> (items, entries)`` to the file ``path`` of a coder (read with ``read``,
        written with ``write``) under the coder's lock: written atomically, each entry (with its
        ``action``) logged with coder, time and transcript; no entry, no write. Codings and memos."""
        self.safe_path(coder, transcript_id, path)  # before the lock, which would create files in the folder
        folder = self.folder(coder)
        with coder_lock(folder):
            rows, problems = read(path)
            if problems:
                raise CodingError(f"cannot save: {problems[0].what} ({problems[0].where})", path=path,
                                  fix="fix the bad row by hand first, so that no row is lost")
            items, entries = change([item for _, item in rows])
            if not entries:
                return []
            write_atomic(path, write(items))
            at = now()
            entries = [{"action": entry["action"], "coder": coder, "at": at, "transcript_id": transcript_id,
                        **entry} for entry in entries]
            append_log(folder, entries)
            return entries

    def safe_path(self, coder: str, transcript_id: str, path: Path | None = None) -> Path:
        """The file to change or undo (default: the codings file); refused when the coder's folder, a
        folder between, the file or the log is a symbolic link, or when the file would not resolve inside
        the coder's folder."""
        folder = self.folder(coder)
        path = self.path(coder, transcript_id) if path is None else path
        between = [p for p in path.parents if folder in p.parents]
        _refuse_links(folder, *between, path, folder / LOG_NAME)
        if path.resolve() != self.root.resolve() / coder / path.relative_to(folder):
            raise CodingError("refused: the file is not inside its coder's folder", path=path,
                              fix=f"keep each coder's codings in {self.root}/<coder>/")
        return path

    def add(self, coding: Coding) -> bool:
        """Save a coding (no change if the coder already has it); return whether it was added."""
        return bool(self.add_many([coding]))

    def add_many(self, codings: Iterable[Coding]) -> list[Coding]:
        """Save codings with one write per coder and transcript (one log line each, so each can be
        undone); return those that were new."""
        groups: dict[tuple[str, str], list[Coding]] = {}
        for coding in codings:
            groups.setdefault((coding.coder_id, coding.transcript_id), []).append(coding)
        added: list[Coding] = []
        for (coder, transcript_id), batch in groups.items():
            def change(existing: list[Coding], batch=batch):
                seen, new = {c.key for c in existing}, []
                for coding in batch:
                    if coding.key not in seen:
                        seen.add(coding.key)
                        new.append(coding)
                return [*existing, *new], [{"row": asdict(c)} for c in new]

            added += [Coding(**e["row"]) for e in self._change(coder, transcript_id, "add", change)]
        return added

    def remove(self, coder: str, transcript_id: str, key: tuple) -> bool:
        """Delete the coder's coding with this key; return whether one was removed."""
        def change(codings: list[Coding]):
            gone = [c for c in codings if c.key == key]
            if not gone:
                return codings, []
            return [c for c in codings if c.key != key], [{"row": asdict(gone[0])}]

        return bool(self._change(coder, transcript_id, "remove", change))

    def edit(self, coder: str, transcript_id: str, key: tuple, **fields) -> bool:
        """Change fields (e.g. ``memo``) of one coding; return whether it changed."""
        def change(codings: list[Coding]):
            for i, coding in enumerate(codings):
                if coding.key == key:
                    new = replace(coding, **fields)
                    if new == coding:
                        return codings, []
                    entry = {"row": asdict(new), "old": asdict(coding)}
                    return [*codings[:i], new, *codings[i + 1:]], [entry]
            return codings, []

        return bool(self._change(coder, transcript_id, "edit", change))

    def log(self, coder: str) -> list[dict]:
        """The coder's audit log, oldest first, every entry checked (see ``check_entry``)."""
        return [entry for _, entry in self._checked_log(coder)]

    def _checked_log(self, coder: str, *, known: bool = False) -> list[tuple[int, dict]]:
        """The log's entries with their lines; with ``known``, each names a known transcript too."""
        path = self.folder(coder) / LOG_NAME
        _refuse_links(path.parent, path)
        entries, found = [], {}
        for number, entry in read_log(path):
            try:
                check_entry(entry, coder)
                transcript_id = entry["transcript_id"]
                if known and transcript_id not in found:
                    found[transcript_id] = self._known(coder, transcript_id)
                if known and not found[transcript_id]:
                    raise ValueError(f"transcript '{transcript_id}' is neither a transcript of the study "
                                     f"nor in {coder}'s codings")
            except ValueError as err:
                raise CodingError(f"bad log entry: {err}", path=path, line=number, fix=LOG_FIX) from None
            entries.append((number, entry))
        return entries

    def _known(self, coder: str, transcript_id: str) -> bool:
        """Whether a transcript file of the study has this id, or the coder has a codings or memos file
        for it."""
        from analysis.coding.memos import MemoStore  # memos build on this store
        from analysis.text.corpus import SUFFIXES

        files = (self.path(coder, transcript_id), MemoStore(self).path(coder, transcript_id))
        return any(path.is_file() for path in files) or any(
            (self.study.transcripts_dir / f"{transcript_id}{suffix}").is_file() for suffix in SUFFIXES)

    def _replay(self, coder: str) -> tuple[list[dict], list[dict]]:
        """The coder's actions still standing and those undone that can be redone (latest last), from
        the checked log: an undo takes back the latest standing action, a redo restores the latest undone
        one, and any new action ends what can be redone."""
        standing: list[dict] = []
        undone: list[dict] = []
        for _, entry in self._checked_log(coder, known=True):
            if entry["action"] == "undo":
                if standing:
                    undone.append(standing.pop())
            elif entry["action"] == "redo":
                if undone:
                    standing.append(undone.pop())
            else:
                standing.append(entry)
                undone.clear()
        return standing, undone

    def undo(self, coder: str) -> dict:
        """Undo the coder's last action that is not undone yet; return the log entry undone.

        Every entry of the log is checked before anything is written (see the module docstring).
        """
        stack = self._replay(coder)[0]
        if not stack:
            raise CodingError(f"nothing to undo for {coder}", path=self.folder(coder) / LOG_NAME,
                              fix="there is no earlier action in this coder's log")
        return self._step(coder, stack[-1], undo=True)

    def redo(self, coder: str) -> dict:
        """Do again the coder's action undone last (unless a new action came since); return its log entry."""
        undone = self._replay(coder)[1]
        if not undone:
            raise CodingError(f"nothing to redo for {coder}", path=self.folder(coder) / LOG_NAME,
                              fix="only an undone action can be redone, before any new change")
        return self._step(coder, undone[-1], undo=False)

    def _step(self, coder: str, target: dict, *, undo: bool) -> dict:
        """Take back (``undo``) or do again the logged action ``target``; return it."""
        if target.get("kind") == "memo":
            from analysis.coding.memos import MemoStore  # memos build on this store

            memos = MemoStore(self)
            if undo:
                memos.undo_entry(target)
            else:
                memos.redo_entry(target)
            return target
        row = coding_from_row(target["row"])
        action = target["action"]
        present = (action == "add") != undo  # after the step, is ``row`` saved (add/remove)?
        swapped_in = coding_from_row(target["old"]) if undo and action not in ("add", "remove") else row

        def change(codings: list[Coding]):
            if action not in ("add", "remove"):
                kept = [swapped_in if c.key == row.key else c for c in codings]
            elif not present:
                kept = [c for c in codings if c.key != row.key]
            else:
                kept = codings if any(c.key == row.key for c in codings) else [*codings, row]
            return kept, [{"undoes" if undo else "redoes": action, "row": target["row"]}]

        self._change(coder, target["transcript_id"], "undo" if undo else "redo", change)
        return target
