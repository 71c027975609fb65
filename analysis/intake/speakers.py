"""Speaker labels, page numbers and numbering lines in typed-up interviews; blocks → turns.

A label is ``Name:`` at the start of a line (one to three words, Thai or Latin), ``[id1]`` (QualCoder),
or a line ``Speaker 1  0:03`` (Otter) with the words on the lines after it. Standard labels (``I``,
``R``, ``Q``, ``A``, ``ผู้สัมภาษณ์`` …) count at once; any other only when it recurs, and only when
at least two such labels do, so "He told me: go" is never taken for a speaker. Without labels the
document stays in paragraphs (no silent guesses).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from analysis.text.script import is_thai

if TYPE_CHECKING:
    from analysis.intake.readers import Block

_DIGIT = r"[0-9๐-๙]"
_PAGE_RES = (
    re.compile(rf"^\s*[-–—]\s*{_DIGIT}{{1,4}}\s*[-–—]\s*$"),  # - 3 -
    re.compile(rf"^\s*(?:page|p\.)\s*{_DIGIT}{{1,4}}(?:\s*(?:of|/)\s*{_DIGIT}{{1,4}})?\s*$", re.IGNORECASE),
    re.compile(rf"^\s*หน้า(?:ที่)?\s*{_DIGIT}{{1,4}}(?:\s*(?:จาก|/)\s*{_DIGIT}{{1,4}})?\s*$"),
    re.compile(rf"^\s*{_DIGIT}{{1,4}}\s*/\s*{_DIGIT}{{1,4}}\s*$"),  # 3/9
    re.compile(rf"^\s*[(\[]?{_DIGIT}{{1,4}}[.)\]]?\s*$"),  # a numbering line: 12, 12., (12), [12]
)
_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_TIMESTAMP_RE = re.compile(rf"^\s*(?:[\[(]{_TIME}[\])]|\d{{1,2}}:\d{{2}}:\d{{2}}(?:[.,]\d{{1,3}})?)\s*")
_HEADER_RE = re.compile(rf"^\s*(?P<name>[^\s:：\d][^\s:：]*(?: [^\s:：]+){{0,2}})"
                        rf"(?:\s{{2,}}{_TIME}|\s+[\[(]{_TIME}[\])])\s*$")
_TAG_RE = re.compile(r"^\s*\[(?P<name>[^\]\s:]{1,24})\]\s*[:：]?\s*(?P<rest>.*)$", re.DOTALL)
_NAME_RE = re.compile(r"^\s*(?P<name>[^\s:：\[\]()\"“”,;!?]{1,24}(?: [^\s:：\[\]()\"“”,;!?]{1,24}){0,2})"
                      r"\s*[:：]\s*(?P<rest>.*)$", re.DOTALL)
_KNOWN_RE = re.compile(r"^(?:I|R|Q|A|P\d*|Int|Resp|Interviewer|Interviewee|Respondent|Participant(?:-?\d+)?"
                       r"|Speaker-?\d+|id\d+|ผู้สัมภาษณ์|ผู้ให้สัมภาษณ์|ผู้ถูกสัมภาษณ์|ผู้ให้ข้อมูล|ถาม|ตอบ)$",
                       re.IGNORECASE)


def is_dropped_line(line: str) -> bool:
    """A page number ("- 3 -", "Page 3 of 9", "หน้า 3", "3/9") or a paragraph-numbering line ("12.")."""
    return any(pattern.match(line) for pattern in _PAGE_RES)


def join_wrapped(before: str, after: str) -> str:
    """Two pieces of one line broken by the page width: Thai meets Thai without a space."""
    if before and after and is_thai(before[-1]) and is_thai(after[0]):
        return before + after
    return f"{before} {after}"


def clean_label(name: str) -> str:
    """A label as the transcript format writes it: no spaces inside ("Speaker 1" → "Speaker-1")."""
    return re.sub(r"\s+", "-", name.strip())


def _candidate(line: str) -> tuple[str, str, bool] | None:
    """``(label, rest, sure)`` when a line starts like a speaker's turn; ``sure`` for ``[id1]`` tags."""
    header = _HEADER_RE.match(line)
    if header:
        return clean_label(header.group("name")), "", False
    tag = _TAG_RE.match(line)
    if tag and not re.fullmatch(_TIME, tag.group("name")):
        sure = bool(re.match(r"id\d+$", tag["name"]))
        return clean_label(tag.group("name")), tag.group("rest").strip(), sure
    named = _NAME_RE.match(line)
    if named and not named.group("name").replace(".", "").isdigit() and not named["rest"].startswith("//"):
        return clean_label(named.group("name")), named.group("rest").strip(), False
    return None


def starts_turn(line: str) -> bool:
    """True when a line starts with a standard label or a `[id1]` tag (for re-joining PDF lines)."""
    found = _candidate(line)
    return found is not None and (found[2] or bool(_KNOWN_RE.match(found[0])))


@dataclass
class Turns:
    """The body to write: (label or None, text) per paragraph, the unit, and what was dropped or noted."""

    paragraphs: list[tuple[str | None, str]]
    unit: str
    speakers: list[str]
    dropped: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class _Chunk:
    label: str | None
    lines: list[str]


def _lines(blocks: list[Block], counts: Counter) -> tuple[list[list[str]], int, int]:
    """Each block's lines without timestamps, page numbers and numbering lines; counts the candidates."""
    kept, dropped, stamps = [], 0, 0
    for block in blocks:
        lines = []
        for line in block.text.split("\n"):
            stripped = _TIMESTAMP_RE.sub("", line)
            stamps += stripped != line
            if not stripped.strip():
                continue
            if is_dropped_line(stripped):
                dropped += 1
                continue
            lines.append(stripped.strip())
            found = None if block.speaker else _candidate(stripped)
            if found:
                counts[found[0]] += 1
                counts[f"\0{found[0]}"] += found[2]
        kept.append(lines)
    return kept, dropped, stamps


def _real_labels(counts: Counter) -> set[str]:
    labels = {k for k in counts if not k.startswith("\0")}
    sure = {k for k in labels if counts[f"\0{k}"] or _KNOWN_RE.match(k)}
    recurring = {k for k in labels if counts[k] >= 2}
    return sure | recurring if sure or len(recurring) >= 2 else set()


def _chunks(blocks: list[Block], lines: list[list[str]], real: set[str]) -> list[_Chunk]:
    chunks: list[_Chunk] = []
    for block, block_lines in zip(blocks, lines, strict=True):
        if block.speaker:
            chunks.append(_Chunk(clean_label(block.speaker), block_lines))
            continue
        current = None
        for line in block_lines:
            found = _candidate(line)
            if found and found[0] in real:
                current = _Chunk(found[0], [found[1]] if found[1] else [])
                chunks.append(current)
            elif current is None:
                current = _Chunk(None, [line])
                chunks.append(current)
            else:
                current.lines.append(line)
    return chunks


def _joined(chunk: _Chunk, timed: bool) -> str:
    return " ".join(chunk.lines) if timed else "\n".join(chunk.lines)


def _turns(chunks: list[_Chunk], timed: bool) -> tuple[list[tuple[str | None, str]], list[str]]:
    """Labelled chunks as turns: unlabelled ones continue the turn before, cues of one voice merge."""
    turns: list[list] = []
    before = continued = 0
    for chunk in chunks:
        text = _joined(chunk, timed)
        if chunk.label is None:
            if not turns:
                before += 1
            else:
                turns[-1][1] = f"{turns[-1][1]}{' ' if timed else chr(10)}{text}".strip()
                continued += 1
        elif timed and turns and turns[-1][0] == chunk.label:
            turns[-1][1] = f"{turns[-1][1]} {text}".strip()
        else:
            turns.append([chunk.label, text])
    notes = []
    if before:
        notes.append(f"{before} paragraph(s) before the first speaker left out (a title?)")
    if continued:
        notes.append(f"{continued} {'cue(s) without a voice' if timed else 'paragraph(s) without a label'} "
                      "joined to the turn before")
    kept = [(label, text) for label, text in turns if text.strip()]
    empty = len(turns) - len(kept)
    if empty:
        notes.append(f"{empty} empty turn(s) left out")
    return kept, notes


def find_turns(blocks: list[Block], *, timed: bool = False) -> Turns:
    """Blocks → turns when the document has speaker labels, else paragraphs (said in the notes)."""
    counts: Counter = Counter()
    lines, dropped, stamps = _lines(blocks, counts)
    real = _real_labels(counts) | {clean_label(b.speaker) for b in blocks if b.speaker}
    notes = [f"{stamps} timestamp(s) dropped"] if stamps else []
    if timed:
        notes.append("cue times dropped (the transcript format has no place for them)")
    chunks = _chunks(blocks, lines, real)
    if real and sum(c.label is not None for c in chunks) >= 2:
        paragraphs, more = _turns(chunks, timed)
        speakers = list(dict.fromkeys(label for label, _ in paragraphs))
        return Turns(paragraphs, "turn", speakers, dropped, notes + more)
    paragraphs = [(None, text) for text in (" ".join(ls) if timed else "\n".join(ls) for ls in lines) if text]
    return Turns(paragraphs, "paragraph", [], dropped, [*notes, "no speaker labels: paragraphs"])
