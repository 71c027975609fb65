"""Transcripts: reading, validating and holding the anonymised, normalised texts of a study.

A transcript file (``.md``, ``.txt`` or ``.docx``) starts with YAML front matter between two
``---`` lines; the keys beyond ``id``, ``language``, ``anonymised``, ``fictional`` and
``translation_of`` are case attributes. The *body* is everything after the line that closes the
front matter, normalised (see ``analysis.text.normalise``); a blank line right after the front matter
belongs to the body. All offsets in Sitthi index the body, and ``sha256`` is the body's hash.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd
import yaml

from analysis.errors import TranscriptError
from analysis.study import LANGUAGES, Study
from analysis.text.normalise import normalise, sha256
from analysis.text.reading import read_text_file
from analysis.text.segments import Paragraph, paragraphs

SUFFIXES = (".md", ".txt", ".docx")
RESERVED = ("id", "language", "anonymised", "fictional", "translation_of")
_NEWLINE_RE = re.compile("\n")
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: much faster
_FENCE_RE = re.compile(r"^---[^\S\n]*$", re.MULTILINE)  # a line '---', trailing spaces allowed
FRONT_MATTER_HELP = ("start the file with a line '---', then lines such as 'id: CM-07', "
                     "'language: th', 'anonymised: true', then a closing '---'")


@dataclass(frozen=True)
class Transcript:
    """One anonymised, normalised transcript.

    ``body`` is the text every offset refers to; ``body_line`` is the 1-based line of the file
    where the body starts; ``attributes`` holds the case attributes (site, group, ...);
    ``key_lines`` gives the file line of each front-matter key.
    """

    id: str
    path: Path
    language: str
    body: str
    body_line: int
    encoding: str
    attributes: dict[str, object] = field(default_factory=dict)
    fictional: bool = False
    translation_of: str | None = None
    key_lines: dict[str, int] = field(default_factory=dict)

    @cached_property
    def sha256(self) -> str:
        return sha256(self.body)

    @property
    def text_sha8(self) -> str:
        """First 8 hex digits of the body's SHA-256, stored with every coding."""
        return self.sha256[:8]

    @cached_property
    def turns(self) -> list[Paragraph]:
        return paragraphs(self.body)

    @cached_property
    def _line_starts(self) -> list[int]:
        """Body offsets where each line after the first starts."""
        return [match.end() for match in _NEWLINE_RE.finditer(self.body)]

    def line_of(self, offset: int) -> int:
        """1-based line in the file of a body offset (a binary search: many calls stay cheap)."""
        return self.body_line + bisect.bisect_right(self._line_starts, offset)


@dataclass
class Corpus:
    """The transcripts of a study that could be read, and the problems found on the way."""

    transcripts: list[Transcript]
    problems: list[TranscriptError]

    def __iter__(self) -> Iterator[Transcript]:
        return iter(self.transcripts)

    def __len__(self) -> int:
        return len(self.transcripts)

    def attributes(self) -> pd.DataFrame:
        """One row per transcript: ``transcript_id``, ``language`` and every case attribute."""
        rows = [{"transcript_id": t.id, "language": t.language, **t.attributes} for t in self]
        return pd.DataFrame(rows, columns=["transcript_id", "language"]) if not rows else pd.DataFrame(rows)

    def get(self, transcript_id: str) -> Transcript:
        for transcript in self.transcripts:
            if transcript.id == transcript_id:
                return transcript
        raise KeyError(transcript_id)


def split_front_matter(text: str, path: Path) -> tuple[str, str, int]:
    """Split normalised file text into ``(front matter, body, body_line)``.

    The front matter opens with a first line ``---`` and closes at the next line that is ``---``
    (trailing spaces allowed); found with one search, so a long body costs no more than its copy.
    """
    if not text.strip():
        raise TranscriptError("the file is empty", path=path, line=1, fix=FRONT_MATTER_HELP)
    if not _FENCE_RE.match(text):
        raise TranscriptError("no front matter", path=path, line=1, fix=FRONT_MATTER_HELP)
    head_start = text.find("\n") + 1
    closing = _FENCE_RE.search(text, head_start) if head_start else None
    if closing is None:
        raise TranscriptError("the front matter is never closed", path=path, line=1,
                              fix="add a line '---' after the last front-matter key")
    head = text[head_start: max(head_start, closing.start() - 1)]
    body = text[closing.end() + 1:]
    return head, body, text.count("\n", 0, closing.start()) + 2


def _parse_yaml(head: str, path: Path) -> tuple[dict, dict[str, int]]:
    """Front-matter values and the file line of each key."""
    loader = _Loader(head)
    try:
        node = loader.get_single_node()
        values = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        problem = getattr(err, "problem", None) or "not valid YAML"
        raise TranscriptError(f"front matter is not valid YAML: {problem}", path=path,
                              line=mark.line + 2 if mark else 2,
                              fix="write each key as 'key: value' on its own line") from None
    finally:
        loader.dispose()
    if not isinstance(values, dict) or not isinstance(node, yaml.MappingNode):
        raise TranscriptError("front matter is not a list of 'key: value' lines", path=path, line=2,
                              fix=FRONT_MATTER_HELP)
    lines: dict[str, int] = {}
    for key_node, _ in node.value:
        key = str(key_node.value)
        if key in lines:
            raise TranscriptError(f"front matter sets '{key}' twice", path=path,
                                  line=key_node.start_mark.line + 2, fix="keep one of the two lines")
        lines[key] = key_node.start_mark.line + 2
    return {str(k): v for k, v in values.items()}, lines


def _plain(value: object) -> object:
    """A front-matter attribute as a plain value (dates become ISO text)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def parse_transcript(text: str, path: Path, *, encoding: str = "UTF-8",
                     languages: tuple[str, ...] = LANGUAGES,
                     require_labels: bool = True) -> Transcript:
    """Validate decoded file text and build a ``Transcript`` (raises ``TranscriptError``)."""
    text = normalise(text)
    head, body, body_line = split_front_matter(text, path)
    meta, lines = _parse_yaml(head, path)

    def fail(key: str, what: str, fix: str) -> TranscriptError:
        return TranscriptError(what, path=path, line=lines.get(key, 2), fix=fix)

    tid = meta.get("id")
    if tid is None:
        raise fail("id", "front matter has no id", f"add 'id: {path.stem}'")
    if not isinstance(tid, str) or not ID_RE.match(tid):
        raise fail("id", f"id {tid!r} is not a plain text id",
                   "use letters, digits, '-', '_' or '.', and quote ids made only of digits")
    if tid != path.stem:
        raise fail("id", f"id '{tid}' does not match the file name '{path.name}'",
                   f"rename the file to '{tid}{path.suffix}' or set 'id: {path.stem}'")
    language = meta.get("language")
    if language is None:
        raise fail("language", "front matter has no language",
                   f"add 'language: th' (or {', '.join(languages)})")
    if language not in languages:
        raise fail("language", f"unknown language {language!r}",
                   f"use one of: {', '.join(languages)} (see study.toml)")
    if meta.get("anonymised") is not True:
        state = "missing" if "anonymised" not in meta else f"{str(meta['anonymised']).lower()}, not true"
        raise fail("anonymised", f"refused: 'anonymised' is {state}",
                   "anonymise it with `sitthi anonymise`, check it, then set 'anonymised: true'")
    translation_of = meta.get("translation_of")
    if translation_of is not None and not isinstance(translation_of, str):
        raise fail("translation_of", "translation_of must be the id of the original transcript",
                   "write e.g. 'translation_of: CM-07', or 'translation_of: null'")
    attributes = {}
    for key, value in meta.items():
        if key in RESERVED:
            continue
        if isinstance(value, (list, dict, set)):
            raise fail(key, f"attribute '{key}' is a list or mapping, not a plain value",
                       f"write one value, e.g. '{key}: Chiang Mai'")
        attributes[key] = _plain(value)
    transcript = Transcript(id=tid, path=path, language=language, body=body, body_line=body_line,
                            encoding=encoding, attributes=attributes,
                            fictional=meta.get("fictional") is True, translation_of=translation_of,
                            key_lines=lines)
    turns = transcript.turns
    if not turns:
        raise TranscriptError("there is no text after the front matter", path=path, line=body_line,
                              fix="add the interview, one speaker turn per paragraph")
    if require_labels:
        for turn in turns:
            if turn.speaker is None:
                raise TranscriptError("paragraph has no speaker label", path=path,
                                      line=body_line + turn.line,
                                      fix="start each turn with its speaker, e.g. 'I: ' or 'R: '")
    return transcript


def read_transcript(path: Path, *, languages: tuple[str, ...] = LANGUAGES,
                    require_labels: bool = True) -> Transcript:
    """Read, normalise and validate one transcript file (raises ``TranscriptError``)."""
    text, encoding = read_text_file(path)
    return parse_transcript(text, path, encoding=encoding, languages=languages,
                            require_labels=require_labels)


def transcript_files(folder: Path) -> list[Path]:
    """Transcript files of a folder, sorted by name (hidden files and READMEs are skipped)."""
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir()
                   if p.is_file() and p.suffix.lower() in SUFFIXES
                   and not p.name.startswith((".", "_", "~$"))
                   and not p.stem.upper().startswith("README")),
                  key=lambda p: (p.stem, p.suffix))


def read_corpus(study: Study, *, progress: bool = False) -> Corpus:
    """Read every transcript of a study; collect problems instead of stopping at the first.

    Besides each file's own problems: duplicate ids, and translations whose original is missing
    or has a different number of turns.
    """
    from tqdm.auto import tqdm

    files = transcript_files(study.transcripts_dir)
    transcripts: list[Transcript] = []
    problems: list[TranscriptError] = []
    for path in tqdm(files, desc="Reading transcripts / อ่านบทสัมภาษณ์", unit="file",
                     disable=not progress):
        try:
            transcripts.append(read_transcript(path, languages=study.languages,
                                               require_labels=study.segment_unit == "turn"))
        except TranscriptError as err:
            problems.append(err)
    problems.extend(_corpus_problems(transcripts))
    bad = {p.path for p in problems}
    return Corpus([t for t in transcripts if t.path not in bad], problems)


def _corpus_problems(transcripts: list[Transcript]) -> list[TranscriptError]:
    found: list[TranscriptError] = []
    first: dict[str, Transcript] = {}
    for transcript in transcripts:
        if transcript.id in first:
            found.append(TranscriptError(
                f"duplicate id '{transcript.id}' (also in {first[transcript.id].path.name})",
                path=transcript.path, line=transcript.key_lines.get("id"),
                fix="give each transcript its own id and file name"))
        else:
            first[transcript.id] = transcript
    for transcript in transcripts:
        original_id = transcript.translation_of
        if original_id is None:
            continue
        original = first.get(original_id)
        line = transcript.key_lines.get("translation_of")
        if original is None:
            found.append(TranscriptError(f"translation_of names '{original_id}', which is not in the study",
                                         path=transcript.path, line=line,
                                         fix="use the id of the original transcript"))
        elif len(original.turns) != len(transcript.turns):
            found.append(TranscriptError(
                f"translation has {len(transcript.turns)} turns but '{original_id}' has "
                f"{len(original.turns)}", path=transcript.path, line=line,
                fix="translate turn by turn, one paragraph for each paragraph of the original"))
    return found

