"""Derived tables of a whole study cached under its cache folder, usable transcript by transcript.

Each kind of table (``segments``, ``tokens``, ...) is one Arrow IPC file ``<cache>/<kind>.arrow``
holding the rows of every transcript, one transcript after another. Its schema metadata lists,
for each transcript, the key its rows were built for (the transcript's hash plus the settings
that shaped them) and where they are; rows with another key are stale and ignored. One file per
kind means one write per run however many transcripts changed, and a run where nothing changed
reads (memory-maps) one file per kind. ``files.json`` remembers each transcript file's size,
modification time, id and hash, so an unchanged file need not be read again to know its hash.
Writes are atomic (``analysis.files``), so a crash never leaves a half-written cache.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from analysis.files import atomic_target, write_atomic

PARTS = b"sitthi-parts"


@dataclass(frozen=True)
class CachedTable:
    """A cached table and, per transcript in row order, ``(key, first row, number of rows)``."""

    table: pa.Table
    parts: dict[str, tuple[str, int, int]]

    def keys(self) -> dict[str, str]:
        return {name: key for name, (key, _, _) in self.parts.items()}

    def span(self, name: str, key: str) -> tuple[pa.Table, int, int] | None:
        """``(table, first row, number of rows)`` of ``name`` if built for ``key``, else ``None``."""
        found = self.parts.get(name)
        if found is None or found[0] != key:
            return None
        return self.table, found[1], found[2]


class TableCache:
    """The cached tables of one study, one file per kind, in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, kind: str) -> Path:
        return self.folder / f"{kind}.arrow"

    def load(self, kind: str) -> CachedTable | None:
        """The cached table of ``kind`` with its parts, or ``None`` if absent or unreadable.

        The file is memory-mapped: text columns become pandas columns without a copy.
        """
        try:
            with pa.memory_map(str(self._path(kind))) as source:
                table = pa.ipc.open_file(source).read_all()
            listed = json.loads((table.schema.metadata or {})[PARTS])
            parts = {name: (key, int(first), int(count)) for name, key, first, count in listed}
        except (OSError, pa.ArrowInvalid, KeyError, ValueError, TypeError):
            return None
        if sum(count for _, _, count in parts.values()) != table.num_rows:
            return None
        return CachedTable(table.replace_schema_metadata(), parts)

    def save(self, kind: str, table: pa.Table, parts: list[tuple[str, str, int]]) -> None:
        """Store ``table``, made of the rows of each ``(name, key, number of rows)`` in turn (atomically)."""
        listed, first = [], 0
        for name, key, count in parts:
            listed.append([name, key, first, count])
            first += count
        if first != table.num_rows:
            raise ValueError(f"{first} rows in the parts, {table.num_rows} in the table")
        schema = table.schema.with_metadata({PARTS: json.dumps(listed).encode()})
        path = self._path(kind)
        try:
            with atomic_target(path) as temporary, pa.ipc.new_file(str(temporary), schema) as writer:
                writer.write_table(table)
        except PermissionError:  # Windows: the old file is still mapped (its stale keys are ignored)
            return
        shutil.rmtree(self.folder / kind, ignore_errors=True)  # the per-transcript files of older versions


class FileIndex:
    """``files.json``: size, mtime, id and hash of each transcript file seen before."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "files.json"
        try:
            self.entries: dict[str, dict] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.entries = {}
        self.changed = False

    def lookup(self, path: Path) -> tuple[str, str] | None:
        """``(transcript id, sha256)`` if ``path`` is unchanged since it was recorded."""
        entry = self.entries.get(path.name)
        stat = path.stat()
        if entry and entry["size"] == stat.st_size and entry["mtime_ns"] == stat.st_mtime_ns:
            return entry["id"], entry["sha256"]
        return None

    def record(self, path: Path, transcript_id: str, sha256: str) -> None:
        stat = path.stat()
        self.entries[path.name] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
                                   "id": transcript_id, "sha256": sha256}
        self.changed = True

    def save(self, keep: set[str]) -> None:
        """Write the index (dropping files that are gone) if anything changed."""
        stale = set(self.entries) - keep
        if not self.changed and not stale:
            return
        for name in stale:
            del self.entries[name]
        write_atomic(self.path, json.dumps(self.entries, indent=1, sort_keys=True))
