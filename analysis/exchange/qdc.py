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
from analysis.files import write_atomic

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


def _slug(name: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "-", name.upper()).strip("-")


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
    """Codebook data of a parsed ``<CodeBook>`` or ``<Project>`` (``path`` only names it in errors)."""
    codes_elements = [e for e in root.iter() if local_name(e) == "Codes"]
    if local_name(root) not in ("CodeBook", "Project") or not codes_elements:
        raise CodebookError("no <CodeBook> with <Codes> in this file", path=path, line=1,
                            fix="choose a REFI-QDA codebook (.qdc) export")
    notes: list[str] = []
    namespace = etree.QName(root).namespace
    if namespace != NS:
        notes.append(f"namespace '{namespace}' read as '{NS}'")
    codes: list[dict] = []
    ids: set[str] = set()
    for element in children(codes_elements[0], "Code"):
        _read_code(element, None, codes, ids, notes)
    codes = _expand_double_colon(codes, ids)
    guids = {normal_guid(c.pop("_guid")): c["id"] for c in codes if c.get("_guid")}
    for code in codes:
        code.pop("_guid", None)
    untranslated = [c["id"] for c in codes if c.pop("_no_thai", False)]
    if untranslated:
        notes.append(f"{len(untranslated)} code(s) had no Thai label: the English label was copied "
                     f"(translate them: {', '.join(untranslated[:5])}{' …' * (len(untranslated) > 5)})")
    sets = [e for e in root.iter() if local_name(e) == "Set"]
    foreign_sets = [s.get("name", "") for s in sets if s.get("name") not in GROUP_KINDS.values()]
    if foreign_sets:
        notes.append(f"sets not carried (Sitthi groups codes by kind instead): {', '.join(foreign_sets)}")
    if any(c.get("color") for c in root.iter() if local_name(c) == "Code"):
        notes.append("code colours not carried (Sitthi colours codes by right)")
    notes.append("instrument names not carried (their abbreviations are kept with each code)")
    return ImportResult({"codebook": name, "version": "imported", "title": {"en": name},
                         "codes": codes}, notes, guids)


def _read_code(element: etree._Element, parent: str | None, codes: list[dict], ids: set[str],
               notes: list[str]) -> None:
    name = element.get("name", "").strip()
    description = "".join(d.text or "" for d in children(element, "Description"))
    fields = _parse_description(description)
    prefix = name.split(NAME_SEPARATOR, 1)[0]
    code_id = prefix if ID_RE.match(prefix) and "label.en" in fields else _unique_id(name, ids)
    ids.add(code_id)
    label_en = fields.get("label.en") or name.split(NAME_SEPARATOR, 1)[-1] or code_id
    kind = fields.get("kind") or ("right" if parent is None else "violation")
    code: dict = {"id": code_id, "kind": kind, "parent": parent,
                  "label": {"en": label_en, "th": fields.get("label.th") or label_en},
                  "_name": name, "_guid": element.get("guid")}
    if "label.th" not in fields:
        code["_no_thai"] = True
    for name_ in TEXT_FIELDS:
        texts = {lang: fields[f"{name_}.{lang}"] for lang in LANGS if fields.get(f"{name_}.{lang}")}
        if texts:
            code[name_] = texts
    if not fields and description.strip():
        code["definition"] = {"en": description.strip()}
    if fields.get("exclude.see"):
        code.setdefault("exclude", {})["see"] = [s.strip() for s in fields["exclude.see"].split(",")]
    if fields.get("instruments"):
        code["instruments"] = [dict(zip(("instrument", "article"), (part.split(" ", 1) + [""])[:2],
                                        strict=True)) for part in fields["instruments"].split("; ")]
    keywords = {lang: fields[f"keywords.{lang}"].split(" | ") for lang in LANGS
                if fields.get(f"keywords.{lang}")}
    if keywords:
        code["keywords"] = keywords
    if fields.get("deprecated_by"):
        code["deprecated_by"] = fields["deprecated_by"]
    codes.append(code)
    for child in children(element, "Code"):
        _read_code(child, code_id, codes, ids, notes)


def _parse_description(text: str) -> dict[str, str]:
    """``field.lang: value`` lines of a description we wrote (empty for other descriptions)."""
    fields = {}
    for line in text.splitlines():
        match = _LINE_RE.match(line.strip())
        if not match:
            return {}
        fields[match.group("key")] = match.group("value")
    return fields


def _unique_id(name: str, ids: set[str]) -> str:
    base = _slug(name.split("::")[-1]) or "CODE"
    candidate, n = base, 1
    while candidate in ids:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _expand_double_colon(codes: list[dict], ids: set[str]) -> list[dict]:
    """Turn ATLAS.ti's flat ``Parent::child`` names into a tree (parents created as needed)."""
    by_path = {code["_name"]: code["id"] for code in codes}
    result: list[dict] = []
    for code in codes:
        parts = [p.strip() for p in code["_name"].split("::")]
        if len(parts) > 1 and code["parent"] is None:
            parent = None
            for depth in range(1, len(parts)):
                path = "::".join(parts[:depth])
                if path not in by_path:
                    new_id = _unique_id(parts[depth - 1], ids)
                    ids.add(new_id)
                    by_path[path] = new_id
                    label = parts[depth - 1]
                    result.append({"id": new_id, "kind": "right" if parent is None else "violation",
                                   "parent": parent, "label": {"en": label, "th": label}, "_no_thai": True})
                parent = by_path[path]
            code["parent"], code["kind"] = parent, "violation"
            code["label"] = {"en": parts[-1], "th": parts[-1]} if code.get("_no_thai") else code["label"]
        code.pop("_name")
        result.append(code)
    return result


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
