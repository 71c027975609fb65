"""Build a larger study from the demo transcripts, for benchmarks."""

from __future__ import annotations

import re
from pathlib import Path

from analysis.study import Study, init_study, load_study
from analysis.text.corpus import transcript_files

REPO = Path(__file__).resolve().parent.parent
_FRONT_MATTER_END = "\n---\n"


def copy_demo(target: Path, copies: int, *, vary: bool = False, codings: bool = False) -> Study:
    """A new study in ``target`` with ``copies`` renamed copies of every demo transcript.

    With ``vary``, copy n has its turns rotated by n, so no two copies have the same text. With
    ``codings``, the demo codings are copied too (renamed to match; not with ``vary``).
    """
    demo = load_study(REPO)
    study = init_study(target, codebooks=demo.codebooks_dir)
    sources = transcript_files(demo.transcripts_dir)
    for n in range(copies):
        for source in sources:
            new_id = f"{source.stem}-x{n:03d}"
            text = source.read_text(encoding="utf-8").replace(f"id: {source.stem}\n", f"id: {new_id}\n", 1)
            text = re.sub(r"^translation_of: (?!null)(\S+)$", rf"translation_of: \1-x{n:03d}", text,
                          count=1, flags=re.M)
            if vary:
                head, _, body = text.partition(_FRONT_MATTER_END)
                turns = body.strip("\n").split("\n\n")
                shift = n % len(turns)
                text = head + _FRONT_MATTER_END + "\n" + "\n\n".join(turns[shift:] + turns[:shift]) + "\n"
            (study.transcripts_dir / f"{new_id}{source.suffix}").write_text(text, encoding="utf-8")
        if codings and not vary:
            _copy_codings(demo.codings_dir, study.codings_dir, f"-x{n:03d}")
    return study


def _copy_codings(source: Path, target: Path, suffix: str) -> None:
    """Every coder's codings files, with transcript and segment ids renamed by ``suffix``."""
    for path in source.glob("*/*.csv"):
        lines = path.read_text(encoding="utf-8").split("\n")
        rename = r"^([^,]+),\1:", rf"\1{suffix},\1{suffix}:"
        renamed = [lines[0]] + [re.sub(*rename, line) for line in lines[1:]]
        out = target / path.parent.name / f"{path.stem}{suffix}.csv"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("\n".join(renamed), encoding="utf-8")
