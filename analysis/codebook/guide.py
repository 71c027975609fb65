"""The coder's guide: the codebook as a bilingual document to print and keep beside you.

``write_guide`` writes ``guide.md`` and a self-contained ``guide.html`` (the Sarabun font is
embedded, so Thai prints correctly on any computer). Each right comes with its codes; each code
shows its labels, definition, what to include and exclude, an example and its instruments.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

from analysis.codebook.model import Code, Codebook
from analysis.pages.webfont import sarabun_font_face

FIELDS = (  # (field, English heading, Thai heading)
    ("definition", "Definition", "ความหมาย"),
    ("include", "Use it for", "ใช้เมื่อ"),
    ("exclude", "Do not use it for", "ไม่ใช้เมื่อ"),
    ("example", "Example (fictional)", "ตัวอย่าง (สมมติ)"),
)
SECTIONS = (  # (kinds of top-level codes, English title, Thai title)
    (("right",), "Rights and their violations", "สิทธิและการละเมิด"),
    (("actor_group",), "Actors", "ผู้กระทำ"),
    (("agency_group",), "Agency and resistance", "การรับมือและการต่อสู้"),
)


def _sections(codebook: Codebook) -> Iterator[tuple[str, str, list[tuple[Code, list[Code]]]]]:
    """(English title, Thai title, [(top-level code, its live descendants)]) per section."""
    for kinds, title_en, title_th in SECTIONS:
        roots = [c for c in codebook.roots if c.kind in kinds and c.deprecated_by is None]
        if roots:
            yield title_en, title_th, [(root, [c for c in codebook.descendants(root.id)
                                               if c.deprecated_by is None]) for root in roots]


def _instruments(code: Code) -> str:
    return "; ".join(f"{name} {article}".strip() for name, article in code.instruments)


def _keywords(code: Code) -> str:
    return " · ".join([*code.keywords.get("th", ()), *code.keywords.get("en", ())])


def guide_markdown(codebook: Codebook) -> str:
    """The guide as Markdown."""
    lines = [f"# {codebook.title.get('th', '')} / {codebook.title.get('en', codebook.name)}", "",
             f"Codebook `{codebook.name}`, version {codebook.version}.", ""]
    for lang in ("th", "en"):
        if codebook.description.get(lang):
            lines += [codebook.description[lang], ""]
    for title_en, title_th, groups in _sections(codebook):
        lines += [f"## {title_th} / {title_en}", ""]
        for root, codes in groups:
            lines += _code_markdown(codebook, root, "###")
            for code in codes:
                lines += _code_markdown(codebook, code, "####")
    return "\n".join(lines).rstrip() + "\n"


def _code_markdown(codebook: Codebook, code: Code, level: str) -> list[str]:
    lines = [f"{level} `{code.id}` {code.label['th']} / {code.label['en']}", ""]
    for name, heading_en, heading_th in FIELDS:
        texts = getattr(code, name)
        if texts:
            lines.append(f"- **{heading_th} / {heading_en}:** " + " / ".join(
                texts[lang] for lang in ("th", "en") if texts.get(lang)))
    if code.see:
        lines.append("- **ใช้รหัสแทน / Use instead:** " + ", ".join(f"`{s}`" for s in code.see))
    if code.instruments:
        lines.append(f"- **ตราสาร / Instruments:** {_instruments(code)}")
    if code.keywords:
        lines.append(f"- **คำสำคัญ / Keywords:** {_keywords(code)}")
    return [*lines, ""]


CSS = """
body { font-family: Sarabun, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.6; color: #1a1a1a; }
h1 { font-size: 1.7rem; } h2 { border-bottom: 2px solid #0072B2; margin-top: 2.5rem; }
section.right { border-left: 6px solid #0072B2; padding-left: 1rem; margin: 2rem 0; }
article.code { border: 1px solid #ccc; border-radius: 6px; padding: .6rem 1rem; margin: .8rem 0;
               break-inside: avoid; }
.id { font-family: monospace; background: #eef4fa; padding: 0 .3rem; border-radius: 3px; }
dt { font-weight: bold; } dd { margin: 0 0 .4rem 1rem; } .en { color: #444; }
@media print { body { margin: 0; max-width: none; } section.right { break-before: page; } }
"""


def guide_html(codebook: Codebook) -> str:
    """The guide as one self-contained HTML page (font embedded, printable)."""
    css = sarabun_font_face() + CSS
    e = html.escape
    title = f"{codebook.title.get('th', '')} / {codebook.title.get('en', codebook.name)}"
    parts = [f"<!DOCTYPE html><html lang='th'><head><meta charset='utf-8'><title>{e(title)}</title>",
             f"<style>{css}</style></head><body>", f"<h1>{e(title)}</h1>",
             f"<p>Codebook <span class='id'>{e(codebook.name)}</span>, version {e(codebook.version)}.</p>"]
    parts += [f"<p class='{lang}'>{e(codebook.description[lang])}</p>"
              for lang in ("th", "en") if codebook.description.get(lang)]
    for title_en, title_th, groups in _sections(codebook):
        parts.append(f"<h2>{e(title_th)} / {e(title_en)}</h2>")
        for root, codes in groups:
            parts.append("<section class='right'>")
            parts.append(_code_html(codebook, root, "h3"))
            parts += [_code_html(codebook, code, "h4") for code in codes]
            parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _code_html(codebook: Codebook, code: Code, tag: str) -> str:
    e = html.escape
    rows = []
    for name, heading_en, heading_th in FIELDS:
        texts = getattr(code, name)
        if texts:
            rows.append(f"<dt>{e(heading_th)} / {e(heading_en)}</dt>" + "".join(
                f"<dd class='{lang}'>{e(texts[lang])}</dd>" for lang in ("th", "en") if texts.get(lang)))
    if code.see:
        links = ", ".join(f"<a class='id' href='#{e(s)}'>{e(s)}</a>" for s in code.see)
        rows.append(f"<dt>ใช้รหัสแทน / Use instead</dt><dd>{links}</dd>")
    if code.instruments:
        rows.append(f"<dt>ตราสาร / Instruments</dt><dd>{e(_instruments(code))}</dd>")
    if code.keywords:
        rows.append(f"<dt>คำสำคัญ / Keywords</dt><dd>{e(_keywords(code))}</dd>")
    return (f"<article class='code' id='{e(code.id)}'><{tag}><span class='id'>{e(code.id)}</span> "
            f"{e(code.label['th'])} / <span class='en'>{e(code.label['en'])}</span></{tag}>"
            f"<dl>{''.join(rows)}</dl></article>")


def write_guide(codebook: Codebook, folder: Path) -> list[Path]:
    """Write ``guide.md`` and ``guide.html`` into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    markdown, page = folder / "guide.md", folder / "guide.html"
    markdown.write_text(guide_markdown(codebook), encoding="utf-8")
    page.write_text(guide_html(codebook), encoding="utf-8")
    return [markdown, page]
