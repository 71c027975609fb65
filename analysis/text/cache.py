"""Derived tables cached per transcript under a study's cache folder.

Each table is an Arrow IPC file ``<cache>/<kind>/<transcript_id>.arrow`` whose schema metadata
holds the key it was built for (the transcript's hash plus the settings that shaped it); a file
with another key is stale and ignored. ``files.json`` remembers each transcript file's size,
modification time, id and hash, so an unchanged file need not be read again to know its hash.
Writes are atomic (``analysis.files``), so a crash never leaves a half-written cache.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa

from analysis.files import atomic_target, write_atomic

KEY = b"sitthi-key"


class TableCache:
    """Per-transcript tables of one kind (``segments``, ``tokens``, ...) in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, kind: str, name: str) -> Path:
        return self.folder / kind / f"{name}.arrow"

    def load(self, kind: str, name: str, key: str) -> pa.Table | None:
        """The cached table, or ``None`` if absent, stale or unreadable."""
        path = self._path(kind, name)
        try:
            with pa.memory_map(str(path)) as source:
                table = pa.ipc.open_file(source).read_all()
        except (OSError, pa.ArrowInvalid):
            return None
        if (table.schema.metadata or {}).get(KEY) != key.encode():
            return None
        return table

    def save(self, kind: str, name: str, key: str, table: pa.Table) -> None:
        """Store ``table`` for ``name`` under ``key`` (atomically)."""
        path = self._path(kind, name)
        schema = table.schema.with_metadata({**(table.schema.metadata or {}), KEY: key.encode()})
        with atomic_target(path) as temporary, pa.ipc.new_file(str(temporary), schema) as writer:
            writer.write_table(table)

    def prune(self, kind: str, keep: set[str]) -> None:
        """Delete cached tables of transcripts no longer in the study."""
        for path in (self.folder / kind).glob("*.arrow"):
            if path.stem not in keep and not path.name.startswith("."):  # not another writer's temporary
                path.unlink(missing_ok=True)


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
