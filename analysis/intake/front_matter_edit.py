"""Editing a transcript's front matter in place: only the lines of the keys that change.

A file is decoded as it is (its encoding, byte-order mark and line endings kept, nothing normalised);
the front matter's YAML is composed on that raw text so that every key and value has its exact
character position. A changed value replaces just the value's characters on its line (comments and
quotes around stay; a value that spans lines is rewritten as one line), a removed key loses its lines
and a new key is added as the last line before the closing ``---``. The body's bytes are copied, never
re-encoded. Values are compared as the transcript reader sees them (normalised).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from analysis.errors import TranscriptError
from analysis.text.normalise import normalise
from analysis.text.reading import (
    TIS620,
    UTF8,
    UTF8_BOM,
    UTF16_BOM,
    decode_bytes,
    read_file_bytes,
    read_text_file,
)

_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BLOCK = ("|", ">")
EDIT_HELP = "change it in the file itself"


def cell_text(value: object) -> str:
    """A front-matter value as a spreadsheet cell's text (``true``, ``2024-01-05``, ``34``; none: empty)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def is_simple(value: object) -> bool:
    """True for a value one cell can hold (not a list or mapping)."""
    return not isinstance(value, (list, dict, set))


def yaml_scalar(text: str, quote: str | None = None) -> str:
    """``text`` as a YAML value that reads back as ``text`` (plain when it can be, else quoted).

    ``quote`` keeps the quoting style of the value it replaces (``'`` or ``"``).
    """
    if quote == "'":
        return "'" + text.replace("'", "''") + "'"
    if quote is None:
        try:
            loaded = yaml.load(f"k: {text}\n", Loader=_Loader)
        except yaml.YAMLError:
            loaded = None
        if isinstance(loaded, dict) and list(loaded) == ["k"] and cell_text(loaded["k"]) == text and text:
            return text
    return json.dumps(text, ensure_ascii=False)


@dataclass
class FrontMatterFile:
    """One transcript file as it is on disk, with its front matter's values and their positions."""

    path: Path
    data: bytes
    prefix: bytes  # the byte-order mark, if any
    codec: str
    lines: list[str]  # decoded lines with their endings, not normalised
    close: int  # index of the closing '---' line
    values: dict[str, object] = field(default_factory=dict)  # normalised, as the reader sees them

    @property
    def head(self) -> str:
        return "".join(self.lines[1:self.close])

    @property
    def newline(self) -> str:
        """The line ending of the front matter (of the line before the closing ``---``)."""
        ending = self.lines[self.close - 1][len(self.lines[self.close - 1].rstrip("\r\n")):]
        return ending or "\n"

    def edited(self, changes: dict[str, str | None]) -> bytes:
        """The file's bytes with ``changes`` (key → new cell text, ``None`` to remove the key) applied.

        Raises ``TranscriptError`` when the file cannot be edited safely; the result is checked by
        reading it back: exactly the changed keys differ, the order of the others is kept.
        """
        head = self.head
        root = _compose(head, self.path)
        nodes = {str(key.value): (key, value) for key, value in root.value}
        edits = []  # (start, end, replacement) in ``head``, applied from the end
        added = []
        for key, text in changes.items():
            if key in nodes:
                edits.append(_edit(head, *nodes[key], text))
            elif text is not None:
                added.append(f"{key}: {yaml_scalar(text)}{self.newline}")
        for start, end, replacement in sorted(edits, reverse=True):
            head = head[:start] + replacement + head[end:]
        if head and not head.endswith(("\n", "\r")) and added:
            head += self.newline
        head += "".join(added)
        new_front = self.lines[0] + head
        old_front = "".join(self.lines[:self.close])
        start = len(self.prefix) + len(self._encode(old_front))
        if self.prefix + self._encode(old_front) != self.data[:start]:
            raise TranscriptError("cannot be edited without re-encoding it", path=self.path, line=1,
                                  fix=f"save it as UTF-8, then try again, or {EDIT_HELP}")
        data = self.prefix + self._encode(new_front) + self.data[start:]
        self._check(data, changes)
        return data

    def _encode(self, text: str) -> bytes:
        try:
            return text.encode(self.codec)
        except UnicodeEncodeError:
            raise TranscriptError(f"a new value cannot be written in this file's encoding ({self.codec})",
                                  path=self.path, line=1,
                                  fix="save the file as UTF-8, then import the sheet again") from None

    def _check(self, data: bytes, changes: dict[str, str | None]) -> None:
        """Refuse an edit whose result does not read back as intended."""
        after = read_front_matter_bytes(data, self.path).values
        expected = {k: v for k, v in self.values.items() if changes.get(k, "") is not None}
        for key, text in changes.items():
            if text is not None:
                expected[key] = text
        differs = any(cell_text(after[k]) != cell_text(expected[k]) for k in expected if k in after)
        if list(after) != list(expected) or differs:
            raise TranscriptError("the front matter could not be edited safely", path=self.path, line=2,
                                  fix=EDIT_HELP)


def _compose(head: str, path: Path) -> yaml.MappingNode:
    """The front matter's YAML node tree (raw text: positions are the file's); a block mapping."""
    try:
        root = yaml.compose(head, Loader=_Loader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise TranscriptError("front matter is not valid YAML", path=path,
                              line=mark.line + 2 if mark else 2,
                              fix="write each key as 'key: value' on its own line") from None
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        raise TranscriptError("front matter is not a list of 'key: value' lines", path=path, line=2,
                              fix="write each key as 'key: value' on its own line")
    return root


def _edit(head: str, key: yaml.Node, value: yaml.Node, text: str | None) -> tuple[int, int, str]:
    """The (start, end, new text) in ``head`` that sets ``key`` to ``text`` (``None``: removes the key)."""
    line_start = head.rfind("\n", 0, key.start_mark.index) + 1
    last = max(value.end_mark.index - 1, key.start_mark.index)
    if isinstance(value, yaml.ScalarNode) and value.end_mark.index > value.start_mark.index \
            and head[value.end_mark.index - 1] in "\r\n":
        last -= 1  # a block scalar ends after its line break
    content_end = _line_end(head, last)
    if text is None:
        return line_start, _line_end(head, content_end, with_break=True), ""
    single = (isinstance(value, yaml.ScalarNode) and value.style not in _BLOCK
              and "\n" not in head[key.start_mark.index:value.end_mark.index]
              and "\r" not in head[key.start_mark.index:value.end_mark.index])
    if single and value.end_mark.index > value.start_mark.index:
        quote = value.style if value.style in ("'", '"') else None
        return value.start_mark.index, value.end_mark.index, yaml_scalar(text, quote)
    if single:  # an empty value: 'site:' or 'site:   # comment'
        return value.start_mark.index, value.start_mark.index, " " + yaml_scalar(text)
    raw_key = head[key.start_mark.index:key.end_mark.index]
    return line_start, content_end, f"{raw_key}: {yaml_scalar(text)}"


def _line_end(text: str, index: int, *, with_break: bool = False) -> int:
    """Where the line holding ``index`` ends (before its line break, or after it)."""
    match = re.compile(r"\r\n|\r|\n").search(text, max(index, 0))
    if match is None:
        return len(text)
    return match.end() if with_break else match.start()


_CODECS = {UTF8: "utf-8", UTF8_BOM: "utf-8", TIS620: "cp874"}


def read_front_matter_bytes(data: bytes, path: Path) -> FrontMatterFile:
    """Decode a text transcript as it is and find its front matter (raises ``TranscriptError``)."""
    text, encoding = decode_bytes(data, path)
    prefix = b"\xef\xbb\xbf" if encoding == UTF8_BOM else data[:2] if encoding == UTF16_BOM else b""
    codec = _CODECS.get(encoding) or ("utf-16-le" if prefix == b"\xff\xfe" else "utf-16-be")
    lines = _LINE_RE.findall(text)
    if not lines or normalise(lines[0]).strip() != "---":
        raise TranscriptError("no front matter", path=path, line=1,
                              fix="start the file with a line '---', then 'key: value' lines and '---'")
    close = next((i for i in range(1, len(lines)) if normalise(lines[i]).rstrip() == "---"), None)
    if close is None:
        raise TranscriptError("the front matter is never closed", path=path, line=1,
                              fix="add a line '---' after the last front-matter key")
    found = FrontMatterFile(path=path, data=data, prefix=prefix, codec=codec, lines=lines, close=close)
    found.values = _values(normalise(found.head), path)
    return found


def _values(head: str, path: Path) -> dict[str, object]:
    """The front matter's values in file order (the empty front matter has none)."""
    if not head.strip():
        return {}
    root = _compose(head, path)
    keys = [str(key.value) for key, _ in root.value]
    duplicate = next((k for i, k in enumerate(keys) if k in keys[:i]), None)
    if duplicate is not None:
        raise TranscriptError(f"front matter sets '{duplicate}' twice", path=path, line=2,
                              fix="keep one of the two lines")
    values = yaml.load(head, Loader=_Loader)
    return {str(key): value for key, value in values.items()}


def read_front_matter(path: Path) -> tuple[dict[str, object], FrontMatterFile | None]:
    """A transcript's front-matter values, and the editable file (``None`` for a ``.docx``)."""
    if path.suffix.lower() == ".docx":
        text, _ = read_text_file(path)
        head = text.split("\n")
        close = next((i for i in range(1, len(head)) if head[i].rstrip() == "---"), None)
        if not head or head[0].rstrip() != "---" or close is None:
            raise TranscriptError("no front matter", path=path, line=1,
                                  fix="start the document with a paragraph '---', key: value "
                                      "paragraphs and a closing '---'")
        return _values(normalise("\n".join(head[1:close])), path), None
    found = read_front_matter_bytes(read_file_bytes(path), path)
    return found.values, found
