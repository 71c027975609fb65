"""The audit log of a coder (``log.jsonl``): one JSON line per add / remove / edit / undo of a coding,
or of a memo (``"kind": "memo"``, rows with the memo fields: see ``analysis.coding.memos``).

The log is data, not instructions: ``check_entry`` accepts only entries as Sitthi writes them
(a known action, the log's own coder, a plain transcript id, rows with exactly the coding fields).
A malformed line is a ``CodingError`` naming ``log.jsonl:LINE``; only a last line cut short by a
crash is ignored, and it is cut off before the next append. The log is never opened through a link.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from analysis.coding.rows import CodingError, check_transcript_id, coding_from_row

LOG_NAME = "log.jsonl"
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)  # opening the log never follows a link (not on Windows)

ACTIONS = ("add", "remove", "edit")
LOG_FIX = ("this line is not as Sitthi wrote it: restore log.jsonl from git or a backup, or delete the "
           "line (its action can then not be undone)")


def read_log(path: Path) -> list[tuple[int, object]]:
    """The JSON value of each line of an audit log, with its line number.

    A last line without a newline that is not JSON was cut short by a crash and is ignored; any other
    line that is not JSON is a ``CodingError`` naming ``log.jsonl:LINE``.
    """
    if not path.is_file():
        return []
    lines = path.read_bytes().split(b"\n")
    entries = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entries.append((number, json.loads(line.decode("utf-8"))))
        except ValueError:  # also a line that is not UTF-8
            if number == len(lines):
                continue
            raise CodingError("this line of the audit log is not JSON", path=path, line=number,
                              fix=LOG_FIX) from None
    return entries


def check_entry(entry, coder: str) -> None:
    """Raise ``ValueError`` unless ``entry`` is a log entry as Sitthi writes it for ``coder``: a known
    action, this coder, a plain transcript id, and rows of this coder and transcript."""
    if not isinstance(entry, dict):
        raise ValueError("it is not a JSON object")
    action = entry.get("action")
    if action not in (*ACTIONS, "undo", "redo"):
        raise ValueError(f"unknown action {action!r}")
    if entry.get("coder") != coder:
        raise ValueError(f"coder {entry.get('coder')!r} is not this log's coder '{coder}'")
    if not isinstance(entry.get("at"), str):
        raise ValueError("it has no time ('at')")
    try:
        transcript_id = check_transcript_id(entry.get("transcript_id"))
    except CodingError as err:
        raise ValueError(err.what) from None
    if action == "undo" and entry.get("undoes") not in ACTIONS:
        raise ValueError(f"it undoes an unknown action {entry.get('undoes')!r}")
    if action == "redo" and entry.get("redoes") not in ACTIONS:
        raise ValueError(f"it redoes an unknown action {entry.get('redoes')!r}")
    row_of = coding_from_row
    if entry.get("kind") == "memo":
        from analysis.coding.memos import memo_from_row  # memos build on the store, which uses this log

        row_of = memo_from_row
    elif "kind" in entry:
        raise ValueError(f"unknown kind {entry['kind']!r}")
    for name in ("row", "old") if action == "edit" else ("row",):
        item = row_of(entry.get(name))
        if (item.transcript_id, item.coder_id) != (transcript_id, coder):
            raise ValueError(f"its {name} is about transcript '{item.transcript_id}' by "
                             f"'{item.coder_id}', not '{transcript_id}' by '{coder}'")


def _end_last_line(descriptor: int) -> None:
    """Let a log end with a newline: a complete last line gets one, a line cut short by a crash is cut off."""
    end = os.lseek(descriptor, 0, os.SEEK_END)
    tail = b""
    while end > 0 and b"\n" not in tail:
        start = max(0, end - 4096)
        os.lseek(descriptor, start, os.SEEK_SET)
        tail = os.read(descriptor, end - start) + tail
        end = start
    cut = tail.rfind(b"\n") + 1
    if not tail[cut:]:
        return
    try:
        json.loads(tail[cut:].decode("utf-8"))
    except ValueError:
        os.ftruncate(descriptor, end + cut)
    else:
        os.write(descriptor, b"\n")


def append_log(folder: Path, entries: list[dict]) -> None:
    """Append entries, fsynced, never through a link (a line a crash cut short is cut off first)."""
    flags = os.O_RDWR | os.O_CREAT | os.O_APPEND | _NO_FOLLOW | getattr(os, "O_BINARY", 0)
    descriptor = os.open(folder / LOG_NAME, flags, 0o644)
    try:
        _end_last_line(descriptor)
        data = "".join(json.dumps(entry, ensure_ascii=False) + "\n" for entry in entries).encode("utf-8")
        while data:
            data = data[os.write(descriptor, data):]
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
