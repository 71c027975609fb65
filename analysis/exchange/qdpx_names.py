"""Sitthi ids for what other programs name freely: transcripts, coders, attribute keys and codes."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from analysis.codebook.model import ID_RE as CODE_ID_RE
from analysis.coding.rows import CODER_RE
from analysis.text.corpus import RESERVED


def ascii_fold(text: str) -> str:
    """``text`` with accents dropped and anything else outside ASCII removed."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def unique(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3`` … the first not in ``taken`` (case-insensitive); added to it."""
    candidate, n = base, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{base}-{n}"
    taken.add(candidate.lower())
    return candidate


def source_id(name: str, taken: set[str]) -> str:
    """A transcript id from a source name (``Mabêl 2ième.txt`` -> ``Mabel-2ieme``), unique."""
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", name.strip())
    base = re.sub(r"[^A-Za-z0-9]+", "-", ascii_fold(stem)).strip("-")[:60] or f"source-{len(taken) + 1:02d}"
    return unique(base, taken)


def coder_id(name: str, taken: set[str]) -> str:
    """A coder id (a folder name) from a user name (``Friedrich Markgraf`` -> ``friedrich-markgraf``)."""
    base = re.sub(r"[^a-z0-9]+", "-", ascii_fold(name).lower()).strip("-")
    if not base[:1].isalpha():
        base = f"coder-{base}".strip("-")
    base = base[:28].strip("-")
    found = unique(base, taken)
    assert CODER_RE.match(found), found
    return found


def variable_key(name: str) -> str:
    """An attribute key from a variable name (``Age group`` -> ``age_group``), never a reserved key."""
    key = re.sub(r"[^a-z0-9]+", "_", ascii_fold(name).lower()).strip("_") or "variable"
    return f"case_{key}" if key in RESERVED else key


# ----------------------------------------------------------------------------- code ids

CODE_ID_MAX = 40  # longer names are cut on a word boundary and keep a short digest of the whole
# Thai letters as Latin, one character at a time: a fixed table (no dictionary, no library version),
# so the same name gives the same id forever. Tone marks and silent marks are dropped.
_THAI_LATIN = dict(zip(
    "กขฃคฅฆงจฉชซฌญฎฏฐฑฒณดตถทธนบปผฝพฟภมยรฤลฦวศษสหฬอฮ",
    "K KH KH KH KH KH NG CH CH CH S CH Y D T TH TH TH N D T TH TH TH N B P PH F PH F PH M Y R RUE L LUE W "
    "S S S H L O H".split(), strict=True))
_THAI_LATIN |= dict(zip("ะัาำิีึืุูเแโใไ", "A A A AM I I UE UE U U E AE O AI AI".split(), strict=True))
_THAI_LATIN |= {chr(0x0E50 + n): str(n) for n in range(10)}  # Thai digits


def digest(text: str, length: int = 4) -> str:
    """A short, stable upper-case hex digest of ``text`` (a valid id part)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:length].upper()


def latin(text: str) -> str:
    """``text`` with each Thai run spelled in Latin letters (``ทำร้าย`` -> ``THAMRAY``) and set apart
    by spaces, accents dropped, anything else outside ASCII removed."""
    runs = re.split(r"([\u0e00-\u0e7f]+)", text)
    spelled = [" " + "".join(_THAI_LATIN.get(c, "") for c in run) + " " if n % 2 else run
               for n, run in enumerate(runs)]
    return ascii_fold("".join(spelled))


def cap_id(text: str, limit: int = CODE_ID_MAX) -> str:
    """An id of at most ``limit`` characters: cut on a ``-`` with a digest of the whole appended."""
    if len(text) <= limit:
        return text
    head = text[:limit - 5]
    head = head.rsplit("-", 1)[0] if "-" in head[1:] else head
    return f"{head.rstrip('-')}-{digest(text)}"


def code_base(name: str) -> str:
    """A valid code id made from a name alone (``1. OLT - S/T - PUSA`` -> ``C-1-OLT-S-T-PUSA``,
    ``ทำร้ายร่างกาย`` -> ``THAMRAYRANGKAY``); a name with no letter or digit gets ``CODE-<digest>``."""
    slug = re.sub(r"[^A-Z0-9]+", "-", latin(name).upper()).strip("-")
    if not slug:
        return f"CODE-{digest(name.strip(), 6)}"
    return cap_id(slug if slug[0].isalpha() else f"C-{slug}")


def code_id(name: str, taken: set[str], *, parent: str | None = None, key: str = "") -> str:
    """A unique code id for ``name``, added to ``taken``: the name's own id; when a code met earlier
    has it, the parent's id in front; then a digest of ``key`` (the code's GUID) appended. Adding a
    code changes no other id, unless it has the same name and comes earlier in the tree."""
    base = code_base(name)
    tried = [base] + ([cap_id(f"{parent}-{base}")] if parent else [])
    tried.append(cap_id(f"{tried[-1]}-{digest(key or name)}", CODE_ID_MAX + 5))
    found = next((c for c in tried if c not in taken), None)
    n = 1
    while found is None:  # the same name and key twice under one parent: only the order can tell
        n += 1
        found = f"{tried[-1]}-{n}" if f"{tried[-1]}-{n}" not in taken else None
    taken.add(found)
    assert CODE_ID_RE.match(found), found
    return found
