"""Front matter in anonymisation: which values are scanned and how they are pseudonymised.

Every value is scanned and pseudonymised but the schema's own (``id``, ``language``, ``anonymised``,
``fictional``, ``translation_of``): attributes such as ``site`` or ``group`` too, and comments. A value
that a pseudonym changed is written as a quoted YAML string, so ``interviewer: [NAME-01]`` never turns
into a list. Lines keep their numbers (``anonymised: true`` replaces the old line where there is one).
"""

from __future__ import annotations

import json
import re
from collections import Counter

from analysis.privacy.replace import Replacer
from analysis.text.corpus import RESERVED

KEY_LINE = re.compile(r"""^("[^"]*"|'[^']*'|[^\s#:'"-][^:#]*?)\s*:(?=\s|$)""")
ANONYMISED_LINE = re.compile(r"anonymised\s*:")


def value_starts(head: str) -> list[int | None]:
    """Per front-matter line: where the text to scan starts (after ``key:``), or None (a schema key's)."""
    starts: list[int | None] = []
    schema = False
    for line in head.split("\n"):
        match = KEY_LINE.match(line)
        if line.lstrip().startswith("#"):
            starts.append(0)  # a comment may name anyone
        elif match:
            schema = match.group(1).strip("\"'") in RESERVED
            starts.append(None if schema else match.end())
        else:
            starts.append(None if schema else 0)  # a continuation line belongs to the key above
    return starts


def scannable_head(head: str) -> str:
    """The front matter as the finders read it: between its ``---`` lines, keys kept (the finders read
    ``interviewer: Jane Porter`` by its key), schema lines blanked (offsets and lines unchanged, so
    the head's first line is line 2 of the file)."""
    lines = [" " * len(line) if start is None else line
             for line, start in zip(head.split("\n"), value_starts(head), strict=True)]
    return "---\n" + "\n".join(lines) + "\n---\n"


def _yaml_value(old: str, new: str, *, list_item: bool) -> str:
    """``new`` (a value after pseudonymising) as YAML text: quoted where ``[NAME-01]`` would be a list."""
    stripped = new.strip()
    if not stripped or old.strip()[:1] in ("'", '"', "|", ">"):
        return new
    if list_item:
        bullet = re.match(r"\s*-\s+", new)
        if not bullet:
            return new
        return bullet.group() + json.dumps(new[bullet.end():].strip(), ensure_ascii=False)
    return " " + json.dumps(stripped, ensure_ascii=False)


def pseudonymise_head(head: str, replacer: Replacer) -> tuple[str, Counter]:
    """The front matter with every non-schema value pseudonymised (still valid YAML), and the counts."""
    lines, counts = [], Counter()
    for line, start in zip(head.split("\n"), value_starts(head), strict=True):
        if start is None:
            lines.append(line)
            continue
        value = line[start:]
        new, _, found = replacer.replace(value)
        counts += found
        if new != value and not line.lstrip().startswith("#"):
            new = _yaml_value(value, new, list_item=start == 0 and bool(re.match(r"\s*-\s", value)))
        lines.append(line[:start] + new)
    return "\n".join(lines), counts


def anonymised_head(head: str) -> tuple[str, bool]:
    """The front matter saying ``anonymised: true`` (in place, or appended: True)."""
    lines = head.split("\n")
    at = [i for i, line in enumerate(lines) if ANONYMISED_LINE.match(line)]
    if not at:
        return "\n".join([*lines, "anonymised: true"]), True
    lines = [line for i, line in enumerate(lines) if i not in at[1:]]
    lines[at[0]] = "anonymised: true"
    return "\n".join(lines), False
