"""The codebook: bilingual codes in a tree (rights → violations; actors; agency), loaded from YAML
with validation errors that name the file and line, and tree queries.

A code's ``id`` is a stable upper-case slug (``LIB-SHEL``); labels may change, ids never do. A
retired code stays in the file with ``deprecated_by`` naming its replacement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from analysis.errors import SitthiError

ID_RE = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$")
KINDS = ("right", "violation", "actor_group", "actor", "agency_group", "agency")
LANGS = ("th", "en")
TEXT_FIELDS = ("definition", "include", "exclude", "example")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CodebookError(SitthiError):
    """The codebook file is unreadable or breaks a codebook rule."""


@dataclass(frozen=True)
class Code:
    """One code. Text fields are ``{"th": ..., "en": ...}``; ``see`` lists the codes that
    ``exclude`` points to; ``instruments`` are ``(instrument, article)`` pairs."""

    id: str
    kind: str
    label: dict[str, str]
    parent: str | None = None
    definition: dict[str, str] = field(default_factory=dict)
    include: dict[str, str] = field(default_factory=dict)
    exclude: dict[str, str] = field(default_factory=dict)
    example: dict[str, str] = field(default_factory=dict)
    see: tuple[str, ...] = ()
    instruments: tuple[tuple[str, str], ...] = ()
    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)
    deprecated_by: str | None = None
    line: int = 0
    key_lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def text(self, name: str, lang: str) -> str:
        """A text field in one language (empty when absent)."""
        return getattr(self, name).get(lang, "") if name != "label" else self.label.get(lang, "")


@dataclass
class Codebook:
    """A validated codebook: metadata and codes in file order."""

    path: Path
    name: str
    version: str
    title: dict[str, str]
    description: dict[str, str]
    changelog: list[dict]
    instruments: dict[str, dict[str, str]]
    codes: dict[str, Code]

    def __contains__(self, code_id: str) -> bool:
        return code_id in self.codes

    def __getitem__(self, code_id: str) -> Code:
        return self.codes[code_id]

    def __iter__(self):
        return iter(self.codes.values())

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def roots(self) -> list[Code]:
        return [c for c in self if c.parent is None]

    def children(self, code_id: str) -> list[Code]:
        return [c for c in self if c.parent == code_id]

    def descendants(self, code_id: str) -> list[Code]:
        """All codes below ``code_id``, depth first, in file order."""
        found = []
        for child in self.children(code_id):
            found += [child, *self.descendants(child.id)]
        return found

    def ancestors(self, code_id: str) -> list[Code]:
        """Parent, grandparent, ... up to the root."""
        chain, parent = [], self.codes[code_id].parent
        while parent is not None:
            chain.append(self.codes[parent])
            parent = self.codes[parent].parent
        return chain

    def root_of(self, code_id: str) -> Code:
        """The top-level code above ``code_id`` (itself if it is top-level)."""
        return ([self.codes[code_id], *self.ancestors(code_id)])[-1]

    def right_of(self, code_id: str) -> str | None:
        """The id of the right a code belongs to, or ``None`` for actor and agency codes."""
        root = self.root_of(code_id)
        return root.id if root.kind == "right" else None

    def label(self, code_id: str, lang: str = "en") -> str:
        return self.codes[code_id].label[lang]

    def active(self) -> list[Code]:
        """Codes that are not deprecated."""
        return [c for c in self if c.deprecated_by is None]

    def replacement(self, code_id: str) -> str:
        """The live code that replaces a deprecated one (following chains)."""
        seen = set()
        while self.codes[code_id].deprecated_by and code_id not in seen:
            seen.add(code_id)
            code_id = self.codes[code_id].deprecated_by
        return code_id

    def thai_keywords(self) -> list[str]:
        """Every Thai keyword (for the tokenizer's dictionary, so none is swallowed)."""
        return sorted({k for c in self for k in c.keywords.get("th", ())})

    def search(self, query: str) -> pd.DataFrame:
        """Codes whose id, labels, definitions or keywords contain ``query`` (any case)."""
        needle = query.strip().casefold()
        table = self.to_frame()
        if not needle:
            return table
        haystack = table[["id", "label_en", "label_th", "definition_en", "definition_th", "keywords_en",
                          "keywords_th"]].astype(str).agg(" ".join, axis=1).str.casefold()
        return table[haystack.str.contains(needle, regex=False)].reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """One row per code: id, kind, parent, right, labels, definitions, keywords, deprecation."""
        return pd.DataFrame([{
            "id": c.id, "kind": c.kind, "parent": c.parent, "right": self.right_of(c.id),
            "label_en": c.label.get("en", ""), "label_th": c.label.get("th", ""),
            "definition_en": c.definition.get("en", ""), "definition_th": c.definition.get("th", ""),
            "keywords_en": ", ".join(c.keywords.get("en", ())),
            "keywords_th": ", ".join(c.keywords.get("th", ())),
            "instruments": "; ".join(f"{i} {a}".strip() for i, a in c.instruments),
            "deprecated_by": c.deprecated_by,
        } for c in self])


    def to_dict(self) -> dict:
        """The codebook as plain data, in the YAML layout ``load_codebook`` reads."""
        return {
            "codebook": self.name, "version": self.version, "title": self.title,
            "description": self.description, "changelog": self.changelog,
            "instruments": self.instruments,
            "codes": [code_to_dict(c) for c in self],
        }


def code_to_dict(code: Code) -> dict:
    """One code as plain data (empty fields left out)."""
    data: dict = {"id": code.id, "kind": code.kind, "parent": code.parent, "label": code.label}
    for name in TEXT_FIELDS:
        if getattr(code, name):
            data[name] = dict(getattr(code, name))
    if code.see:
        data.setdefault("exclude", {})["see"] = list(code.see)
    if code.instruments:
        data["instruments"] = [{"instrument": i, "article": a} for i, a in code.instruments]
    if code.keywords:
        data["keywords"] = {lang: list(words) for lang, words in code.keywords.items()}
    if code.deprecated_by:
        data["deprecated_by"] = code.deprecated_by
    return data


def codebook_yaml(data: dict) -> str:
    """YAML text of a codebook given as plain data (see ``Codebook.to_dict``)."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100, indent=2)


# ----------------------------------------------------------------------------- loading

def study_codebook(study) -> Codebook:
    """The codebook of a study (see ``Study.codebook_path``), validated."""
    path = study.codebook_path
    if path is None or not path.is_file():
        raise CodebookError("no codebook", path=path or study.codebooks_dir,
                            fix="copy codebooks/rights-violations.yaml from Sitthi into the study's "
                                "codebooks folder, or set 'codebook' in study.toml")
    stat = path.stat()
    return _cached_codebook(path, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=8)
def _cached_codebook(path: Path, size: int, mtime_ns: int) -> Codebook:
    return load_codebook(path)


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a YAML codebook (raises ``CodebookError`` naming file and line)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise CodebookError(f"cannot be read ({err})", path=path,
                            fix="check the path, and save the file as UTF-8") from None
    return parse_codebook(text, path)


def parse_codebook(text: str, path: Path) -> Codebook:
    """Validate codebook YAML text and build a ``Codebook``."""
    if not text.strip():
        raise CodebookError("the codebook file is empty", path=path, line=1,
                            fix="start from codebooks/rights-violations.yaml")
    if "\t" in text:
        line = text[:text.index("\t")].count("\n") + 1
        raise CodebookError("a tab character is used for indentation", path=path, line=line,
                            fix="indent YAML with spaces only (two per level)")
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        raise CodebookError(f"not valid YAML: {getattr(err, 'problem', None) or err}", path=path,
                            line=mark.line + 1 if mark else None,
                            fix="check the indentation and the quotes on this line") from None
    finally:
        loader.dispose()
    if not isinstance(root, yaml.MappingNode):
        raise CodebookError("the codebook must be a mapping with 'version' and 'codes'", path=path, line=1,
                            fix="start from codebooks/rights-violations.yaml")
    data = _Node(root, path)
    codes_node = data.require("codes", "add a 'codes:' list")
    if not isinstance(codes_node.node, yaml.SequenceNode) or not codes_node.node.value:
        raise CodebookError("'codes' must be a non-empty list", path=path, line=codes_node.line,
                            fix="list the codes under 'codes:', each starting with '- id: ...'")
    instruments = {k: _texts(v, what=f"instrument {k}") for k, v in data.mapping("instruments").items()}
    codes: dict[str, Code] = {}
    for item in codes_node.items():
        code = _code(item, instruments)
        if code.id in codes:
            raise CodebookError(f"duplicate id '{code.id}' (first on line {codes[code.id].line})",
                                path=path, line=code.line, fix="give every code its own id")
        codes[code.id] = code
    book = Codebook(path=path, name=str(data.value("codebook", path.stem)),
                    version=str(data.value("version", "")), title=_texts(data.get("title")),
                    description=_texts(data.get("description")),
                    changelog=data.python("changelog") or [], instruments=instruments, codes=codes)
    _check_references(book)
    return book


class _Node:
    """A YAML node with the file line of everything in it (for error messages)."""

    def __init__(self, node: yaml.Node, path: Path) -> None:
        self.node, self.path = node, path

    @property
    def line(self) -> int:
        return self.node.start_mark.line + 1

    def _pairs(self) -> list[tuple[str, yaml.Node]]:
        if not isinstance(self.node, yaml.MappingNode):
            raise CodebookError("expected 'key: value' lines here", path=self.path, line=self.line,
                                fix="check the indentation")
        return [(str(k.value), v) for k, v in self.node.value]

    def get(self, key: str) -> _Node | None:
        for name, value in self._pairs():
            if name == key:
                return _Node(value, self.path)
        return None

    def require(self, key: str, fix: str) -> _Node:
        found = self.get(key)
        if found is None:
            raise CodebookError(f"'{key}' is missing", path=self.path, line=self.line, fix=fix)
        return found

    def python(self, key: str | None = None):
        node = self.node if key is None else (self.get(key).node if self.get(key) else None)
        if node is None:
            return None
        loader = _Loader("")
        try:
            return loader.construct_object(node, deep=True)
        finally:
            loader.dispose()

    def value(self, key: str, default=None):
        found = self.python(key)
        return default if found is None else found

    def mapping(self, key: str) -> dict[str, _Node]:
        found = self.get(key)
        return {} if found is None else {k: _Node(v, self.path) for k, v in found._pairs()}

    def items(self) -> list[_Node]:
        return [_Node(v, self.path) for v in self.node.value]

    def fail(self, what: str, fix: str) -> CodebookError:
        return CodebookError(what, path=self.path, line=self.line, fix=fix)


def _texts(node: _Node | None, *, what: str = "", required: bool = False) -> dict[str, str]:
    """A ``{th, en}`` text field; plain text is taken as English."""
    if node is None:
        return {}
    value = node.python()
    if isinstance(value, str):
        value = {"en": value}
    if not isinstance(value, dict):
        raise node.fail(f"{what or 'this field'} must be text in Thai and English",
                        "write it as {th: \"...\", en: \"...\"}")
    texts = {lang: str(value[lang]).strip() for lang in LANGS if value.get(lang) not in (None, "")}
    if required:
        missing = [lang for lang in LANGS if lang not in texts]
        if missing:
            language = "Thai" if missing[0] == "th" else "English"
            raise node.fail(f"{what} has no {language} text ({missing[0]})",
                            f"add '{missing[0]}: ...' so coders can read it in both languages")
    return texts


def _code(item: _Node, instruments: dict) -> Code:
    if not isinstance(item.node, yaml.MappingNode):
        raise item.fail("each code must be a mapping", "start each code with '- id: ...'")
    code_id = item.value("id")
    if code_id is None:
        raise item.fail("a code has no id", "add 'id: ...' (upper-case letters, digits and '-')")
    if not isinstance(code_id, str) or not ID_RE.match(code_id):
        raise (item.get("id") or item).fail(
            f"id {code_id!r} is not an upper-case slug", "use letters A-Z, digits and '-', e.g. LIB-SHEL")
    kind = item.value("kind", "violation")
    if kind not in KINDS:
        raise (item.get("kind") or item).fail(f"unknown kind {kind!r} for {code_id}",
                                              f"use one of: {', '.join(KINDS)}")
    label_node = item.get("label")
    if label_node is None:
        raise item.fail(f"{code_id} has no label", "add label: {th: \"...\", en: \"...\"}")
    exclude_node = item.get("exclude")
    see = exclude_node.value("see", []) if exclude_node is not None and isinstance(
        exclude_node.node, yaml.MappingNode) else []
    if not isinstance(see, list) or not all(isinstance(s, str) for s in see):
        raise exclude_node.fail(f"'see' of {code_id} must be a list of code ids",
                                "write see: [CODE-A, CODE-B]")
    return Code(
        id=code_id, kind=kind, parent=item.value("parent"),
        label=_texts(label_node, what=f"the label of {code_id}", required=True),
        definition=_texts(item.get("definition"), what=f"the definition of {code_id}"),
        include=_texts(item.get("include"), what=f"'include' of {code_id}"),
        exclude=_texts(exclude_node, what=f"'exclude' of {code_id}"),
        example=_texts(item.get("example"), what=f"the example of {code_id}"),
        see=tuple(see),
        instruments=_instruments(item, code_id, instruments),
        keywords=_keywords(item, code_id),
        deprecated_by=item.value("deprecated_by"),
        line=item.line,
        key_lines={key: node.start_mark.line + 1 for key, node in item._pairs()},
    )


def _instruments(item: _Node, code_id: str, known: dict) -> tuple[tuple[str, str], ...]:
    node = item.get("instruments")
    if node is None:
        return ()
    found = []
    for entry in node.items() if isinstance(node.node, yaml.SequenceNode) else [node]:
        value = entry.python()
        if not isinstance(value, dict) or "instrument" not in value:
            raise entry.fail(f"an instrument of {code_id} is not '{{instrument: ..., article: ...}}'",
                             "write e.g. {instrument: ICCPR, article: \"9\"}")
        if known and value["instrument"] not in known:
            raise entry.fail(f"unknown instrument '{value['instrument']}' in {code_id}",
                             "add it under 'instruments:' at the top of the codebook")
        found.append((str(value["instrument"]), str(value.get("article", ""))))
    return tuple(found)


def _keywords(item: _Node, code_id: str) -> dict[str, tuple[str, ...]]:
    node = item.get("keywords")
    if node is None:
        return {}
    value = node.python()
    if not isinstance(value, dict) or set(value) - set(LANGS):
        raise node.fail(f"keywords of {code_id} must be lists under 'th' and 'en'",
                        "write keywords: {th: [\"...\"], en: [\"...\"]}")
    keywords = {}
    for lang, words in value.items():
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            raise node.fail(f"keywords.{lang} of {code_id} must be a list of non-empty texts",
                            f"write {lang}: [\"word\", \"another phrase\"]")
        folded = [w.strip().casefold() for w in words]
        repeated = sorted({w for w in folded if folded.count(w) > 1})
        if repeated:
            raise node.fail(f"keywords.{lang} of {code_id} repeats '{repeated[0]}'", "list each keyword once")
        keywords[lang] = tuple(w.strip() for w in words)
    return keywords


def _check_references(book: Codebook) -> None:
    for code in book:
        def fail(what: str, fix: str, key: str = "", code: Code = code) -> CodebookError:
            return CodebookError(what, path=book.path, line=code.key_lines.get(key, code.line), fix=fix)

        if code.parent is not None and code.parent not in book:
            raise fail(f"{code.id}: parent '{code.parent}' does not exist", "use the id of an existing code",
                       "parent")
        if code.deprecated_by is not None:
            target = book.codes.get(code.deprecated_by)
            if target is None:
                raise fail(f"{code.id}: deprecated_by '{code.deprecated_by}' does not exist",
                           "point deprecated_by at the code that replaces it", "deprecated_by")
            if target.deprecated_by is not None:
                raise fail(f"{code.id}: deprecated_by '{target.id}' is itself deprecated",
                           f"point it at the live code ('{book.replacement(target.id)}')", "deprecated_by")
        for other in code.see:
            if other not in book:
                raise fail(f"{code.id}: exclude points to '{other}', which does not exist",
                           "name an existing code in 'see'", "exclude")
        chain, parent = [code.id], code.parent
        while parent is not None:
            if parent in chain:
                raise fail(f"{code.id}: its parents form a cycle ({' → '.join([*chain, parent])})",
                           "a code cannot be its own ancestor: fix one of the 'parent' lines", "parent")
            chain.append(parent)
            parent = book.codes[parent].parent if parent in book else None
