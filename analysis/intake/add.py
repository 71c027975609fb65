"""``sitthi add``: interviews as people have them → raw transcripts in ``data/raw/<id>.md``.

Each file is read by its format, its id taken from the file name, its language from the script,
speaker labels, page numbers and numbering lines found; what was inferred comes back per file for a
person to check. An existing raw or anonymised transcript is never overwritten, the original file
is never changed, and every file is written atomically.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from analysis.errors import SitthiError
from analysis.files import write_atomic
from analysis.intake.readers import IntakeError, read_document
from analysis.intake.speakers import Turns, find_turns
from analysis.study import Study
from analysis.text.corpus import ID_RE, transcript_files
from analysis.text.script import language_of

TABLE_COLUMNS = ["file", "id", "language", "unit", "speakers", "dropped", "notes"]


@dataclass
class Added:
    """What ``add`` inferred for one file, where it wrote it, or the problem that refused it."""

    source: Path
    id: str | None = None
    language: str | None = None
    unit: str | None = None
    speakers: list[str] = field(default_factory=list)
    dropped: int = 0
    notes: list[str] = field(default_factory=list)
    written: Path | None = None
    problem: SitthiError | None = None


def id_from_name(path: Path) -> str:
    """A transcript id from a file name: runs of other characters become '-' ("P 3 (final)" → "P-3-final")."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem)
    name = re.sub(r"-{2,}", "-", name).strip("-._")
    if not name or not ID_RE.match(name):
        raise IntakeError("cannot make an id from the file name (it needs Latin letters or digits)",
                          path=path, fix="copy it under a name such as TH-01" + path.suffix + " and add that")
    return name


def _taken(study: Study) -> dict[str, Path]:
    """Ids already used by a raw or anonymised transcript (lower case: file systems may ignore case)."""
    folders = (study.raw_dir, study.transcripts_dir)
    return {p.stem.lower(): p for folder in folders for p in transcript_files(folder)}


def _scalar(value: str) -> str:
    """A front-matter value: plain when YAML reads it back as the same text, else quoted."""
    try:
        plain = yaml.safe_load(value) == value and "\n" not in value
    except yaml.YAMLError:
        plain = False
    return value if plain else json.dumps(value, ensure_ascii=False)


def transcript_text(added: Added, turns: Turns, site: str | None) -> str:
    """The raw transcript: front matter (id, language, anonymised: false, site, source, speakers), body."""
    keys = [("id", added.id), ("language", added.language)]
    head = [f"{key}: {_scalar(value)}" for key, value in keys] + ["anonymised: false"]
    if site:
        head.append(f"site: {_scalar(site)}")
    head.append(f"source: {_scalar(added.source.name)}")
    if turns.speakers:
        head.append(f"speakers: {_scalar(', '.join(turns.speakers))}")
    body = "\n\n".join(f"{label}: {text}" if label else text for label, text in turns.paragraphs)
    return "---\n" + "\n".join(head) + "\n---\n\n" + body + "\n"


def _language(turns: Turns, given: str | None, study: Study, path: Path) -> tuple[str, list[str]]:
    language = given or language_of(" ".join(text for _, text in turns.paragraphs))
    if language not in study.languages:
        raise IntakeError(f"language '{language}' is not one of the study's ({', '.join(study.languages)})",
                          path=path, fix="give --language, or add it to languages in study.toml")
    return language, [] if given else [f"language {language} by script"]


def _unit_notes(turns: Turns, study: Study) -> list[str]:
    """Say when a file's unit does not fit the study's ``segment_unit`` (a study-wide setting)."""
    if turns.unit == "paragraph" and study.segment_unit == "turn":
        return ["study.toml has segment_unit = \"turn\": add labels such as 'R: ' to the raw file, "
                "or set segment_unit = \"paragraph\""]
    return []


def _check_source(path: Path, study: Study) -> None:
    if path.resolve().parent == study.raw_dir.resolve():
        raise IntakeError("is inside data/raw/, where only raw transcripts go", path=path,
                          fix="move it into data/raw/originals/ (anonymise does not read it there), "
                              "then add it from there")
    if not path.is_file():
        raise IntakeError("no such file", path=path, fix="check the path")


def add_file(study: Study, path: Path, taken: dict[str, Path], *, language: str | None = None,
             site: str | None = None) -> Added:
    """Add one file (raises ``SitthiError``); ``taken`` gains its id."""
    _check_source(path, study)
    added = Added(source=path, id=id_from_name(path))
    target = study.raw_dir / f"{added.id}.md"
    if added.id.lower() in taken or target.exists():
        raise IntakeError(f"id '{added.id}' is taken by {taken.get(added.id.lower(), target)}", path=path,
                          fix="nothing was written: rename this file, or delete the other one if it is "
                              "an old copy")
    document = read_document(path)
    turns = find_turns(document.blocks, timed=document.timed)
    added.language, language_notes = _language(turns, language, study, path)
    added.unit, added.speakers = turns.unit, turns.speakers
    added.dropped = turns.dropped + document.dropped
    added.notes = [document.kind, *language_notes, *document.notes, *turns.notes, *_unit_notes(turns, study)]
    study.raw_dir.mkdir(parents=True, exist_ok=True)
    added.written = write_atomic(target, transcript_text(added, turns, site))
    taken[added.id.lower()] = target
    return added


def add_files(study: Study, paths: list[str | Path], *, language: str | None = None,
              site: str | None = None) -> list[Added]:
    """Add each file as ``data/raw/<id>.md``; a file that cannot be added carries its ``problem``."""
    taken = _taken(study)
    results = []
    for given in paths:
        path = Path(given).expanduser()
        try:
            results.append(add_file(study, path, taken, language=language, site=site))
        except SitthiError as err:
            results.append(Added(source=path, problem=err))
    return results


def intake_table(results: list[Added]) -> pd.DataFrame:
    """One row per added file (file → id, language, unit, speakers, lines dropped, notes) to check."""
    rows = [{"file": r.source.name, "id": r.id, "language": r.language, "unit": r.unit,
             "speakers": ", ".join(r.speakers) or "-", "dropped": r.dropped, "notes": "; ".join(r.notes)}
            for r in results if r.problem is None]
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def add_for_review(study: Study, paths: list[str | Path], *, language: str | None = None,
                   site: str | None = None) -> pd.DataFrame:
    """``add_files`` for a notebook: the table to check, refused files last with what to do in ``notes``."""
    results = add_files(study, paths, language=language, site=site)
    refused = pd.DataFrame([{"file": r.source.name, "unit": "refused", "notes": r.problem.message}
                            for r in results if r.problem is not None], columns=TABLE_COLUMNS)
    table = intake_table(results)
    return pd.concat([table, refused], ignore_index=True) if len(refused) else table


def refusals(results: list[Added]) -> list[str]:
    """One line per refused file: file, what and what to do."""
    return [r.problem.message for r in results if r.problem is not None]
