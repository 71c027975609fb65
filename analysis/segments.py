"""Splitting a transcript body into units with exact offsets.

Offsets are Python ``str`` indices (code points), half-open ``[start, end)``, into the normalised
body of the transcript, so ``body[start:end] == text`` always holds.
A paragraph is a run of non-blank lines; paragraphs are separated by one or more blank lines.
A speaker turn is a paragraph that starts with ``LABEL:`` (``I:``, ``R:``, ``ผู้สัมภาษณ์:``);
the label, the colon and the spaces after it are not part of the turn's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PARAGRAPH_RE = re.compile(r"[^\n]*\S[^\n]*(?:\n[^\n]*\S[^\n]*)*")
LABEL_RE = re.compile(r"(?P<label>[^\s:：]{1,24})[:：]")


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a body: its number (from 1), offsets, speaker label (or ``None``)."""

    n: int
    start: int
    end: int
    speaker: str | None
    line: int  # 0-based line of the paragraph within the body


def paragraphs(body: str) -> list[Paragraph]:
    """The paragraphs of ``body`` with their speaker labels split off.

    ``start`` points after the ``LABEL:`` prefix (if any) and the white space after it; ``end``
    is before trailing white space, so ``body[start:end]`` is the turn's own words, stripped.
    """
    found = []
    for n, match in enumerate(_PARAGRAPH_RE.finditer(body), 1):
        start, end = _strip(body, match.start(), match.end())
        speaker = None
        label = LABEL_RE.match(body, start, end)
        if label:
            text_start, _ = _strip(body, label.end(), end)
            if text_start < end:
                speaker, start = label.group("label"), text_start
        found.append(Paragraph(n, start, end, speaker, body.count("\n", 0, match.start())))
    return found


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """Move ``start`` and ``end`` inwards past white space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
