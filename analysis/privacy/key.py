"""The pseudonym key (``key.csv``), the team's names list and the reviewer's decisions.

``key.csv`` is the reviewer's: ``--propose`` merges into it and never drops a row or an edit. Its
``status`` column says what the reviewer decided:

- ``new``: proposed by the latest ``--propose`` and not yet reviewed; it IS replaced on apply;
- ``confirmed`` (also ``yes``, ``ok``, ``replace``, ``ยืนยัน``): an identifier, replaced;
- ``rejected`` (also ``keep``, ``no``, ``reject``, ``ไม่ใช่``): not an identifier, never replaced and
  never proposed again. An empty replacement means the same.

The same column in ``review.csv`` may be used instead: a decision there is taken for a row whose
``status`` in ``key.csv`` is still ``new`` (``key.csv`` wins where both decided). Every file is read
as UTF-8 with or without Excel's byte-order mark and written with one (Excel then shows Thai), and
every original is normalised exactly like the transcripts.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import SitthiError
from analysis.files import write_atomic
from analysis.text.normalise import normalise

KEY_COLUMNS = ["original", "kind", "replacement", "status", "confidence", "count", "files"]
NAME_KINDS = ("name", "person", "place", "bar", "hotel", "org")
STATUS = {"": "new", "new": "new",
          "confirmed": "confirmed", "confirm": "confirmed", "yes": "confirmed", "ok": "confirmed",
          "replace": "confirmed", "ยืนยัน": "confirmed",
          "rejected": "rejected", "reject": "rejected", "keep": "rejected", "no": "rejected",
          "ไม่ใช่": "rejected"}
STATUS_HELP = "new, confirmed or rejected (rejected = not an identifier: kept as is, never proposed again)"
REVIEW_STATUS = ("status (new / confirmed / rejected = not an identifier: never replaced, never proposed "
                 "again; so is an empty replacement in key.csv)")


class AnonymiseError(SitthiError):
    """The raw transcripts, the key or the secrets folder are not usable."""


def clean(original: str) -> str:
    """An original as the transcripts hold it: normalised (NFC, Thai mark order, no zero-widths)."""
    return normalise(original).strip()


def read_csv_table(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header and ``(file line, row)`` of a CSV saved by Sitthi, Excel (BOM) or a text editor."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = path.read_bytes()[:err.start].count(b"\n") + 1
        raise AnonymiseError(f"{path.name} is not UTF-8 text", path=path, line=line,
                             fix="save it as 'CSV UTF-8' (Excel) or UTF-8 (any editor)") from None
    reader = csv.DictReader(io.StringIO(text))
    fields = [f.strip() for f in reader.fieldnames or []]
    rows = []
    for row in reader:
        clean_row = {(k or "").strip(): (v if isinstance(v, str) else "") for k, v in row.items()}
        rows.append((reader.line_num, clean_row))
    return fields, rows


def read_names(path: Path) -> dict[str, str]:
    """A names list: one ``kind<TAB>name`` per line (``#`` comments and blank lines skipped)."""
    names = {}
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AnonymiseError("names.txt is not UTF-8 text", path=path,
                             fix="save it as UTF-8 (any editor) and run again") from None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        kind, _, name = line.partition("\t")
        if not clean(name) or kind.strip() not in NAME_KINDS:
            raise AnonymiseError("a line of names.txt is not 'kind<TAB>name'", path=path, line=number,
                                 fix=f"kind is one of {', '.join(NAME_KINDS)}, then a tab, then the name")
        names[clean(name)] = kind.strip()
    return names


def _status(value: str, path: Path, line: int) -> str:
    status = STATUS.get(value.strip().lower())
    if status is None:
        raise AnonymiseError(f"unknown status {value.strip()!r}", path=path, line=line,
                             fix=f"write {STATUS_HELP}")
    return status


def _review_decisions(path: Path) -> dict[str, str]:
    """Decisions taken in ``review.csv``: lower-case original → status (``new`` left out)."""
    if not path.is_file():
        return {}
    fields, rows = read_csv_table(path)
    column = next((f for f in fields if f.startswith("status")), None)
    if column is None or "original" not in fields:
        return {}
    decided = {}
    for line, row in rows:
        status = _status(row.get(column, ""), path, line)
        if status != "new" and clean(row.get("original", "")):
            decided.setdefault(clean(row["original"]).lower(), status)
    return decided


@dataclass
class Key:
    """The rows of ``key.csv`` as the reviewer left them (every column kept), originals normalised."""

    columns: list[str] = field(default_factory=lambda: list(KEY_COLUMNS))
    rows: list[dict[str, str]] = field(default_factory=list)

    def rejected(self, row: dict[str, str]) -> bool:
        return row.get("status") == "rejected" or not row.get("replacement", "").strip()

    def replacements(self) -> dict[str, str]:
        """original → replacement of every row that is not rejected (the first row of an original wins)."""
        found: dict[str, str] = {}
        seen: set[str] = set()
        for row in self.rows:
            lower = row["original"].lower()
            if row["original"] and lower not in seen:
                seen.add(lower)
                if not self.rejected(row):
                    found[row["original"]] = row["replacement"].strip()
        return found

    def known(self) -> set[str]:
        """Lower-case originals already in the key (confirmed or rejected): never proposed again."""
        return {row["original"].lower() for row in self.rows if row["original"]}

    def rejected_originals(self) -> set[str]:
        return {row["original"].lower() for row in self.rows if row["original"] and self.rejected(row)}


def load_key(path: Path, review: Path | None = None) -> Key:
    """Read ``key.csv`` (and the decisions in ``review``), checking every row."""
    fields, rows = read_csv_table(path)
    if not {"original", "replacement"} <= set(fields):
        raise AnonymiseError("key.csv has no 'original' and 'replacement' columns", path=path, line=1,
                             fix="restore the header: " + ",".join(KEY_COLUMNS))
    decisions = _review_decisions(review) if review is not None else {}
    key = Key(columns=fields + [c for c in KEY_COLUMNS if c not in fields])
    for line, row in rows:
        row["original"] = clean(row.get("original", ""))
        if row.get("replacement", "").strip() and not row["original"]:
            raise AnonymiseError("a row has a replacement but no original", path=path, line=line,
                                 fix="fill in the original text, or delete the row")
        row["status"] = _status(row.get("status", ""), path, line)
        if row["status"] == "new":
            row["status"] = decisions.get(row["original"].lower(), "new")
        key.rows.append(row)
    return key


def write_key(path: Path, key: Key) -> None:
    """``key.csv`` with every column the reviewer had, Excel's byte-order mark first."""
    write_csv(path, key.columns, key.rows)


def write_csv(path: Path, columns: list[str], rows: list[dict[str, object]]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_atomic(path, "\ufeff" + out.getvalue())


NUMBER_RE = re.compile(r"^\[([A-Z]+)-(\d+)\]$")


def highest_numbers(key: Key) -> dict[str, int]:
    """The highest number each numbered pseudonym (``[NAME-07]``) has in the key."""
    highest: dict[str, int] = {}
    for row in key.rows:
        match = NUMBER_RE.match(row.get("replacement", "").strip())
        if match:
            highest[match.group(1)] = max(highest.get(match.group(1), 0), int(match.group(2)))
    return highest
