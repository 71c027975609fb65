"""The Sarabun font for self-contained HTML pages (the coder's guide, the report).

The font files come from the ``fontpkg-sarabun`` package and are embedded as base64 ``@font-face``
rules, so a page shows and prints Thai correctly on a computer without Thai fonts and offline.
"""

from __future__ import annotations

import base64
from functools import lru_cache

FAMILY = "Sarabun"
FACES = (("Regular", "normal"), ("Bold", "bold"))


@lru_cache(maxsize=1)
def sarabun_font_face() -> str:
    """CSS ``@font-face`` rules embedding Sarabun regular and bold (about 240 kB of CSS)."""
    import fontpkg_sarabun

    files = fontpkg_sarabun.ROOT / "files"
    rules = []
    for name, weight in FACES:
        data = base64.b64encode((files / f"{FAMILY}-{name}.ttf").read_bytes()).decode("ascii")
        rules.append(f"@font-face {{ font-family: {FAMILY}; font-weight: {weight}; "
                     f"src: url(data:font/ttf;base64,{data}) format('truetype'); }}")
    return "\n".join(rules)
