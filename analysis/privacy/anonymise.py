"""``sitthi anonymise``: propose a pseudonym key for the raw transcripts, then apply it as reviewed.

The key (``key.csv``: original, kind, replacement, count, files), the review table (every hit in
context) and the study's own list of names (``names.txt``: ``kind<TAB>name`` per line) live in
the secrets folder OUTSIDE the study (``Study.secrets_dir``). A reviewer edits ``key.csv``: change
a replacement, empty it to keep the original (a false alarm), or add a row for anything missed.
Applying writes ``data/transcripts/<id>.md`` with ``anonymised: true`` and refuses any file that
still holds a key original, an ID number, a phone number or an e-mail address afterwards, and
carries codings imported with the raw texts (``raw_codings``).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.coding.imported import Carried, Change, carry_codings
from analysis.errors import SitthiError
from analysis.files import write_atomic
from analysis.privacy.pii import Hit, find_identifiers, numbers_and_addresses
from analysis.study import Study
from analysis.text.corpus import read_transcript, split_front_matter, transcript_files
from analysis.text.normalise import normalise
from analysis.text.reading import read_text_file

KEY_FILE, REVIEW_FILE, NAMES_FILE = "key.csv", "review.csv", "names.txt"
ADD_TO_KEY = "add it to key.csv with a replacement, then apply again"
KEY_COLUMNS = ["original", "kind", "replacement", "count", "files"]
NUMBERED = {"name": "NAME", "place": "PLACE", "person": "NAME", "bar": "PLACE", "hotel": "PLACE",
            "org": "ORG"}
UNNUMBERED = {"phone": "[PHONE]", "id_card": "[ID]", "email": "[EMAIL]", "url": "[URL]", "social": "[SOCIAL]"}


class AnonymiseError(SitthiError):
    """The raw transcripts, the key or the secrets folder are not usable."""


@dataclass
class Raw:
    """One raw transcript: its file, front matter text, body and the line the body starts on."""

    path: Path
    head: str
    body: str
    body_line: int


def secrets_folder(study: Study) -> Path:
    """The study's secrets folder, refused if it lies inside the study (it would travel with it)."""
    folder = study.secrets_dir.expanduser().resolve()
    if folder == study.root or study.root in folder.parents:
        raise AnonymiseError("the secrets folder is inside the study", path=folder,
                             fix="set SITTHI_SECRETS to a folder outside the study "
                                 "(default ~/.sitthi/<study>)")
    return folder


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


def read_names(path: Path) -> dict[str, str]:
    """A names list: one ``kind<TAB>name`` per line (``#`` comments and blank lines skipped)."""
    names = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        kind, _, name = line.partition("\t")
        if not name.strip() or kind.strip() not in NUMBERED:
            raise AnonymiseError("a line of names.txt is not 'kind<TAB>name'", path=path, line=number,
                                 fix=f"kind is one of {', '.join(NUMBERED)}, then a tab, then the name")
        names[name.strip()] = kind.strip()
    return names


def _line_of(raw: Raw, offset: int) -> int:
    return raw.body_line + raw.body.count("\n", 0, offset)


def propose(study: Study) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The proposed key (``KEY_COLUMNS``) and the review table (each hit with file, line, context)."""
    custom = study_names(study)
    counts, files, kinds, first = Counter(), defaultdict(set), {}, {}
    review = []
    for raw in read_raw(study):
        for hit in find_identifiers(raw.body, custom=custom, keep_places=study.keep_places):
            kind = custom.get(hit.text, hit.kind) if hit.kind == "custom" else hit.kind
            counts[hit.text] += 1
            files[hit.text].add(raw.path.name)
            kinds.setdefault(hit.text, kind)
            first.setdefault(hit.text, (raw.path.name, hit.start))
            review.append({"file": raw.path.name, "line": _line_of(raw, hit.start), "kind": kind,
                           "original": hit.text, "context": _context(raw.body, hit)})
    numbers: Counter = Counter()
    rows = []
    for original in sorted(counts, key=lambda o: first[o]):
        kind = kinds[original]
        if kind in UNNUMBERED:
            replacement = UNNUMBERED[kind]
        else:
            numbers[NUMBERED[kind]] += 1
            replacement = f"[{NUMBERED[kind]}-{numbers[NUMBERED[kind]]:02d}]"
        rows.append([original, kind, replacement, counts[original], " ".join(sorted(files[original]))])
    key = pd.DataFrame(rows, columns=KEY_COLUMNS)
    table = pd.DataFrame(review, columns=["file", "line", "kind", "original", "context"])
    return key, table.merge(key[["original", "replacement"]], on="original", how="left")


def _context(body: str, hit: Hit, width: int = 30) -> str:
    before = body[max(0, hit.start - width):hit.start].replace("\n", " ")
    after = body[hit.end:hit.end + width].replace("\n", " ")
    return f"…{before}⟦{hit.text}⟧{after}…"


def write_proposal(study: Study) -> tuple[Path, Path, int]:
    """Propose and write ``key.csv`` and ``review.csv`` to the secrets folder (never the study)."""
    if not transcript_files(study.raw_dir):
        raise AnonymiseError("there are no raw transcripts to anonymise", path=study.raw_dir,
                             fix="put the typed-up interviews (.md, .txt or .docx) in this folder")
    key, review = propose(study)
    folder = secrets_folder(study)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomic(folder / KEY_FILE, key.to_csv(index=False))
    write_atomic(folder / REVIEW_FILE, review.to_csv(index=False))
    return folder / KEY_FILE, folder / REVIEW_FILE, len(key)


def read_key(study: Study) -> dict[str, str]:
    """The reviewed key: original → replacement (rows with an empty replacement are kept as is)."""
    path = secrets_folder(study) / KEY_FILE
    if not path.is_file():
        raise AnonymiseError("there is no key yet", path=path, fix="run `sitthi anonymise --propose` first")
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    if not reader.fieldnames or not {"original", "replacement"} <= set(reader.fieldnames):
        raise AnonymiseError("key.csv has no 'original' and 'replacement' columns", path=path, line=1,
                             fix="restore the header: " + ",".join(KEY_COLUMNS))
    key = {}
    for number, row in enumerate(reader, 2):
        original, replacement = (row.get("original") or "").strip(), (row.get("replacement") or "").strip()
        if replacement and not original:
            raise AnonymiseError("a row has a replacement but no original", path=path, line=number,
                                 fix="fill in the original text, or delete the row")
        if original and replacement:
            key[original] = replacement
    return key


def pseudonymise_with_changes(text: str, key: dict[str, str]) -> tuple[str, list[Change]]:
    """``text`` with every key original replaced, longest first, in one pass, and each replacement
    as (old start, old end, new start, new end)."""
    if not key:
        return text, []
    pattern = re.compile("|".join(re.escape(o) for o in sorted(key, key=len, reverse=True)))
    parts, changes, last, shift = [], [], 0, 0
    for match in pattern.finditer(text):
        replacement = key[match.group()]
        parts += [text[last:match.start()], replacement]
        start = match.start() + shift
        changes.append((match.start(), match.end(), start, start + len(replacement)))
        shift += len(replacement) - (match.end() - match.start())
        last = match.end()
    parts.append(text[last:])
    return "".join(parts), changes


def pseudonymise(text: str, key: dict[str, str]) -> str:
    """``text`` with every key original replaced, longest first, in one pass."""
    return pseudonymise_with_changes(text, key)[0]


def leaks_in(text: str, key: dict[str, str]) -> list[str]:
    """What in ``text`` must never be in an anonymised transcript."""
    found = [o for o in key if o in text]
    return found + [hit.text for hit in numbers_and_addresses(text)]


def _anonymised_head(head: str) -> str:
    lines = [line for line in head.split("\n") if not re.match(r"anonymised\s*:", line)]
    return "\n".join([*lines, "anonymised: true"])


@dataclass
class Applied:
    """What ``apply_key`` wrote and refused, and the codings it carried over from ``data/raw/codings``."""

    written: list[Path] = field(default_factory=list)
    problems: list[SitthiError] = field(default_factory=list)
    carried: Carried = field(default_factory=Carried)


def apply_key(study: Study) -> Applied:
    """Write every raw transcript, pseudonymised, to ``data/transcripts/<id>.md``, and carry the
    codings waiting with it (``raw_codings``).

    A file that still leaks after replacement is not written; its problem names the line.
    """
    key = read_key(study)
    result = Applied()
    study.transcripts_dir.mkdir(parents=True, exist_ok=True)
    for raw in read_raw(study):
        body, changes = pseudonymise_with_changes(raw.body, key)
        leaks = leaks_in(body, key)
        if leaks:
            line = raw.body_line + body[:body.index(leaks[0])].count("\n")
            result.problems.append(AnonymiseError(f"refused: '{leaks[0]}' would remain after anonymising",
                                                  path=raw.path, line=line, fix=ADD_TO_KEY))
            continue
        target = study.transcripts_dir / f"{raw.path.stem}.md"
        write_atomic(target, f"---\n{_anonymised_head(raw.head)}\n---\n{body}")
        result.written.append(target)
        transcript = read_transcript(target, languages=study.languages,
                                     require_labels=study.segment_unit == "turn")
        carried = carry_codings(study, raw.body, transcript, changes, lambda text: pseudonymise(text, key),
                                lambda text: leaks_in(text, key))
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
    write_proposal(study)
    return propose(study)[1]


def apply_for_review(study: Study) -> pd.DataFrame | str:
    """Apply the reviewed key; one row per raw file: written, or refused and why."""
    if not transcript_files(study.raw_dir):
        return NO_RAW
    applied = apply_key(study)
    rows = [{"file": p.name, "result": "written / บันทึกแล้ว", "problem": ""} for p in applied.written]
    rows += [{"file": p.path.name, "result": "refused / ไม่บันทึก", "problem": p.message}
             for p in applied.problems]
    return pd.DataFrame(rows, columns=["file", "result", "problem"])
