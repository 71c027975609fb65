"""What the identifier finders return: a ``Hit`` with its kind, overlaps resolved, masked display."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

KINDS = ("id_card", "passport", "plate", "phone", "email", "url", "social", "name", "place", "custom")
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


@dataclass(frozen=True)
class Hit:
    """One identifier found: ``text == source[start:end]``.

    ``confidence`` (0–1) says how sure the finder is: 1.0 for a checked number or a listed name,
    lower for a high-recall guess (an unknown word, a capitalised word) that a reviewer confirms or
    rejects; ``why`` says in a few words what made it a candidate.
    """

    start: int
    end: int
    text: str
    kind: str
    confidence: float = 1.0
    why: str = ""


def mask(text: str) -> str:
    """Enough of an identifier to find it again, never all of it: ``0812345678`` → ``08…78``."""
    text = " ".join(text.split())
    if len(text) <= 2:
        return "…"
    if len(text) <= 5:
        return text[0] + "…"
    return text[:2] + "…" + text[-2:]


def without_overlaps(hits: list[Hit]) -> list[Hit]:
    """Longest first wins; the rest must not overlap it."""
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (-(h.end - h.start), h.start)):
        if all(hit.end <= k.start or hit.start >= k.end for k in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: h.start)


def word_pattern(name: str) -> str:
    """A Latin name as a whole word (Thai letters may touch it: Thai puts no space before it)."""
    return rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])" if name.isascii() else re.escape(name)


class Tokens(dict):
    """Start offset → token of one text; its word boundaries are worked out once."""

    @cached_property
    def edges(self) -> frozenset[int]:
        """Every offset where a token starts or ends."""
        return frozenset(self) | {start + len(token) for start, token in self.items()}


def token_edges(tokens: dict[int, str]) -> frozenset[int]:
    """The word boundaries of ``tokens`` (kept on a ``Tokens`` map, computed for a plain dict)."""
    return tokens.edges if isinstance(tokens, Tokens) else Tokens(tokens).edges
