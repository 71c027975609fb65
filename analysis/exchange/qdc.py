"""REFI-QDA codebooks (``.qdc``, namespace ``urn:QDA-XML:codebook:1.0``): export and import.

Export is strict: it validates against the standard's schema, codes nest as in our tree, and
GUIDs are derived (uuid5) from code ids, so exporting twice gives the same file. Our fields that
QDA-XML has no element for (Thai label, include/exclude, example, instruments, keywords, kind,
deprecation) travel in each code's ``Description`` as ``field.lang: text`` lines, which we read
back; other tools show them as plain text.

Import is tolerant: any namespace version (ATLAS.ti writes ``urn:QDA-XML:codebook:0:4``),
``Parent::child`` names (ATLAS.ti's way of writing a hierarchy), GUIDs with or without braces.
It reports what it could not carry instead of dropping it silently.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from analysis import __version__
from analysis.codebook.model import ID_RE, LANGS, TEXT_FIELDS, Codebook, CodebookError, parse_codebook
from analysis.exchange.qdpx_names import code_id
from analysis.files import write_atomic
from analysis.text.script import thai_share

NS = "urn:QDA-XML:codebook:1.0"
GUID_NAMESPACE = uuid.UUID("5f0c4b7e-1d1e-4c57-9a55-7369747468ff")  # fixed: GUIDs never churn
NAME_SEPARATOR = " · "
COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"]
GROUP_KINDS = {"actor_group": "Actors / ผู้กระทำ", "agency_group": "Agency / การรับมือ"}
_LINE_RE = re.compile(r"^(?P<key>[a-z_]+(?:\.[a-z]+)?): (?P<value>.*)$")


def code_guid(code_id: str) -> str:
    """The GUID of a code, the same in every export."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"code:{code_id}"))


# ----------------------------------------------------------------------------- export

def _description(codebook: Codebook, code_id: str) -> str:
    code = codebook[code_id]
    lines = [f"kind: {code.kind}", *(f"label.{lang}: {code.label[lang]}" for lang in LANGS)]
    for name in TEXT_FIELDS:
        lines += [f"{name}.{lang}: {getattr(code, name)[lang]}" for lang in LANGS
                  if getattr(code, name).get(lang)]
    if code.see:
        lines.append(f"exclude.see: {', '.join(code.see)}")
    if code.instruments:
        lines.append("instruments: " + "; ".join(f"{i} {a}".strip() for i, a in code.instruments))
    lines += [f"keywords.{lang}: {' | '.join(code.keywords[lang])}" for lang in LANGS
              if code.keywords.get(lang)]
    if code.deprecated_by:
        lines.append(f"deprecated_by: {code.deprecated_by}")
    return "\n".join(line.replace("\n", " ") for line in lines)


def codebook_to_qdc(codebook: Codebook) -> bytes:
    """The codebook as QDA-XML codebook bytes (UTF-8)."""
    root = etree.Element(f"{{{NS}}}CodeBook", nsmap={None: NS}, origin=f"Sitthi {__version__}")
    add_codes(root, codebook, NS)
    sets = [(kind, title, [c for r in codebook.roots if r.kind == kind
                           for c in codebook.descendants(r.id)]) for kind, title in GROUP_KINDS.items()]
    sets = [(kind, title, members) for kind, title, members in sets if members]
    if sets:  # an empty <Sets/> is invalid: write it only when there is a member
        sets_element = etree.SubElement(root, f"{{{NS}}}Sets")
        for kind, title, members in sets:
            element = etree.SubElement(sets_element, f"{{{NS}}}Set",
                                       guid=str(uuid.uuid5(GUID_NAMESPACE, f"set:{kind}")), name=title)
            for member in members:
                etree.SubElement(element, f"{{{NS}}}MemberCode", guid=code_guid(member.id))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def add_codes(parent: etree._Element, codebook: Codebook, ns: str) -> etree._Element:
    """Append ``<Codes>`` (nested as our tree) in namespace ``ns`` to ``parent``; the same elements
    serve the codebook (``.qdc``) and the project (``.qde``) schemas."""
    codes = etree.SubElement(parent, f"{{{ns}}}Codes")
    colour = {r.id: COLOURS[i % len(COLOURS)] for i, r in enumerate(codebook.roots)}

    def add(parent: etree._Element, code_id: str) -> None:
        code = codebook[code_id]
        element = etree.SubElement(parent, f"{{{ns}}}Code", guid=code_guid(code.id),
                                   name=f"{code.id}{NAME_SEPARATOR}{code.label['en']}",
                                   isCodable="false" if code.kind in GROUP_KINDS or code.deprecated_by
                                   else "true",
                                   color=colour[codebook.root_of(code.id).id])
        etree.SubElement(element, f"{{{ns}}}Description").text = _description(codebook, code.id)
        for child in codebook.children(code.id):
            add(element, child.id)

    for root_code in codebook.roots:
        add(codes, root_code.id)
    return codes


def write_qdc(codebook: Codebook, path: Path) -> Path:
    """Write the codebook as a ``.qdc`` file."""
    return write_atomic(path, codebook_to_qdc(codebook))


# ----------------------------------------------------------------------------- import

@dataclass
class ImportResult:
    """A codebook read from QDA-XML, as plain data, and what could not be carried."""

    data: dict
    notes: list[str] = field(default_factory=list)
    guids: dict[str, str] = field(default_factory=dict)  # normalised code GUID -> code id


def local_name(element: etree._Element) -> str:
    """An element's tag without its namespace."""
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def children(element: etree._Element, name: str) -> list[etree._Element]:
    """Direct children of ``element`` with this tag, in any namespace."""
    return [c for c in element if local_name(c) == name]


def normal_guid(guid: str | None) -> str:
    """A GUID as compared on import: without braces, lower case."""
    return (guid or "").strip().strip("{}").lower()


def read_qdc(path: Path) -> ImportResult:
    """Read a ``.qdc`` file (ours or another tool's) into codebook data; raise on bad input."""
    try:
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    except (OSError, etree.XMLSyntaxError) as err:
        raise CodebookError(f"not a readable QDA-XML codebook ({err})", path=path,
                            line=getattr(err, "lineno", None),
                            fix="export the codebook again from the other program") from None
    return codebook_from_root(root, path, path.stem)


def codebook_from_root(root: etree._Element, path: Path, name: str) -> ImportResult:
    """Codebook data of a parsed ``<CodeBook>`` or ``<Project>`` (``path`` only names it in errors).

    Every code gets a valid id whatever its name (``qdpx_names.code_id``): ids are given in the
    order of the tree (parents first), so importing the same file twice gives the same ids."""
    codes_elements = [e for e in root.iter() if local_name(e) == "Codes"]
    if local_name(root) not in ("CodeBook", "Project") or not codes_elements:
        raise CodebookError("no <CodeBook> with <Codes> in this file", path=path, line=1,
                            fix="choose a REFI-QDA codebook (.qdc) export")
    notes: list[str] = []
    namespace = etree.QName(root).namespace
    if namespace != NS:
        notes.append(f"namespace '{namespace}' read as '{NS}'")
    found: list[_Found] = []
    for element in children(codes_elements[0], "Code"):
        _read_code(element, None, found)
    codes = _with_ids(_expand_double_colon(found))
    guids = {normal_guid(f.guid): c["id"] for f, c in codes if f.guid}
    codes_data = [c for _, c in codes]
    for lang, what in (("th", "Thai"), ("en", "English")):
        missing = [c["id"] for f, c in codes if f.missing == lang]
        if missing:
            other = "English" if lang == "th" else "Thai"
            notes.append(f"{len(missing)} code(s) had no {what} label: the {other} label was copied "
                         f"(translate them: {', '.join(missing[:5])}{' …' * (len(missing) > 5)})")
    made = [(f.name, c["id"]) for f, c in codes if c["id"] != f.name.partition(NAME_SEPARATOR)[0]]
    if made:
        examples = ", ".join(f"'{n}' → {i}" for n, i in made[:3])
        notes.append(f"{len(made)} code id(s) made from the codes' names (each name kept as its label), "
                     f"e.g. {examples}")
    notes += _not_carried(root, found)
    return ImportResult({"codebook": name, "version": "imported", "title": {"en": name},
                         "codes": codes_data}, notes, guids)


@dataclass(eq=False)
class _Found:
    """A code as read, before it has an id."""

    name: str  # its own name (the last part of a ``Parent::child`` name)
    parent: _Found | None
    guid: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    description: str = ""
    codable: bool = True
    memos: int = 0
    missing: str = ""  # the label language copied from the other one


def _read_code(element: etree._Element, parent: _Found | None, found: list[_Found]) -> None:
    description = "".join(d.text or "" for d in children(element, "Description"))
    code = _Found(element.get("name", "").strip(), parent, element.get("guid"),
                  _parse_description(description), description.strip(),
                  element.get("isCodable", "true").strip().lower() not in ("false", "0"),
                  len(children(element, "NoteRef")))
    found.append(code)
    for child in children(element, "Code"):
        _read_code(child, code, found)


def _expand_double_colon(found: list[_Found]) -> list[_Found]:
    """Turn ATLAS.ti's flat ``Parent::child`` names into a tree (parents created as needed), in
    tree order: each parent before its children, siblings in the file's order."""
    def path_of(name: str) -> str:
        return "::".join(p.strip() for p in name.split("::"))

    by_path = {path_of(f.name): f for f in found if f.parent is None}
    created: list[_Found] = []
    for code in [f for f in found if f.parent is None and "::" in f.name]:
        parts = [p.strip() for p in code.name.split("::")]
        parent = None
        for depth in range(1, len(parts)):
            prefix = "::".join(parts[:depth])
            if prefix not in by_path:
                by_path[prefix] = _Found(parts[depth - 1], parent, missing="")
                created.append(by_path[prefix])
            parent = by_path[prefix]
        code.name, code.parent = parts[-1], parent
    kids: dict[int, list[_Found]] = {}
    for code in created + found:  # a created parent before the codes that named it
        kids.setdefault(id(code.parent), []).append(code)
    ordered: list[_Found] = []

    def walk(parent: _Found | None) -> None:
        for child in kids.get(id(parent), []):
            ordered.append(child)
            walk(child)

    walk(None)
    return ordered


def _with_ids(found: list[_Found]) -> list[tuple[_Found, dict]]:
    """Each code (parents first) with its data: our own ids kept, others made from the name."""
    ids: dict[int, str] = {}
    taken: set[str] = set()
    result = []
    for code in found:
        parent = ids.get(id(code.parent)) if code.parent else None
        prefix, _, label_en = code.name.partition(NAME_SEPARATOR)
        if ID_RE.match(prefix) and "label.en" in code.fields and prefix not in taken:
            ids[id(code)] = prefix
            taken.add(prefix)
        else:
            ids[id(code)] = code_id(code.name, taken, parent=parent, key=normal_guid(code.guid))
        result.append((code, _code_data(code, ids[id(code)], parent, label_en)))
    return result


def _code_data(code: _Found, code_id_: str, parent: str | None, label_en: str) -> dict:
    fields = code.fields
    own = code.name or code_id_
    lang = "th" if thai_share(own) >= 0.5 else "en"
    labels = {lang: own}
    if "label.en" in fields:
        labels = {"en": fields["label.en"] or label_en or code_id_}
        labels["th"] = fields.get("label.th") or ""
    other = "en" if "th" in labels and labels["th"] else "th"
    if not labels.get(other):
        code.missing = other
        labels[other] = labels["th" if other == "en" else "en"]
    data: dict = {"id": code_id_, "kind": fields.get("kind") or ("right" if parent is None else "violation"),
                  "parent": parent, "label": {"en": labels["en"], "th": labels["th"]}}
    for name_ in TEXT_FIELDS:
        texts = {lang: fields[f"{name_}.{lang}"] for lang in LANGS if fields.get(f"{name_}.{lang}")}
        if texts:
            data[name_] = texts
    if not fields and code.description:
        data["definition"] = {"th" if thai_share(code.description) >= 0.5 else "en": code.description}
    if fields.get("exclude.see"):
        data.setdefault("exclude", {})["see"] = [s.strip() for s in fields["exclude.see"].split(",")]
    if fields.get("instruments"):
        data["instruments"] = [dict(zip(("instrument", "article"), (part.split(" ", 1) + [""])[:2],
                                        strict=True)) for part in fields["instruments"].split("; ")]
    keywords = {lang: fields[f"keywords.{lang}"].split(" | ") for lang in LANGS
                if fields.get(f"keywords.{lang}")}
    if keywords:
        data["keywords"] = keywords
    if fields.get("deprecated_by"):
        data["deprecated_by"] = fields["deprecated_by"]
    return data


def _not_carried(root: etree._Element, found: list[_Found]) -> list[str]:
    """Plain-language lines for what codes had that Sitthi's codebook has no place for."""
    notes = []
    sets = [e for e in root.iter() if local_name(e) == "Set"]
    foreign_sets = [s.get("name", "") for s in sets if s.get("name") not in GROUP_KINDS.values()]
    if foreign_sets:
        notes.append(f"sets not carried (Sitthi groups codes by kind instead): {', '.join(foreign_sets)}")
    if any(c.get("color") for c in root.iter() if local_name(c) == "Code"):
        notes.append("code colours not carried (Sitthi colours codes by right)")
    memos = [f.name for f in found if f.memos]
    if memos:
        notes.append(f"memos (notes) on {len(memos)} code(s) not carried, only their descriptions: "
                     + ", ".join(memos[:5]) + (" …" if len(memos) > 5 else ""))
    closed = [f.name for f in found if not f.codable and "kind" not in f.fields]
    if closed:
        notes.append(f"{len(closed)} code(s) marked not codable there can be coded in Sitthi: "
                     + ", ".join(closed[:5]) + (" …" if len(closed) > 5 else ""))
    if any(f.fields.get("instruments") for f in found):
        notes.append("instrument names not carried (their abbreviations are kept with each code)")
    return notes


def _parse_description(text: str) -> dict[str, str]:
    """``field.lang: value`` lines of a description we wrote (empty for other descriptions)."""
    fields = {}
    for line in text.splitlines():
        match = _LINE_RE.match(line.strip())
        if not match:
            return {}
        fields[match.group("key")] = match.group("value")
    return fields


def import_qdc(path: Path, target: Path) -> ImportResult:
    """Read ``path`` and write it as a validated YAML codebook at ``target`` (nothing on error)."""
    from analysis.codebook.model import codebook_yaml

    result = read_qdc(path)
    if target.exists():
        raise CodebookError("a codebook with this name already exists", path=target,
                            fix="choose another name with --out; nothing was changed")
    text = codebook_yaml(result.data)
    parse_codebook(text, target)  # refuse to write a codebook that would not load
    write_atomic(target, text)
    return result
