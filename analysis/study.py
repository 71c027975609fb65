"""The study: its settings (``study.toml``) and every path inside it.

This is the only module that knows folder names. A study is a folder holding ``study.toml``,
``data/`` (raw, transcripts, codings, cache), ``codebooks/`` and ``outputs/``.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import StudyError

STUDY_FILE = "study.toml"
STUDY_ENV = "SITTHI_STUDY"
STUDY_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
SECRETS_ENV = "SITTHI_SECRETS"

LANGUAGES = ("th", "en", "mixed")
SEGMENT_UNITS = ("turn", "paragraph", "sentence")
CODING_RULES = ("union", "majority", "final")
ATTRIBUTE_NAMES_TH = {"site": "พื้นที่", "group": "กลุ่ม", "nationality": "สัญชาติ", "language": "ภาษา",
                      "gender": "เพศ", "age": "อายุ", "age_band": "ช่วงอายุ", "age_group": "กลุ่มอายุ"}
FIGURE_FORMATS = ("png", "svg", "pdf")  # the files of each figure; report.html needs the PNG
SEGMENTERS = ("fast", "accurate")  # Thai word segmenters (analysis.text.segmenters)
WORD_LIST = "words.txt"  # the team's word list, in the codebooks folder

DEFAULT_PATHS = {
    "raw": "data/raw",
    "transcripts": "data/transcripts",
    "codings": "data/codings",
    "cache": "data/cache",
    "codebooks": "codebooks",
    "outputs": "outputs",
}

# Folders that never belong in git: identifiable originals, derived caches, generated outputs.
UNTRACKED = ("raw", "cache", "outputs")


class _Folder:
    """Attribute ``<kind>_dir`` of a ``Study``: the absolute folder of that kind."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.kind = name.removesuffix("_dir")

    def __get__(self, study: Study | None, owner: type | None = None):
        return self if study is None else study.path(self.kind)


def attribute_name(name: str, lang: str) -> str:
    """A transcript attribute's name for readers of ``lang`` ("age_band" → "ช่วงอายุ" / "age band")."""
    return ATTRIBUTE_NAMES_TH.get(name, name) if lang == "th" else name.replace("_", " ")


@dataclass(frozen=True)
class Study:
    """A study folder and its settings.

    Attributes
    ----------
    root
        The folder holding ``study.toml``.
    name
        Human-readable study name.
    languages
        Transcript languages the study expects (subset of ``th``, ``en``, ``mixed``).
    segment_unit
        Unit of analysis for coding and agreement: ``turn`` (speaker turn), ``paragraph`` or
        ``sentence``.
    attributes
        Front-matter keys used for breakdowns (site, group, ...).
    min_cell
        Smallest count a table may show; counts from 1 to ``min_cell - 1`` are suppressed.
    paths
        Folder of each kind, relative to ``root`` (see ``DEFAULT_PATHS``).
    rule, coders, final_coder
        Which codings the report counts (``[report]``): ``union`` (any of ``coders`` applied the
        code), ``majority`` (more than half of the ``coders`` who coded the transcript did) or
        ``final`` (only ``final_coder``'s, after the consensus meeting). No ``coders``: everyone.
    figure_formats
        The files each figure is saved as (``[report] figure_formats``): PNG at 300 dpi (always: the
        report page shows it), SVG (text stays text, to edit labels), PDF (fonts embedded, for print).
    word_list
        The team's word list (``word_list`` in ``[study]``, relative to the codebooks folder; default
        ``words.txt``): Thai words the tokenizer never splits (see ``analysis.text.wordlist``).
    segmenter
        The Thai word segmenter (``[text] segmenter``): ``fast`` (dictionary and word frequencies) or
        ``accurate`` (DeepCut, a neural network: about ten times slower).
    labels
        How readers see attribute values (``[labels.<attribute>]``): attribute → value →
        ``{"th": ..., "en": ...}``; a value or language without a label is shown as it is.
    """

    root: Path
    name: str
    languages: tuple[str, ...] = LANGUAGES
    segment_unit: str = "turn"
    attributes: tuple[str, ...] = ()
    min_cell: int = 3
    keep_places: tuple[str, ...] = ()
    codebook: str | None = None
    paths: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_PATHS))
    rule: str = "majority"
    coders: tuple[str, ...] = ()
    final_coder: str | None = None
    figure_formats: tuple[str, ...] = FIGURE_FORMATS
    id: str | None = None
    word_list: str = WORD_LIST
    labels: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    segmenter: str = "fast"

    @property
    def config_file(self) -> Path:
        return self.root / STUDY_FILE

    def path(self, kind: str) -> Path:
        """Absolute folder of one kind (``transcripts``, ``codings``, ``outputs``, ...)."""
        return self.root / self.paths[kind]

    raw_dir = _Folder()
    transcripts_dir = _Folder()
    codings_dir = _Folder()
    cache_dir = _Folder()
    codebooks_dir = _Folder()
    outputs_dir = _Folder()

    def value_labels(self, attribute: str) -> dict[str, dict[str, str]]:
        """Labels of one attribute's values: value → {"th": ..., "en": ...} (empty when none are given)."""
        return self.labels.get(attribute, {})

    @property
    def codebook_path(self) -> Path | None:
        """The study's codebook: ``codebook`` in study.toml, else the only ``*.yaml`` in codebooks/."""
        if self.codebook:
            return self.codebooks_dir / self.codebook
        found = sorted(self.codebooks_dir.glob("*.yaml"))
        return found[0] if len(found) == 1 else None

    @property
    def word_list_path(self) -> Path:
        """The team's word list (it may not exist: then the list is empty)."""
        return self.codebooks_dir / self.word_list

    @property
    def key_id(self) -> str:
        """The study's ``id`` (``study.toml``), else one derived from the folder's absolute path (a study
        without an id loses its key folder when it moves: add ``id = "..."`` to keep it)."""
        return self.id or "path-" + hashlib.sha256(str(self.root).encode()).hexdigest()[:12]

    @property
    def secrets_dir(self) -> Path:
        """Where the pseudonym key lives: outside the study (``SITTHI_SECRETS`` or ``~/.sitthi/<key_id>``),
        never named after the folder (two studies called ``interviews`` would share one key)."""
        base = os.environ.get(SECRETS_ENV)
        return Path(base) if base else Path.home() / ".sitthi" / self.key_id


def find_study_root(explicit: str | Path | None = None, *, start: Path | None = None) -> Path:
    """Choose the study folder: ``explicit``, else ``$SITTHI_STUDY``, else the nearest folder at or
    above ``start`` (default: the working directory) that holds ``study.toml``."""
    chosen = explicit or os.environ.get(STUDY_ENV)
    if chosen:
        root = Path(chosen).expanduser().resolve()
        if not (root / STUDY_FILE).is_file():
            raise StudyError(f"no {STUDY_FILE} in this folder", path=root,
                             fix="give the folder of a study, or create one with `sitthi init PATH`")
        return root
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / STUDY_FILE).is_file():
            return folder
    raise StudyError(f"no {STUDY_FILE} here or in any folder above", path=here,
                     fix="run from inside a study, pass --study DIR, or set SITTHI_STUDY")


def load_study(explicit: str | Path | None = None, *, start: Path | None = None) -> Study:
    """Find (see ``find_study_root``) and read a study's ``study.toml``."""
    root = find_study_root(explicit, start=start)
    return read_study_file(root / STUDY_FILE)


def read_study_file(config: Path) -> Study:
    """Read and validate one ``study.toml``."""
    text = config.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        match = re.search(r"line (\d+)", str(err))
        raise StudyError(f"not valid TOML ({err})", path=config,
                         line=int(match.group(1)) if match else None,
                         fix="fix the syntax, e.g. put text values in quotes") from None
    section = data.get("study", {})
    paths = {**DEFAULT_PATHS, **data.get("paths", {})}

    def fail(key: str, what: str, fix: str) -> StudyError:
        return StudyError(what, path=config, line=_line_of_key(text, key), fix=fix)

    name = section.get("name")
    if not isinstance(name, str) or not name.strip():
        raise fail("name", "[study] has no name", 'add a line such as name = "My study"')
    study_id = section.get("id")
    if study_id is not None and not (isinstance(study_id, str) and STUDY_ID_RE.match(study_id)):
        raise fail("id", f"[study] id {study_id!r} is not a plain id",
                   'use letters, digits, ".", "_" and "-" only, e.g. id = "' + new_study_id() + '"')
    languages = tuple(section.get("languages", LANGUAGES))
    unknown = [lang for lang in languages if lang not in LANGUAGES]
    if unknown:
        raise fail("languages", f"unknown language {unknown[0]!r}",
                   f"use only {', '.join(LANGUAGES)}")
    unit = section.get("segment_unit", "turn")
    if unit not in SEGMENT_UNITS:
        raise fail("segment_unit", f"unknown segment_unit {unit!r}",
                   f"use one of {', '.join(SEGMENT_UNITS)}")
    min_cell = section.get("min_cell", 3)
    if not isinstance(min_cell, int) or isinstance(min_cell, bool) or min_cell < 1:
        raise fail("min_cell", f"min_cell must be a whole number of at least 1, not {min_cell!r}",
                   "set min_cell = 3 (or larger) to hide small counts")
    report = data.get("report", {})
    rule = report.get("rule", "majority")
    if rule not in CODING_RULES:
        raise fail("rule", f"unknown coding rule {rule!r} in [report]",
                   f"use one of {', '.join(CODING_RULES)}")
    coders = report.get("coders", [])
    if not isinstance(coders, list) or not all(isinstance(c, str) and c for c in coders):
        raise fail("coders", "[report] coders must be a list of coder names", 'e.g. coders = ["nok", "mai"]')
    final_coder = report.get("final_coder") or None
    if rule == "final" and not isinstance(final_coder, str):
        raise fail("rule", 'rule = "final" needs the coder whose codings are final',
                   'add final_coder = "name" to [report]')
    formats = report.get("figure_formats", list(FIGURE_FORMATS))
    if not isinstance(formats, list) or "png" not in formats or any(f not in FIGURE_FORMATS for f in formats):
        raise fail("figure_formats", f"[report] figure_formats must list \"png\" and any of svg, pdf, "
                   f"not {formats!r}", 'e.g. figure_formats = ["png", "pdf"]')
    unknown_paths = sorted(set(paths) - set(DEFAULT_PATHS))
    if unknown_paths:
        raise fail(unknown_paths[0], f"unknown path {unknown_paths[0]!r} in [paths]",
                   f"use only {', '.join(DEFAULT_PATHS)}")
    word_list = section.get("word_list", WORD_LIST)
    if not isinstance(word_list, str) or not word_list.strip():
        raise fail("word_list", f"word_list must be a file name, not {word_list!r}",
                   f'e.g. word_list = "{WORD_LIST}"')
    if "word_list" in section and not (config.parent / paths["codebooks"] / word_list).is_file():
        raise fail("word_list", f"word list {word_list!r} not found in {paths['codebooks']}/",
                   f"create it (one Thai word per line) or remove the word_list line to use {WORD_LIST}")
    segmenter = data.get("text", {}).get("segmenter", "fast")
    if segmenter not in SEGMENTERS:
        raise fail("segmenter", f"unknown [text] segmenter {segmenter!r}",
                   'use segmenter = "fast" or segmenter = "accurate"')
    attributes = tuple(section.get("attributes", ()))
    labels = _read_labels(data.get("labels", {}), attributes, config, text)
    return Study(
        root=config.parent.resolve(),
        name=name.strip(),
        languages=languages,
        segment_unit=unit,
        attributes=attributes,
        min_cell=min_cell,
        keep_places=tuple(section.get("keep_places", ())),
        codebook=section.get("codebook"),
        paths=paths,
        rule=rule,
        coders=tuple(coders),
        final_coder=final_coder,
        figure_formats=tuple(dict.fromkeys(formats)),
        id=study_id,
        word_list=word_list,
        labels=labels,
        segmenter=segmenter,
    )


LABEL_EXAMPLE = '[labels.site] then "Chiang Mai" = { th = "เชียงใหม่", en = "Chiang Mai" }'


def _read_labels(table, attributes: tuple[str, ...], config: Path, text: str) -> dict:
    """``[labels.<attribute>]`` tables: each value given a Thai and/or an English label."""
    def fail(line: int | None, what: str, fix: str) -> StudyError:
        return StudyError(what, path=config, line=line, fix=fix)

    if not isinstance(table, dict):
        raise fail(_line_of_key(text, "labels"), "labels must be a table of attributes",
                   f"write {LABEL_EXAMPLE}")
    labels = {}
    for attribute, values in table.items():
        header = _line_of_table(text, f"labels.{attribute}") or _line_of_table(text, "labels")
        if attribute not in attributes:
            raise fail(header, f"[labels.{attribute}]: {attribute!r} is not one of the study's attributes",
                       f"use one of {', '.join(attributes) or '(none: add attributes to [study])'}")
        if not isinstance(values, dict):
            raise fail(header, f"[labels.{attribute}] must be a table of values", f"write {LABEL_EXAMPLE}")
        labels[attribute] = {}
        for value, names in values.items():
            if not (isinstance(names, dict) and names and set(names) <= {"th", "en"}
                    and all(isinstance(n, str) and n.strip() for n in names.values())):
                raise fail(_line_of_key(text, value) or header,
                           f"[labels.{attribute}] {value!r} needs a Thai and/or English label",
                           f'write "{value}" = {{ th = "...", en = "..." }}')
            labels[attribute][value] = {lang: name.strip() for lang, name in names.items()}
    return labels


def _line_of_table(text: str, name: str) -> int | None:
    """1-based line of the TOML table header ``[name]`` (parts quoted or not), if there is one."""
    parts = r"\s*\.\s*".join(rf'["\']?{re.escape(part)}["\']?' for part in name.split("."))
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(rf"\s*\[\s*{parts}\s*\]", line):
            return number
    return None


def new_study_id() -> str:
    """A random, unique study id (``st-`` and 12 hex digits): names the key folder ``~/.sitthi/<id>``."""
    return f"st-{uuid.uuid4().hex[:12]}"


def _line_of_key(text: str, key: str) -> int | None:
    """1-based line where ``key = ...`` is set in TOML text, if it is."""
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(rf"\s*[\"']?{re.escape(key)}[\"']?\s*=", line):
            return number
    return None


STUDY_TEMPLATE = """\
# Settings of a Sitthi study. Paths are relative to this file's folder.
[study]
name = "{name}"
# This study's unique id: its pseudonym key lives in ~/.sitthi/<id>/ (never change it)
id = "{study_id}"
languages = ["th", "en", "mixed"]
# Unit of analysis for coding and agreement: turn | paragraph | sentence
segment_unit = "turn"
# Front-matter keys of the transcripts used to break results down
attributes = ["site", "group"]
# Tables show counts below this number as "<{min_cell}" so that no one can be singled out
min_cell = {min_cell}
# Places that anonymisation keeps as they are (e.g. the province of the research site)
keep_places = []
# The codebook, a file in codebooks/
codebook = "rights-violations.yaml"
# Thai words the tokenizer must never split (place names, slang): codebooks/words.txt, or
# word_list = "another-file.txt"

[report]
# Which codings the report counts: "union" (any coder applied the code), "majority" (more than
# half of the coders of that transcript did) or "final" (only final_coder's, after consensus)
rule = "majority"
# Coders whose codings count; empty means everyone
coders = []
# final_coder = "name"
# The files of each figure: PNG (300 dpi, always), SVG (labels stay editable text), PDF (for print)
figure_formats = ["png", "svg", "pdf"]
"""

WORD_LIST_TEMPLATE = """\
# Words the team adds to the Thai dictionary so they are never split: place names, slang,
# organisations. One Thai word per line, written without spaces; "#" starts a comment.
# `sitthi words --diff` shows how each word was split before it was listed here.
# e.g.
# ม่อนแจ่ม  # a village: one word, never ม่อน|แจ่ม
"""

GITIGNORE_TEMPLATE = """\
# Never commit identifiable originals, caches or generated outputs.
{paths}
# Nor lock files of a running Sitthi, or what an interrupted save left behind.
.lock
.*.lock
.*.tmp
.*.tmp.*
"""


def init_study(folder: str | Path, *, name: str | None = None, codebooks: Path | None = None) -> Study:
    """Create a new, empty study folder with the standard layout.

    Refuses to touch a folder that already holds a ``study.toml``. ``codebooks``, if given, is a
    folder whose ``*.yaml`` files are copied into the new study's codebooks folder.
    """
    root = Path(folder).expanduser().resolve()
    config = root / STUDY_FILE
    if config.exists():
        raise StudyError("a study already exists here", path=config,
                         fix="choose a new folder; nothing was changed")
    if root.exists() and not root.is_dir():
        raise StudyError("this path is a file, not a folder", path=root, fix="choose a new folder")
    root.mkdir(parents=True, exist_ok=True)
    for kind in DEFAULT_PATHS:
        (root / DEFAULT_PATHS[kind]).mkdir(parents=True, exist_ok=True)
    if codebooks is not None and codebooks.is_dir():
        for source in sorted(codebooks.glob("*.yaml")):
            (root / DEFAULT_PATHS["codebooks"] / source.name).write_bytes(source.read_bytes())
    (root / DEFAULT_PATHS["codebooks"] / WORD_LIST).write_text(WORD_LIST_TEMPLATE, encoding="utf-8")
    ignored = "\n".join(f"/{DEFAULT_PATHS[kind]}/" for kind in UNTRACKED)
    (root / ".gitignore").write_text(GITIGNORE_TEMPLATE.format(paths=ignored), encoding="utf-8")
    config.write_text(STUDY_TEMPLATE.format(name=(name or root.name).replace('"', "'"), min_cell=3,
                                            study_id=new_study_id()), encoding="utf-8")
    return read_study_file(config)
