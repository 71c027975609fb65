"""Normalising transcript text once, at ingest, so that offsets stay valid forever after.

Rules, in order: line ends to LF; zero-width characters removed; Thai vowel and tone-mark order
fixed (pythainlp ``reorder_vowels``); Unicode NFC. Repeated until nothing changes, so normalising
twice changes nothing. Spaces, blank lines and repeated letters are kept: pythainlp's
``normalize`` would collapse the blank lines that separate turns and delete the elongated vowels
that speakers use for emphasis.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from pythainlp.util import reorder_vowels

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_ZERO_WIDTH_RE = re.compile(f"[{ZERO_WIDTH}]")
_MAX_PASSES = 8


def _one_pass(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ZERO_WIDTH_RE.sub("", text)
    text = reorder_vowels(text)
    return unicodedata.normalize("NFC", text)


def normalise(text: str) -> str:
    """Return the normalised form of ``text`` (idempotent: ``normalise(normalise(t)) == normalise(t)``)."""
    for _ in range(_MAX_PASSES):
        fixed = _one_pass(text)
        if fixed == text:
            return fixed
        text = fixed
    return text


def sha256(text: str) -> str:
    """SHA-256 (hex) of text encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
