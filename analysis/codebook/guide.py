"""The coder's guide: the codebook as a bilingual document to print and keep beside you.

``write_guide`` writes ``guide.md`` and a self-contained ``guide.html`` (the Sarabun font is
embedded, so Thai prints correctly on any computer). Each right comes with its codes; each code
shows its labels, definition, what to include and exclude, an example and its instruments. Both
are made from the same plain data; the page's markup and style are the templates ``guide.html.j2``
and ``guide.css`` in ``analysis/pages/templates/`` (every value escaped).
"""

from __future__ import annotations

from pathlib import Path

from analysis.codebook.model import Code, Codebook
from analysis.files import write_atomic
from analysis.pages.render import render_page

LANGS = ("th", "en")
FIELDS = (  # (field, English heading, Thai heading)
    ("definition", "Definition", "ความหมาย"),
    ("include", "Use it for", "ใช้เมื่อ"),
    ("exclude", "Do not use it for", "ไม่ใช้เมื่อ"),
    ("example", "Example (fictional)", "ตัวอย่าง (สมมติ)"),
)
HEADINGS = {"see": "ใช้รหัสแทน / Use instead", "instruments": "ตราสาร / Instruments",
            "keywords": "คำสำคัญ / Keywords"}
SECTIONS = (  # (kinds of top-level codes, English title, Thai title)
    (("right",), "Rights and their violations", "สิทธิและการละเมิด"),
    (("actor_group",), "Actors", "ผู้กระทำ"),
    (("agency_group",), "Agency and resistance", "การรับมือและการต่อสู้"),
)


def _instruments(code: Code) -> str:
    return "; ".join(f"{name} {article}".strip() for name, article in code.instruments)


def _keywords(code: Code) -> str:
    return " · ".join([*code.keywords.get("th", ()), *code.keywords.get("en", ())])


def _entry(code: Code) -> dict:
    """A code as plain data: id, labels, the fields it has (each text with its language), codes to use
    instead, instruments and keywords as one line each."""
    fields = [{"heading": f"{heading_th} / {heading_en}",
               "texts": [{"lang": lang, "text": texts[lang]} for lang in LANGS if texts.get(lang)]}
              for name, heading_en, heading_th in FIELDS if (texts := getattr(code, name))]
    return {"id": code.id, "label": dict(code.label), "fields": fields, "see": list(code.see),
            "instruments": _instruments(code) if code.instruments else "",
            "keywords": _keywords(code) if code.keywords else ""}


def _sections(codebook: Codebook) -> list[dict]:
    """Each section with a top-level code: its title and groups (a live top-level code and its live
    descendants)."""
    sections = []
    for kinds, title_en, title_th in SECTIONS:
        roots = [c for c in codebook.roots if c.kind in kinds and c.deprecated_by is None]
        if roots:
            sections.append({"title": f"{title_th} / {title_en}", "groups": [
                {"root": _entry(root), "codes": [_entry(c) for c in codebook.descendants(root.id)
                                                 if c.deprecated_by is None]} for root in roots]})
    return sections


def _title(codebook: Codebook) -> str:
    return f"{codebook.title.get('th', '')} / {codebook.title.get('en', codebook.name)}"


def _descriptions(codebook: Codebook) -> list[dict]:
    texts = codebook.description
    return [{"lang": lang, "text": texts[lang]} for lang in LANGS if texts.get(lang)]


def guide_markdown(codebook: Codebook) -> str:
    """The guide as Markdown."""
    lines = [f"# {_title(codebook)}", "", f"Codebook `{codebook.name}`, version {codebook.version}.", ""]
    for description in _descriptions(codebook):
        lines += [description["text"], ""]
    for section in _sections(codebook):
        lines += [f"## {section['title']}", ""]
        for group in section["groups"]:
            lines += _code_markdown(group["root"], "###")
            for code in group["codes"]:
                lines += _code_markdown(code, "####")
    return "\n".join(lines).rstrip() + "\n"


def _code_markdown(code: dict, level: str) -> list[str]:
    lines = [f"{level} `{code['id']}` {code['label']['th']} / {code['label']['en']}", ""]
    lines += [f"- **{field['heading']}:** " + " / ".join(text["text"] for text in field["texts"])
              for field in code["fields"]]
    if code["see"]:
        lines.append(f"- **{HEADINGS['see']}:** " + ", ".join(f"`{s}`" for s in code["see"]))
    lines += [f"- **{HEADINGS[name]}:** {code[name]}" for name in ("instruments", "keywords") if code[name]]
    return [*lines, ""]


def guide_html(codebook: Codebook) -> str:
    """The guide as one self-contained HTML page (font embedded, printable)."""
    return render_page("guide.html.j2", title=_title(codebook), name=codebook.name, version=codebook.version,
                       descriptions=_descriptions(codebook), sections=_sections(codebook), headings=HEADINGS)


def write_guide(codebook: Codebook, folder: Path) -> list[Path]:
    """Write ``guide.md`` and ``guide.html`` into ``folder``; return their paths."""
    return [write_atomic(folder / "guide.md", guide_markdown(codebook)),
            write_atomic(folder / "guide.html", guide_html(codebook))]
