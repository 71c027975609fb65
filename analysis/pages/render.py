"""Pages from Jinja2 templates (``analysis/pages/templates/``), every one autoescaped.

Python hands the templates plain data (strings, numbers, lists and dicts); the templates make all
the markup, and every value is HTML-escaped on output. The only markup passed in as trusted
(``markupsafe.Markup``) is what Sitthi builds itself: the embedded font's ``@font-face`` rules
(``sarabun_font_face()`` in every page) and the figures' base64 ``data:`` URIs (``data_uri``).
"""

from __future__ import annotations

import base64
from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from analysis.pages.webfont import sarabun_font_face

TEMPLATES = "templates"  # the folder inside analysis/pages/, shipped as package data


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The one environment: templates from the package, autoescape for every template (whatever its
    name) and for strings, undefined names an error."""
    env = Environment(loader=PackageLoader("analysis.pages", TEMPLATES), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.globals["sarabun_font_face"] = lambda: Markup(sarabun_font_face())  # our own CSS, base64 inside
    return env


def render_page(template: str, /, **context: object) -> str:
    """The template ``template`` rendered with ``context`` (any names, ``template`` included)."""
    return environment().get_template(template).render(**context)


def data_uri(data: bytes, media_type: str) -> Markup:
    """``data:<media_type>;base64,...`` for an attribute: base64 needs no escaping, so it is trusted."""
    return Markup(f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}")
