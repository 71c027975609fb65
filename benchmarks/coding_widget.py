"""Measure the coding widget in a real browser: opening a transcript, applying a code.

Starts JupyterLab on a temporary study holding two FICTIONAL transcripts built from the demo turns
(Thai and English, alternating, repeated): one of 22 turns and one of 500. For each, a small notebook
shows ``CodingWidget(study, coder=..., transcript=...)``; Chromium (``/usr/bin/chromium``, driven by
Playwright) runs that cell ``RUNS`` times and clicks a code on a fresh selection ``RUNS`` times.

All times are taken in the page with ``performance.now()``:

* open: from the keypress that runs the cell (Ctrl+Enter, sent by Playwright right after the clock starts)
  to the transcript's last turn being in the DOM;
* apply (status): from the click on a code (the selection already made and shown) to the "✔ saved" status
  being written (a MutationObserver on the status line);
* apply (highlight): from the same click to the first animation frame with the new highlight in the text
  (checked once a frame with requestAnimationFrame).

The first open of each notebook (which also loads the widget's JavaScript) is reported apart and left
out of the median and 95th percentile. Also printed: the time Python takes to build the widget (payload).
Prints one JSON object. Usage: ``python benchmarks/coding_widget.py [RUNS]``.
"""

from __future__ import annotations

import json
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from democopy import REPO

from analysis.study import init_study
from analysis.text.corpus import read_transcript

CHROMIUM = os.environ.get("SITTHI_CHROMIUM", "/usr/bin/chromium")
SOURCES = ("CM-01.md", "CM-01-EN.md")  # a Thai transcript and its English translation
SIZES = (22, 500)
CODER = "bench"
CODES = ("LIB-DET", "LIB-SHEL", "LIB-WIT", "LIB-DUR", "LIB-ARR", "NDIS-MIGRANT", "NDIS-GENDER")
TOKEN = "sitthi-bench"
CELLS = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell"  # the open notebook's cells only

OPEN = """async ([cell, last]) => {
  const host = document.querySelectorAll(CELLS)[cell];
  for (const old of host.querySelectorAll('.sw-root')) old.dataset.old = '1';
  window.__openMs = null;
  const t0 = performance.now();
  const check = () => {
    const root = [...host.querySelectorAll('.sw-root')].find((r) => !r.dataset.old);
    if (root && root.querySelector(`.sw-turn[data-id='${last}']`)) window.__openMs = performance.now() - t0;
    else requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
}"""

SELECT = """([cell, turn]) => {
  const root = [...document.querySelectorAll(CELLS)[cell].querySelectorAll('.sw-root')]
    .find((r) => !r.dataset.old);
  const run = root.querySelector(`.sw-turn[data-id='${turn}'] .sw-run`);
  run.scrollIntoView({block: 'center'});
  const node = run.firstChild, range = document.createRange();
  range.setStart(node, 0);
  range.setEnd(node, Math.min(12, node.data.length));
  const sel = window.getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
  root.querySelector('.sw-text').dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
}"""

APPLY = """([cell, turn, code]) => new Promise((resolve) => {
  const root = [...document.querySelectorAll(CELLS)[cell].querySelectorAll('.sw-root')]
    .find((r) => !r.dataset.old);
  const status = root.querySelector('.sw-status');
  const button = root.querySelector(`.sw-codes .sw-code[data-code='${code}']`);
  const t0 = performance.now();
  let saved = null;
  const seen = () => {
    if (saved === null && status.textContent.startsWith('✔') && status.textContent.endsWith(code)) {
      saved = performance.now();
    }
  };
  new MutationObserver(seen).observe(status, {childList: true, characterData: true, subtree: true});
  const check = () => {
    const now = performance.now();
    seen();
    const hl = root.querySelector(`.sw-turn[data-id='${turn}'] .sw-run.sw-hl`);
    if (saved !== null && hl) resolve([saved - t0, now - t0, status.textContent]);
    else if (now - t0 > 30000) resolve([null, null, status.textContent]);
    else requestAnimationFrame(check);
  };
  button.click();
  requestAnimationFrame(check);
})"""
OPEN, SELECT, APPLY = (js.replace("(CELLS)", f"({json.dumps(CELLS)})") for js in (OPEN, SELECT, APPLY))


def fictional_transcript(folder: Path, turns: int) -> str:
    """Write a fictional transcript of ``turns`` turns, Thai and English demo turns alternating."""
    sources = [read_transcript(REPO / "data" / "transcripts" / name) for name in SOURCES]
    texts = [[t.body[p.start:p.end] for p in t.turns] for t in sources]
    lines = []
    for n in range(turns):
        language = texts[(n // 2) % 2]
        lines.append(f"{'IR'[n % 2]}: {language[n % len(language)]}")
    tid = f"BENCH-{turns:03d}"
    head = f"---\nid: {tid}\nlanguage: mixed\nanonymised: true\nfictional: true\n---\n\n"
    (folder / f"{tid}.md").write_text(head + "\n\n".join(lines) + "\n", encoding="utf-8")
    return tid


def notebook(path: Path, study: Path, tid: str) -> None:
    """A two-cell notebook: load the study, then show the widget on ``tid``."""
    cells = [f"from analysis.study import load_study\nfrom analysis.ui.coding_widget import CodingWidget\n"
             f"study = load_study({str(study)!r})",
             f"CodingWidget(study, coder={CODER!r}, transcript={tid!r}, lang='en')"]
    path.write_text(json.dumps({
        "cells": [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {},
                   "outputs": [], "source": source} for i, source in enumerate(cells)],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")


def python_build_ms(study_root: Path, tid: str, runs: int) -> float:
    """Median time for Python to build the widget (read, segment, codings: the payload), in ms."""
    from analysis.study import load_study
    from analysis.ui.coding_widget import CodingWidget

    study, times = load_study(study_root), []
    for _ in range(runs):
        started = time.perf_counter()
        CodingWidget(study, coder=CODER, transcript=tid)
        times.append(time.perf_counter() - started)
    return round(1000 * statistics.median(times), 1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_lab(folder: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={folder / 'nb'}", "--allow-root",
         "--ServerApp.disable_check_xsrf=True", f"--LabApp.workspaces_dir={folder / 'workspaces'}"],
        env={**os.environ, "JUPYTER_RUNTIME_DIR": str(folder / "rt")},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
            return server, url
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("JupyterLab did not start within 90 s")


def _run_cell(page, cell: int) -> None:
    page.locator(CELLS).nth(cell).locator(".cm-content").click()
    page.keyboard.press("Control+Enter")


def _idle(page) -> None:
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)


def _setup(page) -> None:
    """Run the first cell until the kernel has run it (the kernel may still be starting)."""
    prompt = page.locator(CELLS).first.locator(".jp-InputPrompt")
    for _ in range(20):
        _run_cell(page, 0)
        try:
            page.wait_for_function("(p) => /\\[\\d+\\]/.test(p.textContent)", arg=prompt.element_handle(),
                                   timeout=6_000)
        except Exception:  # noqa: BLE001 - the kernel was not ready: run it again
            continue
        _idle(page)
        return
    raise SystemExit("the kernel never ran the first cell")


def measure(browser, url: str, name: str, tid: str, turns: int, runs: int) -> dict:
    """Open ``name`` in a new page; time ``runs + 1`` opens (the first apart) and ``runs`` applies."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/lab/tree/{name}?reset&token={TOKEN}")
    page.wait_for_selector(CELLS, timeout=90_000)
    _setup(page)
    last = f"{tid}:{turns:04d}"
    opens = []
    for _ in range(runs + 1):
        page.evaluate(OPEN, [1, last])
        _run_cell(page, 1)
        try:
            page.wait_for_function("window.__openMs !== null", timeout=120_000, polling=50)
        except Exception:
            page.screenshot(path=os.environ.get("SITTHI_BENCH_SHOT", "/tmp/coding-widget-bench.png"))
            raise
        opens.append(page.evaluate("window.__openMs"))
        _idle(page)
    saved, drawn = [], []
    for n in range(runs):
        turn = f"{tid}:{(2 + 2 * n) % turns + 1:04d}"
        page.evaluate(SELECT, [1, turn])
        page.wait_for_function(
            "() => [...document.querySelectorAll('.sw-root')].some((r) => !r.dataset.old && "
            f"r.querySelector('.sw-quote') && r.querySelector(\".sw-turn[data-id='{turn}'] .sw-sel\"))",
            timeout=30_000)
        status_ms, highlight_ms, text = page.evaluate(APPLY, [1, turn, CODES[n % len(CODES)]])
        if status_ms is None:
            raise SystemExit(f"no saved status after 30 s on {turn}: {text!r}")
        saved.append(status_ms)
        drawn.append(highlight_ms)
        page.wait_for_timeout(200)
    page.close()
    return {"turns": turns, "first_open_ms": round(opens[0], 1), **stats("open_ms", opens[1:]),
            **stats("apply_status_ms", saved), **stats("apply_highlight_ms", drawn)}


def stats(name: str, values: list[float]) -> dict:
    """Median and 95th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return {f"{name}_median": round(statistics.median(ordered), 1), f"{name}_p95": round(p95, 1)}


def main() -> None:
    from playwright.sync_api import sync_playwright

    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        study = init_study(folder / "study", codebooks=REPO / "codebooks")
        (folder / "nb").mkdir()
        tids = {turns: fictional_transcript(study.transcripts_dir, turns) for turns in SIZES}
        for turns, tid in tids.items():
            notebook(folder / "nb" / f"widget-{turns}.ipynb", study.root, tid)
        build = {turns: python_build_ms(study.root, tid, runs) for turns, tid in tids.items()}
        server, url = start_lab(folder)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=[
                    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--no-first-run"])
                try:
                    results = [{**measure(browser, url, f"widget-{turns}.ipynb", tid, turns, runs),
                                "python_build_ms_median": build[turns]} for turns, tid in tids.items()]
                finally:
                    browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(json.dumps({"benchmark": "coding_widget", "runs": runs, "clock": "performance.now() in the page",
                      "goal": {"open_ms": 1000, "apply_status_ms": 100}, "sizes": results}, indent=2))


if __name__ == "__main__":
    main()
