"""Splitting a transcript body into units with exact offsets.

Offsets are Python ``str`` indices (code points), half-open ``[start, end)``, into the normalised
body of the transcript, so ``body[start:end] == text`` always holds.
A paragraph is a run of non-blank lines; paragraphs are separated by one or more blank lines.
A speaker turn is a paragraph that starts with ``LABEL:`` (``I:``, ``R:``, ``ผู้สัมภาษณ์:``);
the label, the colon and the spaces after it are not part of the turn's text.
Everything here is linear in the body's length: paragraphs are only looked for at line starts (a
long line of spaces is read once) and line numbers are counted on from the previous paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# A run of lines with some non-space; only tried at line starts (``^``), the leading spaces taken once.
_PARAGRAPH_RE = re.compile(r"^[^\S\n]*+\S[^\n]*(?:\n[^\S\n]*+\S[^\n]*)*", re.MULTILINE)
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
    line, counted = 0, 0  # the line of offset ``counted``
    for n, match in enumerate(_PARAGRAPH_RE.finditer(body), 1):
        line += body.count("\n", counted, match.start())
        counted = match.start()
        start, end = _strip(body, match.start(), match.end())
        speaker = None
        label = LABEL_RE.match(body, start, end)
        if label:
            text_start, _ = _strip(body, label.end(), end)
            if text_start < end:
                speaker, start = label.group("label"), text_start
        found.append(Paragraph(n, start, end, speaker, line))
    return found


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """Move ``start`` and ``end`` inwards past white space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


SEGMENT_COLUMNS = ["transcript_id", "segment_id", "speaker", "start", "end", "text", "language"]


@dataclass(frozen=True)
class Segment:
    """A unit of analysis: ``text == body[start:end]``; ``segment_id`` is ``<transcript_id>:<n:04d>``."""

    transcript_id: str
    segment_id: str
    speaker: str | None
    start: int
    end: int
    text: str
    language: str


def segment_id(transcript_id: str, n: int) -> str:
    """The stable id of the n-th segment (from 1) of a transcript."""
    return f"{transcript_id}:{n:04d}"


def segment_body(transcript_id: str, body: str, unit: str = "turn") -> list[Segment]:
    """Split a normalised body into segments of one unit: ``turn``, ``paragraph`` or ``sentence``.

    ``turn`` and ``paragraph`` are the same spans (a paragraph's speaker label is split off in
    both); ``sentence`` splits each turn further (Thai and mixed text with pythainlp ``crfcut``,
    English with spaCy's sentencizer). Numbering starts at 1 and depends only on the body, so ids
    are stable for a given text.
    """
    from analysis.text.script import language_of

    spans: list[tuple[str | None, int, int]] = []
    for paragraph in paragraphs(body):
        if unit == "sentence":
            spans += [(paragraph.speaker, s, e)
                      for s, e in sentence_spans(body, paragraph.start, paragraph.end)]
        elif unit in ("turn", "paragraph"):
            spans.append((paragraph.speaker, paragraph.start, paragraph.end))
        else:
            raise ValueError(f"unknown segment unit {unit!r}")
    texts = [body[start:end] for _, start, end in spans]
    return [Segment(transcript_id, segment_id(transcript_id, n), speaker, start, end, text, language_of(text))
            for n, ((speaker, start, end), text) in enumerate(zip(spans, texts, strict=True), 1)]


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences of ``text[start:end]`` as stripped ``(start, end)`` offsets into ``text``."""
    from analysis.text.script import language_of

    chunk = text[start:end]
    if language_of(chunk) == "en":
        pieces = [s.text for s in _english_sentencizer()(chunk).sents]
    else:
        from pythainlp.tokenize import sent_tokenize

        pieces = sent_tokenize(chunk, engine="crfcut")
    spans, cursor = [], 0
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        found = chunk.find(piece, cursor)
        if found < 0:  # the splitter changed the text: keep the rest as one sentence
            break
        spans.append((start + found, start + found + len(piece)))
        cursor = found + len(piece)
    rest_start, rest_end = _strip(chunk, cursor, len(chunk))
    if rest_start < rest_end:
        spans.append((start + rest_start, start + rest_end))
    return spans


@lru_cache(maxsize=1)
def _english_sentencizer():
    """``spacy.blank("en")`` with the rule-based sentencizer (no model download).

    No length limit: spaCy's (a million characters) protects parsers' memory; the tokenizer and
    the sentencizer need memory in proportion to the text.
    """
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.max_length = 2**62
    return nlp
