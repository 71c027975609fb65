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
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from analysis import __version__
from analysis.coding.check import check_study
from analysis.coding.loaded import LoadedStudy
from analysis.files import hold_lock, write_atomic
from analysis.report.content import FigureSpec, ReportError
from analysis.report.figures import LANGS
from analysis.report.figures.saving import FIGURE_FORMATS, rendered_pixels, save_figure
from analysis.report.figures.style import style
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
    folder = study.outputs_dir
    fingerprint = inputs_fingerprint(study)
    if not force and (files := _up_to_date(folder, fingerprint)) is not None:
        return ReportResult(folder, files, False, fingerprint)
    with worker_pool() as pool:  # forked now, before the study is read: small workers, warm when needed
        return _build_with(study, pool, fingerprint, progress=progress, samples=samples)


def _build_with(study: Study, pool: Executor, fingerprint: str, *, progress: bool,
                samples: int) -> ReportResult:
    """Read the study, then write every output: the workers draw the figures while this process writes
    the tables and quotes.docx; report.html takes the page images the workers made; then the guard."""
    from tqdm.auto import tqdm

    from analysis.privacy.leak_guard import key_originals
    from analysis.report.content import report_content
    from analysis.report.html import ReportFigure, ReportTable, write_report_html
    from analysis.report.quotes_docx import write_quotes_docx

    folder = study.outputs_dir
    data = LoadedStudy(study, progress=progress)
    _check(data)
    bar = tqdm(total=4, desc="Report / รายงาน", unit="step", disable=not progress)
    bar.set_postfix_str("tables / ตาราง")
    drawing = FigureDrawing(pool, folder, tuple(key_originals(study)), study.figure_formats)
    content = report_content(data, samples=samples, on_figure=drawing.submit, keep_tokens=False)
    del data  # what the report needs is in ``content`` now
    content.meta.update(date=date.today().isoformat(), data_hash=fingerprint[:12])
    files = _write_tables(folder, content.tables)
    bar.update()
    bar.set_postfix_str("quotes.docx")
    files.append(write_quotes_docx(folder / "quotes.docx", content.quotes, content.rights, content.meta))
    drawing.scan(files)  # on the workers once they have drawn the figures: report.html alone is left
    bar.update()
    bar.set_postfix_str("figures / แผนภูมิ")
    drawn = drawing.finish(progress=progress)
    files += drawn.files
    shown = [ReportFigure(spec.key, spec.title, spec.caption,
                          {lang: folder / "figures" / lang / f"{spec.key}.png" for lang in LANGS},
                          drawn.pages_of(spec.key))
             for spec in content.figures]
    bar.update()
    bar.set_postfix_str("report.html")
    tables = [ReportTable(key, title, note, frame) for key, (title, note, frame) in content.display.items()]
    files.append(write_report_html(folder / "report.html", content.meta, shown, tables, content.quotes,
                                   content.rights))
    del shown, tables
    bar.update()
    bar.close()
    files, removed = _remove_leaks(study, files, pool, drawn)
    names = sorted(str(p.relative_to(folder)) for p in files)
    _remove_stale(folder, names)
    manifest = {"fingerprint": fingerprint, "code": code_fingerprint(), "built": content.meta["date"],
                "version": __version__,
                "software": {**software_versions(), "thai_segmenter": study.segmenter},
                "rule": content.meta["rule"], "coders": content.meta["coders"], "files": names}
    write_atomic(folder / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    return ReportResult(folder, files, True, fingerprint, removed)


@dataclass
class DrawnFigures:
    """The files of the drawn figures, each figure's page image for report.html by (key, language), and
    what the leak guard found in the files it already scanned."""

    files: list[Path] = field(default_factory=list)
    pages: dict[tuple[str, str], bytes] = field(default_factory=dict)
    scanned: set[Path] = field(default_factory=set)
    leaks: list = field(default_factory=list)

    def pages_of(self, key: str) -> dict[str, bytes]:
        """The page images of figure ``key`` by language."""
        return {lang: self.pages[key, lang] for lang in LANGS if (key, lang) in self.pages}


class FigureDrawing:
    """Figures drawn as soon as they are made: the workers draw those given by name
    (``FigureSpec.function``) and scan their files with the leak guard (``originals``: the key's), and
    scan the other outputs handed to ``scan``."""

    def __init__(self, pool: Executor, folder: Path, originals: tuple[str, ...] = (),
                 formats: tuple[str, ...] = FIGURE_FORMATS) -> None:
        self.pool, self.folder, self.originals, self.formats = pool, folder, originals, formats
        self.specs: list[FigureSpec] = []
        self.drawing: list[Future] = []
        self.scans: dict[Path, Future] = {}

    def submit(self, spec: FigureSpec) -> None:
        self.specs.append(spec)
        if not callable(spec.function):
            self.drawing += [self.pool.submit(_draw_and_scan, spec, lang, self.stem(spec, lang),
                                              self.originals, self.formats) for lang in LANGS]

    def scan(self, paths: list[Path]) -> None:
        """Run the leak guard on ``paths`` in the workers (after the figures handed over so far)."""
        from analysis.privacy.leak_guard import scan_file

        self.scans |= {path: self.pool.submit(scan_file, path, self.originals) for path in paths}

    def stem(self, spec: FigureSpec, lang: str) -> Path:
        return self.folder / "figures" / lang / spec.key

    def finish(self, *, progress: bool = False) -> DrawnFigures:
        """Write each figure's numbers as CSV and draw the figures given as callables here while the
        workers draw the others; wait for them."""
        from tqdm.auto import tqdm

        tasks = [(spec, lang, self.stem(spec, lang)) for spec in self.specs for lang in LANGS]
        drawn = DrawnFigures([write_csv(stem.with_suffix(".csv"), spec.numbers) for spec, _, stem in tasks])
        with tqdm(total=len(tasks), desc="Figures / แผนภูมิ", unit="figure", disable=not progress,
                  leave=False) as bar:
            here = ((*draw_figure(*task, self.formats), None) for task in tasks if callable(task[0].function))
            there = (done.result() for done in as_completed(self.drawing))
            for files, key_lang, page, leaks in [*here, *there]:
                drawn.files += files
                drawn.pages[key_lang] = page
                if leaks is not None:
                    drawn.scanned.update(files)
                    drawn.leaks += leaks
                bar.update()
        for path, scanning in self.scans.items():
            drawn.scanned.add(path)
            drawn.leaks += scanning.result()
        return drawn


def _draw_figures(folder: Path, specs: list[FigureSpec], *, progress: bool = False) -> DrawnFigures:
    """Every figure in every language as ``figures/<lang>/<key>.{png,svg,pdf,csv}``, drawn on all cores."""
    with worker_pool() as pool:
        drawing = FigureDrawing(pool, folder)
        for spec in specs:
            drawing.submit(spec)
        return drawing.finish(progress=progress)


def worker_pool() -> ProcessPoolExecutor:
    """Processes that draw figures and scan outputs, one per core, started at once and warmed up
    (imports, fonts) while the caller goes on. On Linux they are forked: they start at once and never
    run the calling script again (a script without ``if __name__ == "__main__"`` would, spawned)."""
    import multiprocessing

    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    workers = max(1, os.cpu_count() or 1)
    pool = ProcessPoolExecutor(workers, mp_context=context)
    for _ in range(workers):
        pool.submit(_warm_up)
    return pool


def _warm_up() -> None:
    """Import what drawing and scanning need and load the fonts, in a worker that waits for its tasks."""
    import matplotlib as mpl
    from matplotlib.figure import Figure

    from analysis.privacy.leak_guard import numbers_and_addresses
    from analysis.report import html  # noqa: F401 - page images
    from analysis.report.figures.style import figure_png

    with mpl.rc_context(style()):
        figure = Figure(figsize=(1, 1))
        figure.text(0.1, 0.5, "สิทธิ α")
    figure_png(figure, dpi=20)
    numbers_and_addresses("081-234-5678 nok@example.org")


def draw_figure(spec: FigureSpec, lang: str, stem: Path, formats: tuple[str, ...] = FIGURE_FORMATS
                ) -> tuple[list[Path], tuple[str, str], bytes]:
    """Draw ``spec`` in ``lang`` and save it as ``stem.png`` (300 dpi) and the other ``formats``; return
    the files, (key, language) and the page image of report.html (from the 300-dpi pixels drawn)."""
    from analysis.report.html import page_image, page_png

    figure = spec.draw(lang)
    files = save_figure(figure, stem, formats=("png", *(f for f in formats if f != "png")))
    pixels = rendered_pixels(figure)
    return files, (spec.key, lang), page_png(files[0]) if pixels is None else page_image(pixels)


def _remove_stale(folder: Path, names: list[str]) -> None:
    """Delete the files an earlier build listed in ``report.json`` that this build no longer makes (a
    figure that now comes in pages, a renamed table), so ``outputs/`` shows only the current report."""
    try:
        before = json.loads((folder / MANIFEST).read_text(encoding="utf-8")).get("files", [])
    except (OSError, ValueError, AttributeError):
        return
    root = folder.resolve()
    for name in set(before) - set(names):
        path = (folder / str(name)).resolve()
        if path.is_relative_to(root) and path.is_file():
            path.unlink()


def _draw_and_scan(spec: FigureSpec, lang: str, stem: Path, originals: tuple[str, ...],
                   formats: tuple[str, ...] = FIGURE_FORMATS):
    """:func:`draw_figure`, then the leak guard's findings in the files it wrote."""
    from analysis.privacy.leak_guard import scan_file

    files, key_lang, page = draw_figure(spec, lang, stem, formats)
    return files, key_lang, page, [leak for path in files for leak in scan_file(path, originals)]


def _remove_leaks(study: Study, files: list[Path], pool: Executor | None = None,
                  drawn: DrawnFigures | None = None) -> tuple[list[Path], list[str]]:
    """Run the leak guard on the new outputs (in ``pool``'s workers; the figure files ``drawn`` scanned
    already count with their findings); delete every file it flags (say which, and why)."""
    from analysis.privacy.leak_guard import check_privacy

    scanned = drawn.scanned if drawn else set()
    leaks = [*(drawn.leaks if drawn else []),
             *check_privacy(study, [p for p in files if p not in scanned], pool=pool)]
    flagged = {leak.path for leak in leaks}
    for path in flagged:
        path.unlink(missing_ok=True)
    return [p for p in files if p not in flagged], [leak.message for leak in leaks]


def _write_tables(folder: Path, tables: dict[str, pd.DataFrame]) -> list[Path]:
    """Each table as ``tables/<name>.csv`` and all of them as sheets of ``tables.xlsx`` (text as text)."""
    files = [write_csv(folder / "tables" / f"{name}.csv", frame) for name, frame in tables.items()]
    return [*files, write_workbook(folder / "tables.xlsx", tables)]
