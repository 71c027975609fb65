"""``sitthi anonymise``: propose a pseudonym key for the raw transcripts, then apply it as reviewed.

The key (``key.csv``), the review table (``review.csv``: every hit in context, surest first) and the
study's own list of names (``names.txt``: ``kind<TAB>name`` per line) live in the secrets folder
OUTSIDE the study (``Study.secrets_dir``: ``~/.sitthi/<study id>/``). ``--propose`` scans each raw
file's body, its front matter (every value but the schema's: id, language, anonymised, fictional,
translation_of) and the memos of codings waiting in ``data/raw/codings/``, and merges what it finds
into the key (see ``analysis.privacy.key`` for the reviewer's ``status`` column). ``--apply`` replaces
on word boundaries (``analysis.privacy.replace``) in the body, the front matter and the memos, then
re-scans the whole output file with the key and the confident finders: any survivor refuses the file
(its line given, the identifier masked). Imported codings are carried (``coding/imported.py``).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from analysis.coding.imported import Carried, Change, carry_codings, waiting_memos
from analysis.errors import SitthiError, TranscriptError
from analysis.files import write_atomic
from analysis.privacy.front_matter import anonymised_head, pseudonymise_head, scannable_head
from analysis.privacy.hits import mask
from analysis.privacy.key import (
    KEY_COLUMNS,
    REVIEW_STATUS,
    AnonymiseError,
    Key,
    clean,
    highest_numbers,
    load_key,
    read_names,
    write_csv,
    write_key,
)
from analysis.privacy.pii import Hit, find_identifiers, numbers_and_addresses
from analysis.privacy.replace import Replacer
from analysis.study import Study
from analysis.text.corpus import read_transcript, split_front_matter, transcript_files
from analysis.text.normalise import normalise
from analysis.text.reading import read_text_file

__all__ = ["KEY_COLUMNS", "AnonymiseError", "apply_for_review", "apply_key", "propose", "propose_for_review",
           "pseudonymise", "pseudonymise_with_changes", "read_key", "read_names", "secrets_folder",
           "write_proposal"]

KEY_FILE, REVIEW_FILE, NAMES_FILE = "key.csv", "review.csv", "names.txt"
ADD_TO_KEY = "add it to key.csv with a replacement (or mend its row), then apply again"
NUMBERED = {"name": "NAME", "place": "PLACE", "person": "NAME", "bar": "PLACE", "hotel": "PLACE",
            "org": "ORG", "custom": "NAME"}
UNNUMBERED = {"phone": "[PHONE]", "id_card": "[ID]", "email": "[EMAIL]", "url": "[URL]", "social": "[SOCIAL]",
              "passport": "[PASSPORT]", "plate": "[PLATE]"}
REVIEW_COLUMNS = [REVIEW_STATUS, "confidence", "kind", "original", "replacement", "file", "line", "context",
                  "why"]


@dataclass
class Raw:
    """One raw transcript: its file, front matter text, body and the line the body starts on."""

    path: Path
    head: str
    body: str
    body_line: int


@dataclass
class Scanned:
    """A text the proposal scans: a body, a front matter with its schema lines blanked, or a memo."""

    file: str
    text: str
    first_line: int

    @cached_property
    def _newlines(self) -> list[int]:
        return [match.start() for match in re.finditer("\n", self.text)]

    def line_of(self, offset: int) -> int:
        """The file line of an offset (a binary search: a file with many hits stays linear)."""
        return self.first_line + bisect.bisect_left(self._newlines, offset)


def secrets_folder(study: Study) -> Path:
    """The study's secrets folder, refused if it lies inside the study (it would travel with it)."""
    folder = study.secrets_dir.expanduser().resolve()
    if folder == study.root or study.root in folder.parents:
        raise AnonymiseError("the secrets folder is inside the study", path=folder,
                             fix="set SITTHI_SECRETS to a folder outside the study "
                                 "(default ~/.sitthi/<study id>)")
    return folder


def study_id_note(study: Study) -> str | None:
    """What to tell the user of a study without an ``id`` (its key folder follows the folder's path)."""
    if study.id:
        return None
    return (f"{study.config_file}: [study] has no id, so the key folder is named after this folder's path "
            f"({study.key_id}) — add a line such as id = \"{study.key_id}\" under [study] so that the key "
            "stays found if the study moves")


def read_raw(study: Study) -> list[Raw]:
    """Every raw transcript (any format and encoding the corpus reader takes), normalised."""
    raws = []
    for path in transcript_files(study.raw_dir):
        text, _ = read_text_file(path)
        head, body, body_line = split_front_matter(normalise(text), path)
        raws.append(Raw(path, head, body, body_line))
    return raws


def study_names(study: Study) -> dict[str, str]:
    """The team's own list (``names.txt`` in the secrets folder): name → kind."""
    path = secrets_folder(study) / NAMES_FILE
    return read_names(path) if path.is_file() else {}


# -- propose --------------------------------------------------------------------------------------------


def scanned_texts(study: Study, raws: list[Raw] | None = None) -> list[Scanned]:
    """Every text the proposal reads: bodies, front matters and memos waiting with imported codings."""
    texts = []
    for raw in raws if raws is not None else read_raw(study):
        texts.append(Scanned(raw.path.name, scannable_head(raw.head), 1))
        texts.append(Scanned(raw.path.name, raw.body, raw.body_line))
    for path, line, memo in waiting_memos(study):
        texts.append(Scanned(str(path.relative_to(study.raw_dir)), normalise(memo), line))
    return texts


def _context(text: str, hit: Hit, width: int = 30) -> str:
    before = text[max(0, hit.start - width):hit.start].replace("\n", " ")
    after = text[hit.end:hit.end + width].replace("\n", " ")
    return f"…{before}⟦{hit.text}⟧{after}…"


def _replacement(kind: str, numbers: dict[str, int]) -> str:
    if kind in UNNUMBERED:
        return UNNUMBERED[kind]
    prefix = NUMBERED.get(kind, "NAME")
    numbers[prefix] = numbers.get(prefix, 0) + 1
    return f"[{prefix}-{numbers[prefix]:02d}]"


def _refresh_counts(key: Key, raws: list[Raw], study: Study) -> None:
    """``count`` and ``files`` of every row: what ``--apply`` would really replace, and where."""
    replacer = Replacer(key.replacements())
    counts: Counter = Counter()
    files: dict[str, set[str]] = {}
    for raw in raws:
        found = replacer.replace(raw.body)[2] + pseudonymise_head(raw.head, replacer)[1]
        for original in found:
            files.setdefault(original, set()).add(raw.path.name)
        counts += found
    for path, _, memo in waiting_memos(study):
        found = replacer.replace(normalise(memo))[2]
        for original in found:
            files.setdefault(original, set()).add(str(path.relative_to(study.raw_dir)))
        counts += found
    for row in key.rows:
        row["count"] = str(counts.get(row["original"], 0))
        if row["original"] in files:
            row["files"] = " ".join(sorted(files[row["original"]]))


def propose(study: Study) -> tuple[Key, pd.DataFrame]:
    """The key merged with what the finders propose now, and the review table (every hit in context).

    Every row of an existing key is kept with its edits; new candidates are appended with status
    ``new``; rejected originals are never proposed again.
    """
    folder = secrets_folder(study)
    key = load_key(folder / KEY_FILE, folder / REVIEW_FILE) if (folder / KEY_FILE).is_file() else Key()
    custom, known, rejected = study_names(study), key.known(), key.rejected_originals()
    raws = read_raw(study)
    numbers, review, new_rows = highest_numbers(key), [], {}
    for scanned in scanned_texts(study, raws):
        for hit in find_identifiers(scanned.text, custom=custom, keep_places=study.keep_places):
            original = clean(hit.text)
            if not original or original.lower() in rejected:
                continue
            kind = custom.get(original, hit.kind) if hit.kind == "custom" else hit.kind
            if original.lower() not in known and original.lower() not in new_rows:
                new_rows[original.lower()] = {"original": original, "kind": kind, "status": "new",
                                              "replacement": _replacement(kind, numbers), "confidence": 0.0}
            row = new_rows.get(original.lower())
            if row is not None:
                row["confidence"] = max(float(row["confidence"]), hit.confidence)
            review.append({"confidence": round(hit.confidence, 2), "kind": kind, "original": original,
                           "file": scanned.file, "line": scanned.line_of(hit.start),
                           "context": _context(scanned.text, hit), "why": hit.why})
    key.rows += [{**row, "confidence": f"{row['confidence']:.2f}"} for row in new_rows.values()]
    _refresh_counts(key, raws, study)
    return key, _review_table(key, review)


def _review_table(key: Key, review: list[dict]) -> pd.DataFrame:
    """Hits with the key's replacement and status; new ones first, surest first, guesses last."""
    by_original = {}
    for row in key.rows:
        by_original.setdefault(row["original"].lower(), row)
    for item in review:
        row = by_original[item["original"].lower()]
        item["replacement"], item[REVIEW_STATUS] = row.get("replacement", ""), row.get("status", "new")
    review.sort(key=lambda r: (r[REVIEW_STATUS] != "new", -r["confidence"], r["original"].lower(), r["file"],
                               r["line"]))
    return pd.DataFrame(review, columns=REVIEW_COLUMNS)


def _write(study: Study) -> tuple[Path, Path, int, pd.DataFrame]:
    if not transcript_files(study.raw_dir):
        raise AnonymiseError("there are no raw transcripts to anonymise", path=study.raw_dir,
                             fix="put the typed-up interviews (.md, .txt or .docx) in this folder")
    folder = secrets_folder(study)
    before = len(load_key(folder / KEY_FILE).rows) if (folder / KEY_FILE).is_file() else 0
    key, review = propose(study)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_key(folder / KEY_FILE, key)
    write_csv(folder / REVIEW_FILE, REVIEW_COLUMNS, review.to_dict("records"))
    return folder / KEY_FILE, folder / REVIEW_FILE, len(key.rows) - before, review


def write_proposal(study: Study) -> tuple[Path, Path, int]:
    """Propose and merge into ``key.csv``, write ``review.csv`` (both in the secrets folder, never the
    study); the count is of the new candidates."""
    return _write(study)[:3]


# -- apply ---------------------------------------------------------------------------------------------


def read_key(study: Study) -> dict[str, str]:
    """The reviewed key: original → replacement (rejected rows and empty replacements left out)."""
    return _reviewed(study).replacements()


def _reviewed(study: Study) -> Key:
    folder = secrets_folder(study)
    if not (folder / KEY_FILE).is_file():
        raise AnonymiseError("there is no key yet", path=folder / KEY_FILE,
                             fix="run `sitthi anonymise --propose` first")
    return load_key(folder / KEY_FILE, folder / REVIEW_FILE)


def pseudonymise_with_changes(text: str, key: dict[str, str]) -> tuple[str, list[Change]]:
    """``text`` with every key original replaced on word boundaries, longest first, in one pass, and
    each replacement as (old start, old end, new start, new end)."""
    new, changes, _ = Replacer({clean(o): r for o, r in key.items()}).replace(text)
    return new, changes


def pseudonymise(text: str, key: dict[str, str]) -> str:
    """``text`` with every key original replaced on word boundaries, longest first, in one pass."""
    return pseudonymise_with_changes(text, key)[0]


@dataclass
class Guard:
    """What must never be in an anonymised file: the key's originals (on word boundaries) and what the
    confident finders find (ID and phone numbers, e-mail: ``numbers_and_addresses``)."""

    replacer: Replacer

    def leaks(self, text: str) -> list[tuple[int, str]]:
        """``(offset, text)`` of every survivor, in order."""
        found = [(o.start, text[o.start:o.end]) for o in self.replacer.find(text)]
        found += [(h.start, h.text) for h in numbers_and_addresses(text)]
        return sorted(set(found))

    def memo_leaks(self, memo: str) -> list[str]:
        """What a pseudonymised memo still holds, masked."""
        return [mask(text) for _, text in self.leaks(memo)]


@dataclass
class Applied:
    """What ``apply_key`` wrote and refused, and the codings it carried over from ``data/raw/codings``."""

    written: list[Path] = field(default_factory=list)
    problems: list[SitthiError] = field(default_factory=list)
    carried: Carried = field(default_factory=Carried)
    replaced: Counter = field(default_factory=Counter)  # original → how often it was replaced


def _output(raw: Raw, replacer: Replacer, guard: Guard, result: Applied) -> tuple[str, list[Change]] | None:
    """The anonymised file text and the body's changes, or None (a problem added) if anything survives."""
    body, changes, counts = replacer.replace(raw.body)
    head, head_counts = pseudonymise_head(raw.head, replacer)
    head, appended = anonymised_head(head)
    text = f"---\n{head}\n---\n{body}"
    survivors = guard.leaks(text)
    if survivors:
        offset, found = survivors[0]
        line = text.count("\n", 0, offset) + 1
        line -= appended and line > head.count("\n") + 2
        more = f" (and {len(survivors) - 1} more)" if len(survivors) > 1 else ""
        what = f"refused: '{mask(found)}' would remain after anonymising{more}"
        result.problems.append(AnonymiseError(what, path=raw.path, line=line, fix=ADD_TO_KEY))
        return None
    result.replaced += counts + head_counts
    return text, changes


def apply_key(study: Study) -> Applied:
    """Write every raw transcript, pseudonymised (body, front matter), to ``data/transcripts/<id>.md``,
    and carry the codings waiting with it (memos pseudonymised too).

    A file in which anything would remain is not written; its problem names the line, masked.
    """
    key = _reviewed(study)
    replacer = Replacer(key.replacements())
    guard = Guard(replacer)
    result = Applied()
    study.transcripts_dir.mkdir(parents=True, exist_ok=True)
    for raw in read_raw(study):
        output = _output(raw, replacer, guard, result)
        if output is None:
            continue
        text, changes = output
        target = study.transcripts_dir / f"{raw.path.stem}.md"
        write_atomic(target, text)
        result.written.append(target)
        try:
            transcript = read_transcript(target, languages=study.languages,
                                         require_labels=study.segment_unit == "turn")
        except TranscriptError as err:  # anonymised and written, but sitthi check will refuse it
            result.problems.append(err)
            continue
        carried = carry_codings(study, raw.body, transcript, changes,
                                lambda memo: replacer.replace(normalise(memo))[0], guard.memo_leaks)
        result.carried.count += carried.count
        result.carried.lost += carried.lost
        result.carried.kept += carried.kept
        result.problems += [AnonymiseError(f"refused: a memo would still hold '{found}'", path=path,
                                           line=line, fix=ADD_TO_KEY)
                            for path, line, found in carried.refused]
        result.problems += carried.broken
    return result


NO_RAW = ("data/raw/ is empty: put the typed-up interviews there first. / "
          "ยังไม่มีบทสัมภาษณ์ต้นฉบับใน data/raw/")


def propose_for_review(study: Study) -> pd.DataFrame | str:
    """Write the proposal and return the review table (or say that there is nothing to anonymise)."""
    if not transcript_files(study.raw_dir):
        return NO_RAW
    return _write(study)[3]


def apply_for_review(study: Study) -> pd.DataFrame | str:
    """Apply the reviewed key; one row per raw file: written, or refused and why."""
    if not transcript_files(study.raw_dir):
        return NO_RAW
    applied = apply_key(study)
    rows = [{"file": p.name, "result": "written / บันทึกแล้ว", "problem": ""} for p in applied.written]
    rows += [{"file": p.path.name, "result": "refused / ไม่บันทึก", "problem": p.message}
             for p in applied.problems]
    return pd.DataFrame(rows, columns=["file", "result", "problem"])
