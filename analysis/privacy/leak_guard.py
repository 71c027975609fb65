"""The leak guard: no key original, ID number, phone number or e-mail address in what can leave.

``sitthi check --privacy`` scans every file under the transcripts, the codings, ``outputs/`` and the
notebooks, whatever its name: backups (``.bak``, ``~``, ``.orig``, ``.tmp``, vim ``.swp``), dotfiles,
DOCX (headers, footers, footnotes, comments, authors, properties), XLSX, ODT, RTF, PDF, SVG, HTML,
notebooks (every output, errors too), REFI-QDA ``.qdpx`` and any other file as text or as the
printable runs of its bytes (``analysis.privacy.file_text``). Each finding names ``file:line`` (the
paragraph of a DOCX part, the row of a sheet, the page of a PDF) and masks what it found (``08…78``).
A file that cannot be read is a finding too: someone has to open it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from concurrent.futures import Executor
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis.errors import SitthiError
from analysis.privacy.file_text import Piece, read_file_text
from analysis.privacy.hits import mask
from analysis.privacy.pii import numbers_and_addresses
from analysis.privacy.replace import Replacer
from analysis.study import Study
from analysis.text.normalise import normalise

FIX = "remove it (anonymise the source, or delete this file)"
UNREADABLE_FIX = "open it and check it by hand, or delete it"
_KIND_WORDS = {"key": "an identifier from the key", "id_card": "an ID card number",
               "passport": "a passport number", "phone": "a phone number", "email": "an e-mail address",
               "url": "a web address", "social": "a social media id", "plate": "a vehicle plate"}
_LATIN = r"0-9A-Za-z\u00c0-\u024f"
_THAI = re.compile(r"[\u0e00-\u0e7f]")


class LeakError(SitthiError):
    """Something identifying was found where it must never be."""


def _forms(originals: tuple[str, ...]) -> list[str]:
    return sorted({normalise(o).strip() for o in originals if o.strip()}, key=len, reverse=True)


@lru_cache(maxsize=8)
def key_pattern(originals: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for the key's Latin originals, normalised like the transcripts: whole words in any
    case and spacing ("Nok" is not in "Nokia")."""
    parts = [r"\s+".join(re.escape(word) for word in form.split())
             for form in _forms(originals) if not _THAI.search(form)]
    return re.compile("|".join(rf"(?<![{_LATIN}])(?:{p})(?![{_LATIN}])" for p in parts),
                      re.IGNORECASE) if parts else None


@lru_cache(maxsize=8)
def thai_key(originals: tuple[str, ...]) -> Replacer | None:
    """The key's Thai originals, found on token boundaries exactly as ``--apply`` replaces them: the
    nickname ใหม่ is not flagged inside เชียงใหม่, which apply rightly leaves alone."""
    thai = {form: "" for form in _forms(originals) if _THAI.search(form)}
    return Replacer(thai) if thai else None


_HITS_CACHE: dict[tuple[bytes, tuple[str, ...]], tuple[tuple[int, str, str], ...]] = {}
_HITS_CACHE_SIZE = 4096  # texts whose hits are remembered (outputs repeat labels in png/svg/pdf/csv)


def _text_hits(text: str, originals: tuple[str, ...]) -> tuple[tuple[int, str, str], ...]:
    """(line offset, text, kind) of each key original and each ID / phone / e-mail in ``text``; the
    same text with the same key gives the same hits, so they are looked up by the text's digest."""
    key = (hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).digest(), originals)
    if key not in _HITS_CACHE:
        if len(_HITS_CACHE) >= _HITS_CACHE_SIZE:
            _HITS_CACHE.clear()
        _HITS_CACHE[key] = _find_hits(normalise(text), originals)
    return _HITS_CACHE[key]


def _find_hits(text: str, originals: tuple[str, ...]) -> tuple[tuple[int, str, str], ...]:
    pattern, thai = key_pattern(originals), thai_key(originals)
    found = [(m.start(), m.group(), "key") for m in pattern.finditer(text)] if pattern else []
    found += [(o.start, text[o.start:o.end], "key") for o in thai.find(text)] if thai else []
    found += [(h.start, h.text, h.kind) for h in numbers_and_addresses(text)]
    return tuple((text.count("\n", 0, start), what, kind) for start, what, kind in sorted(found))


def _piece_hits(piece: Piece, originals: tuple[str, ...]) -> list[tuple[int, str, str]]:
    """(line, text, kind) of each key original and each ID / phone / e-mail in ``piece``."""
    return [(piece.first + lines, what, kind) for lines, what, kind in _text_hits(piece.text, originals)]


def scan_file(path: Path, originals: Iterable[str] = ()) -> list[LeakError]:
    """Every key original and ID / phone / e-mail in ``path``, one finding per identifier and line;
    a file that cannot be read is a finding too (after whatever could be read of it is scanned)."""
    read = read_file_text(path)
    found = []
    if read.problem:
        found.append(LeakError(f"could not be read ({read.problem})", path=path, fix=UNREADABLE_FIX))
    originals, seen = tuple(originals), set()
    for piece in read.pieces:
        for line, what, kind in _piece_hits(piece, originals):
            if (piece.part, line, what.casefold()) not in seen:
                seen.add((piece.part, line, what.casefold()))
                where = f" in {piece.part}" if piece.part else ""
                words = _KIND_WORDS.get(kind, f"an identifier ({kind})")
                found.append(LeakError(f"{words} ({mask(what)}){where}", path=path, line=line, fix=FIX))
    return found


def privacy_files(study: Study) -> list[Path]:
    """What the guard scans: every file (backups, dotfiles and hidden folders too) under the
    transcripts, codings, outputs and the notebooks next to the study."""
    files = []
    for folder in (study.transcripts_dir, study.codings_dir, study.outputs_dir, study.root / "notebooks"):
        if folder.is_dir():
            files += sorted(p for p in folder.rglob("*") if p.is_file())
    return files


def key_originals(study: Study) -> list[str]:
    """The key's originals, if a key exists (the guard also runs in studies without one)."""
    from analysis.privacy.anonymise import KEY_FILE, read_key, secrets_folder

    return list(read_key(study)) if (secrets_folder(study) / KEY_FILE).is_file() else []


def check_privacy(study: Study, files: list[Path] | None = None, *,
                  pool: Executor | None = None) -> list[LeakError]:
    """Leaks in ``files`` (default: ``privacy_files``), file by file; with ``pool``, the files are
    scanned in its worker processes (the largest first), the findings still in the order of ``files``."""
    originals = tuple(key_originals(study))
    files = privacy_files(study) if files is None else files
    if pool is None:
        return [leak for path in files for leak in scan_file(path, originals)]
    largest = sorted(files, key=_size, reverse=True)
    scans = dict(zip(largest, [pool.submit(scan_file, path, originals) for path in largest], strict=True))
    return [leak for path in files for leak in scans[path].result()]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def privacy_report(study: Study) -> pd.DataFrame | str:
    """The leak guard's findings as a table (file, line, what), or a sentence saying all is well."""
    leaks = check_privacy(study)
    if not leaks:
        return "OK: nothing identifying found. / ไม่พบข้อมูลที่ระบุตัวตน"
    return pd.DataFrame([{"file": str(leak.path), "line": leak.line, "what": leak.what} for leak in leaks])
