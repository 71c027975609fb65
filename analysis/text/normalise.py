"""Normalising transcript text once, at ingest, so that offsets stay valid forever after.

Rules, in order: line ends to LF; zero-width characters removed; Thai vowel and tone-mark order
fixed (pythainlp ``reorder_vowels``'s rules); Unicode NFC. Repeated until nothing changes, so
normalising twice changes nothing. Spaces, blank lines and repeated letters are kept: pythainlp's
``normalize`` would collapse the blank lines that separate turns and delete the elongated vowels
that speakers use for emphasis.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from pythainlp import thai_above_vowels, thai_below_vowels, thai_follow_vowels, thai_tonemarks

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_ZERO_WIDTH_RE = re.compile(f"[{ZERO_WIDTH}]")
_MAX_PASSES = 8
_TONES = f"[{thai_tonemarks}\u0e4c]"  # tone marks and thanthakhat
_VOWELS = f"[{thai_above_vowels}{thai_below_vowels}]"
_FOLLOW = f"[{thai_follow_vowels}]"
# pythainlp's ``reorder_vowels`` rules, the same replacements in the same order. A run of marks is
# only matched from its first mark (``(?<!…)``) and taken whole (``++``): pythainlp's patterns
# retry from every mark of a run that has no partner after it, quadratic in the run's length
# (elongated vowels, a key held down). The classes of each pair share no character, so no
# match changes.
_REORDER = [
    (re.compile("\u0e40\u0e40"), "\u0e41"),  # sara e + sara e -> sara ae
    (re.compile(f"(?<!{_TONES})({_TONES}++)({_VOWELS}+)"), r"\2\1"),  # tone + vowel -> vowel + tone
    (re.compile(f"\u0e4d([{thai_tonemarks}]*+)\u0e32"), "\\1\u0e33"),  # nikhahit + tone + aa -> tone + am
    (re.compile(f"(?<!{_FOLLOW})({_FOLLOW}++)([{thai_tonemarks}]+)"), r"\2\1"),  # follow vowel + tone
    (re.compile("([^\u0e24\u0e26])\u0e45"), "\\1\u0e32"),  # lakkhangyao -> sara aa
]


def reorder_vowels(text: str) -> str:
    """Thai vowels and tone marks in their standard order, as pythainlp's ``reorder_vowels``
    (the same output), in time linear in the text's length."""
    for pattern, replacement in _REORDER:
        text = pattern.sub(replacement, text)
    return text


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
