"""Sitthi ids for what other programs name freely: transcripts, coders and attribute keys."""

from __future__ import annotations

import re
import unicodedata

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
