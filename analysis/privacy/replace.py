"""Key originals found and replaced on word boundaries, longest first, in one pass.

Thai has no spaces, so a Thai edge of an original counts only where the study tokenizer puts a token
boundary (the nickname ``ใหม่`` is not inside เชียงใหม่, ``ฝน`` not inside ฝนตก); a name may span
several tokens. A Latin or digit edge counts where no Latin letter, digit or ``_`` touches it (``Ann``
is not inside Annual, ``Nok`` not inside Nokia); Thai letters may touch it (Thai puts no space before
a Latin word). Latin letters match in any case (``noi`` and ``NOI`` are the key's ``Noi``): a missed
name is worse than a replaced word. The same matching finds what survives in an output, so the
check and the replacement never disagree.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from analysis.coding.imported import Change
from analysis.privacy.hits import Tokens


def is_thai(char: str) -> bool:
    return "\u0e00" <= char <= "\u0e7f"


def _wordlike(char: str) -> bool:
    """A character that would continue a Latin word or number (Thai letters do not)."""
    return (char.isalnum() or char == "_") and not is_thai(char)


def _token_edges(text: str) -> frozenset[int]:
    from analysis.text.segmenters import PRIVACY_ENGINE
    from analysis.text.tokenise import tokenizer_for

    return Tokens(tokenizer_for(PRIVACY_ENGINE).pieces(text)).edges


@dataclass
class Occurrence:
    """One place where a key original stands as a word: ``text[start:end]`` equals it but for case."""

    start: int
    end: int
    original: str


@dataclass
class Replacer:
    """Finds and replaces the originals of ``key`` (normalised original → replacement)."""

    key: dict[str, str]
    _lookup: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._lookup = {}
        for original in sorted(self.key, key=len, reverse=True):
            self._lookup.setdefault(original.lower(), original)

    def _edge_ok(self, text: str, position: int, inside: str, outside: str | None, edges) -> bool:
        if outside is None:
            return True
        if is_thai(inside):
            return position in edges()
        return not (_wordlike(inside) and _wordlike(outside))

    def find(self, text: str) -> list[Occurrence]:
        """Every occurrence of an original on word boundaries; overlaps resolved longest first."""
        cached: list[set[int]] = []

        def edges() -> set[int]:
            if not cached:
                cached.append(_token_edges(text))
            return cached[0]

        candidates = []
        for folded, original in self._lookup.items():
            for match in re.finditer(re.escape(folded), text, re.IGNORECASE):
                start, end = match.span()
                if (self._edge_ok(text, start, text[start], text[start - 1] if start else None, edges)
                        and self._edge_ok(text, end, text[end - 1], text[end] if end < len(text) else None,
                                          edges)):
                    candidates.append(Occurrence(start, end, original))
        kept: list[Occurrence] = []
        for occurrence in sorted(candidates, key=lambda o: (o.start - o.end, o.start)):
            if all(occurrence.end <= k.start or occurrence.start >= k.end for k in kept):
                kept.append(occurrence)
        return sorted(kept, key=lambda o: o.start)

    def replace(self, text: str) -> tuple[str, list[Change], Counter]:
        """``text`` with each occurrence replaced, the changes' offsets, and how often each original
        was replaced."""
        parts, changes, counts, last, shift = [], [], Counter(), 0, 0
        for found in self.find(text):
            replacement = self.key[found.original]
            parts += [text[last:found.start], replacement]
            start = found.start + shift
            changes.append((found.start, found.end, start, start + len(replacement)))
            shift += len(replacement) - (found.end - found.start)
            last = found.end
            counts[found.original] += 1
        parts.append(text[last:])
        return "".join(parts), changes, counts
