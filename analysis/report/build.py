"""``sitthi report``: write every figure, table, the HTML report and the quotes document to ``outputs/``.

Layout: ``figures/{th,en}/<key>.{png,svg,pdf,csv}``, ``tables/<name>.csv`` and ``tables.xlsx``,
``report.html``, ``quotes.docx`` and ``report.json`` (what was built from what). A run whose inputs
(transcripts, codings, codebook, settings, Sitthi's version) are unchanged since the last one
rebuilds nothing. The report refuses to run while ``sitthi check`` finds problems.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from analysis import __version__
from analysis.coding.check import check_study
from analysis.coding.loaded import LoadedStudy
from analysis.files import hold_lock, write_atomic
from analysis.report.content import FigureSpec, ReportError
from analysis.report.figures import LANGS, save_figure
from analysis.report.provenance import software_versions
from analysis.spreadsheets import write_csv, write_workbook
from analysis.study import Study

MANIFEST = "report.json"
REPORT_LOCK = ".report.lock"
LOCK_WAIT = 1800.0  # seconds a second build of one study waits for the first


@dataclass
class ReportResult:
    folder: Path
    files: list[Path]
    rebuilt: bool
    fingerprint: str
    removed: list[str] = field(default_factory=list)  # leak-guard findings whose files were deleted


def inputs_fingerprint(study: Study) -> str:
    """SHA-256 over every input of the report (file names and bytes) and Sitthi's version."""
    digest = hashlib.sha256(__version__.encode())
    folders = [study.transcripts_dir, study.codings_dir]
    files = [study.config_file,
             *(p for folder in folders if folder.is_dir() for p in sorted(folder.rglob("*")) if p.is_file())]
    if study.codebook_path is not None and study.codebook_path.is_file():
        files.append(study.codebook_path)
    for path in files:
        if path.name == "log.jsonl" or path.name.startswith("."):
            continue  # the audit log, locks and temporary files change nothing the report shows
        digest.update(str(path.relative_to(study.root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def code_fingerprint() -> str:
    """SHA-256 over Sitthi's own source files: after an update or a fix the report is rebuilt."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _up_to_date(folder: Path, fingerprint: str) -> list[Path] | None:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = [folder / name for name in manifest.get("files", [])]
    same = manifest.get("fingerprint") == fingerprint and manifest.get("code") == code_fingerprint()
    if same and all(p.is_file() for p in files):
        return files
    return None


def _check(data: LoadedStudy) -> None:
    result = check_study(data)
    if not result.ok:
        lines = result.problem_lines()
        raise ReportError(f"sitthi check found {len(lines)} problem(s), the first: {lines[0]}",
                          path=data.study.config_file,
                          fix="run `sitthi check`, fix what it lists, then build the report again")


def build_report(study: Study, *, force: bool = False, progress: bool = False,
                 samples: int = 1000) -> ReportResult:
    """Build (or confirm up to date) the report of ``study`` in its outputs folder.

    The build holds the study's report lock (``outputs/.report.lock``): a second build of the same
    study waits for the first (and says so on the command line, ``progress``), then usually finds
    the report up to date.
    """
    with hold_lock(study.outputs_dir / REPORT_LOCK, timeout=LOCK_WAIT, what="this study's report",
                   on_wait=_say_waiting if progress else None):
        return _build(study, force=force, progress=progress, samples=samples)


def _say_waiting() -> None:
    from tqdm.auto import tqdm

    tqdm.write("Waiting for another Sitthi (a notebook or terminal) to finish this study's report … / "
               "กำลังรอ Sitthi อีกตัวหนึ่งสร้างรายงานของการศึกษานี้ให้เสร็จ …", file=sys.stderr)


def _build(study: Study, *, force: bool, progress: bool, samples: int) -> ReportResult:
    """``build_report`` under the report lock."""
    from tqdm.auto import tqdm

    from analysis.report.content import report_content
    from analysis.report.html import ReportFigure, ReportTable, write_report_html
    from analysis.report.quotes_docx import write_quotes_docx

    folder = study.outputs_dir
    fingerprint = inputs_fingerprint(study)
    if not force and (files := _up_to_date(folder, fingerprint)) is not None:
        return ReportResult(folder, files, False, fingerprint)
    data = LoadedStudy(study, progress=progress)
    _check(data)
    bar = tqdm(total=4, desc="Report / รายงาน", unit="step", disable=not progress)
    bar.set_postfix_str("tables / ตาราง")
    content = report_content(data, samples=samples)
    content.meta.update(date=date.today().isoformat(), data_hash=fingerprint[:12])
    files = _write_tables(folder, content.tables)
    bar.update()
    bar.set_postfix_str("figures / แผนภูมิ")
    files += _draw_figures(folder, content.figures, progress=progress)
    shown = [ReportFigure(spec.key, spec.title, spec.caption,
                          {lang: folder / "figures" / lang / f"{spec.key}.png" for lang in LANGS})
             for spec in content.figures]
    bar.update()
    bar.set_postfix_str("report.html")
    tables = [ReportTable(key, title, note, frame) for key, (title, note, frame) in content.display.items()]
    files.append(write_report_html(folder / "report.html", content.meta, shown, tables, content.quotes,
                                   content.rights))
    bar.update()
    bar.set_postfix_str("quotes.docx")
    files.append(write_quotes_docx(folder / "quotes.docx", content.quotes, content.rights, content.meta))
    bar.update()
    bar.close()
    files, removed = _remove_leaks(study, files)
    names = sorted(str(p.relative_to(folder)) for p in files)
    manifest = {"fingerprint": fingerprint, "code": code_fingerprint(), "built": content.meta["date"],
                "version": __version__, "software": software_versions(),
                "rule": content.meta["rule"], "coders": content.meta["coders"], "files": names}
    write_atomic(folder / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    return ReportResult(folder, files, True, fingerprint, removed)


def _draw_figures(folder: Path, specs: list[FigureSpec], *, progress: bool = False) -> list[Path]:
    """Every figure in every language as ``figures/<lang>/<key>.{png,svg,pdf,csv}``, drawn on all cores.

    Worker processes draw the figures given by name (``FigureSpec.function``), the largest first; this
    process writes the CSVs and draws the figures given as callables meanwhile. Returns the files.
    """
    from tqdm.auto import tqdm

    tasks = [(spec, lang, folder / "figures" / lang / spec.key) for spec in specs for lang in LANGS]
    named = sorted((t for t in tasks if not callable(t[0].function)), key=lambda t: -t[0].numbers.size)
    files = []
    with tqdm(total=len(tasks), desc="Figures / แผนภูมิ", unit="figure", disable=not progress,
              leave=False) as bar, _figure_pool(len(named)) as pool:
        drawing = [pool.submit(draw_figure, *task) for task in named]
        for spec, _, stem in tasks:
            files.append(_write_csv(stem.with_suffix(".csv"), spec.numbers))
        for task in tasks:
            if callable(task[0].function):
                files += draw_figure(*task)
                bar.update()
        for done in as_completed(drawing):
            files += done.result()
            bar.update()
    return files


def _figure_pool(tasks: int) -> ProcessPoolExecutor:
    """Processes that draw figures, one per core. On Linux they are forked: they start at once and never
    run the calling script again (a script without ``if __name__ == "__main__"`` would, spawned)."""
    import multiprocessing

    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    return ProcessPoolExecutor(max(1, min(os.cpu_count() or 1, tasks)), mp_context=context)


def draw_figure(spec: FigureSpec, lang: str, stem: Path) -> list[Path]:
    """Draw ``spec`` in ``lang`` and save it as ``stem.png`` (300 dpi), ``.svg`` and ``.pdf``.

    The layout is worked out once (for the PNG), then fixed: the SVG and PDF do not lay it out again.
    """
    figure = spec.draw(lang)
    files = save_figure(figure, stem, formats=("png",))
    figure.set_layout_engine("none")
    return files + save_figure(figure, stem, formats=("svg", "pdf"))


def _remove_leaks(study: Study, files: list[Path]) -> tuple[list[Path], list[str]]:
    """Run the leak guard on the new outputs; delete every file it flags (say which, and why)."""
    from analysis.privacy.leak_guard import check_privacy

    leaks = check_privacy(study, files)
    flagged = {leak.path for leak in leaks}
    for path in flagged:
        path.unlink(missing_ok=True)
    return [p for p in files if p not in flagged], [leak.message for leak in leaks]


def _write_csv(path: Path, frame: pd.DataFrame) -> Path:
    """``frame`` as CSV in which no cell can run as a spreadsheet formula (``analysis.spreadsheets``)."""
    return write_csv(path, frame)


def _write_tables(folder: Path, tables: dict[str, pd.DataFrame]) -> list[Path]:
    """Each table as ``tables/<name>.csv`` and all of them as sheets of ``tables.xlsx`` (text as text)."""
    files = [_write_csv(folder / "tables" / f"{name}.csv", frame) for name, frame in tables.items()]
    return [*files, write_workbook(folder / "tables.xlsx", tables)]
