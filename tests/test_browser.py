"""In a real browser: JupyterLab opens the coding notebook, a coder ticks a code, the file changes.

Needs Debian's ``chromium`` (``/usr/bin/chromium``) driven by Playwright; Playwright's own browser
download is not used. Without Chromium the test skips with the reason, unless
``SITTHI_REQUIRE_BROWSER=1`` (set by ``.ci/run``) turns the skip into a failure.
"""

import csv
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from analysis.text.corpus import read_corpus
from conftest import REPO

CHROMIUM = os.environ.get("SITTHI_CHROMIUM", "/usr/bin/chromium")
REQUIRED = os.environ.get("SITTHI_REQUIRE_BROWSER") == "1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def browser_available():
    missing = [what for what, ok in (("Chromium at " + CHROMIUM, Path(CHROMIUM).exists()),
                                     ("the playwright package", _has_playwright())) if not ok]
    if missing:
        message = f"{' and '.join(missing)} not found (apt install chromium; pip install playwright)"
        if REQUIRED:
            pytest.fail(message + " — SITTHI_REQUIRE_BROWSER=1 requires the browser test")
        pytest.skip(message)


def _has_playwright() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


@contextmanager
def _lab_server(tmp_path: Path, study, flags: list[str], cwd: Path | None = None) -> Iterator[str]:
    """JupyterLab on 127.0.0.1 with ``flags``, its kernels pointed at ``study``; yields the URL of
    notebook 30 (with the token)."""
    port, token = _free_port(), "sitthi-test"
    env = {**os.environ, "SITTHI_STUDY": str(study.root), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt")}
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", "--allow-root", "--ServerApp.disable_check_xsrf=True",
         f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}", *flags],  # no tabs from a user's session
        env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start within 60 s")
        yield f"{url}/lab/tree/30-code-transcripts.ipynb?token={token}"
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def jupyter_lab(make_study, tmp_path):
    """JupyterLab on 127.0.0.1 serving a copy of notebooks/ (so nothing can be saved into the
    repository), its kernels pointed at a temporary study."""
    study = make_study("GOOD-TH.md", "GOOD-EN.md")
    notebooks = tmp_path / "notebooks"
    shutil.copytree(REPO / "notebooks", notebooks)
    with _lab_server(tmp_path, study, [f"--ServerApp.root_dir={notebooks}"]) as url:
        yield study, url


def _run_all(page, url: str) -> None:
    """Open the notebook and run all its cells."""
    page.goto(url)
    page.wait_for_selector(".jp-Notebook", timeout=60_000)
    select = page.get_by_role("button", name="Select", exact=True)
    try:  # JupyterLab may ask which kernel to use
        select.click(timeout=10_000)
    except Exception:  # noqa: BLE001 - no dialog: the kernel started by itself
        pass
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_text("Run All Cells", exact=True).click()


def _tick_a_code(page, url: str, codings: Path) -> None:
    """Open the notebook, run all cells, type a coder name, tick LIB-SHEL, wait for the file."""
    _run_all(page, url)
    coder = page.locator(".jp-OutputArea-output input[type='text']:not(.sw-coder)").first
    coder.wait_for(timeout=90_000)
    coder.fill("rl-test")
    coder.press("Enter")
    page.get_by_text("LIB · ", exact=False).first.click()
    page.locator(".widget-checkbox", has_text="LIB-SHEL").locator("input").first.click()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (codings.exists() and "LIB-SHEL" in codings.read_text()):
        time.sleep(0.3)


def test_browser_coding_panel_saves_a_tick(browser_available, jupyter_lab, tmp_path) -> None:
    from playwright.sync_api import sync_playwright

    study, url = jupyter_lab
    codings = study.codings_dir / "rl-test" / "GOOD-EN.csv"  # the panel opens the first transcript
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        screenshot = Path(os.environ.get("SITTHI_SCREENSHOTS", tmp_path)) / "coding-panel.png"
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        try:
            _tick_a_code(page, url, codings)
        finally:
            page.screenshot(path=str(screenshot), full_page=True)
            browser.close()
    assert codings.exists(), f"no codings file; screenshot at {screenshot}"
    rows = codings.read_text(encoding="utf-8").splitlines()
    assert len(rows) == 2 and ",LIB-SHEL,rl-test," in rows[1]


def _launch(p):
    return p.chromium.launch(executable_path=CHROMIUM, args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"])


def _wait_for(check, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.3)
    return check()


DRAG = """([turn, phrase]) => {
  const runs = [...document.querySelectorAll(`.sw-turn[data-id='${turn}'] .sw-run`)];
  const run = runs.find((r) => r.textContent.includes(phrase));
  const node = run.firstChild, at = node.data.indexOf(phrase);
  const rect = (a, b) => { const r = document.createRange(); r.setStart(node, a); r.setEnd(node, b);
                           return r.getClientRects()[0]; };
  const first = rect(at, at + 1), last = rect(at + phrase.length - 1, at + phrase.length);
  return [first.left + 1, first.top + first.height / 2, last.right - 1, last.top + last.height / 2];
}"""


def test_browser_coding_widget_codes_a_mouse_selection(browser_available, jupyter_lab, tmp_path) -> None:
    """Select a Thai phrase with the mouse, click a code: the row's quote is the selection and its offsets
    slice it from the body; Ctrl+Z takes it out of the file and the view."""
    from playwright.sync_api import sync_playwright

    study, url = jupyter_lab
    codings = study.codings_dir / "rl-test" / "GOOD-TH.csv"
    body = next(t.body for t in read_corpus(study) if t.id == "GOOD-TH")
    artifacts = REPO / "tests" / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = _launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            _run_all(page, url)
            root = page.locator(".sw-root").first
            root.wait_for(timeout=90_000)
            root.locator(".sw-coder").fill("rl-test")
            root.locator(".sw-coder").press("Tab")
            root.locator(".sw-transcript").select_option("GOOD-TH")
            turn = root.locator(".sw-turn[data-id='GOOD-TH:0004']")
            turn.wait_for(timeout=30_000)
            turn.scroll_into_view_if_needed()
            x0, y0, x1, y1 = page.evaluate(DRAG, ["GOOD-TH:0004", "ไม่มีล่าม"])
            page.mouse.move(x0, y0)
            page.mouse.down()
            page.mouse.move(x1, y1, steps=8)
            page.mouse.up()
            quote = root.locator(".sw-selected .sw-quote")
            quote.wait_for(timeout=30_000)
            selected = quote.inner_text().strip("«»")
            root.locator(".sw-codes .sw-code[data-code='FTR-INTERP']").click()
            assert _wait_for(lambda: codings.exists() and "FTR-INTERP" in codings.read_text(encoding="utf-8"))
            highlighted = root.locator(".sw-run.sw-hl")
            highlighted.first.wait_for(timeout=30_000)
            page.screenshot(path=str(artifacts / "coding-widget.png"), full_page=True)
            [row] = list(csv.DictReader(codings.open(encoding="utf-8")))
            assert selected == "ไม่มีล่าม" and row["quote"] == selected
            assert body[int(row["start"]):int(row["end"])] == selected
            assert highlighted.first.inner_text() == selected
            page.keyboard.press("Control+z")
            assert _wait_for(lambda: "FTR-INTERP" not in codings.read_text(encoding="utf-8"))
            assert _wait_for(lambda: highlighted.count() == 0, 10)
            page.screenshot(path=str(artifacts / "coding-widget-undone.png"), full_page=True)
        except Exception:
            page.screenshot(path=str(artifacts / "coding-widget-failed.png"), full_page=True)
            raise
        finally:
            browser.close()


ARTIFACTS = REPO / "tests" / "artifacts"


@contextmanager
def _widget_page(url: str, shot: str):
    """A browser page on notebook 30 with all cells run, the widget's root shown and the coder set to
    ``rl-test``; screenshots ``shot``.png at the end (``shot``-failed.png on a failure) in tests/artifacts."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = _launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            root = _open_widget(page, url)
            yield page, root
            page.screenshot(path=str(ARTIFACTS / f"{shot}.png"), full_page=True)
        except BaseException:
            page.screenshot(path=str(ARTIFACTS / f"{shot}-failed.png"), full_page=True)
            raise
        finally:
            browser.close()


def _open_widget(page, url: str):
    """Run notebook 30 and set the coder: the widget's root."""
    _run_all(page, url)
    root = page.locator(".sw-root").first
    root.wait_for(timeout=90_000)
    root.locator(".sw-coder").fill("rl-test")
    root.locator(".sw-coder").press("Tab")
    return root


def _drag(page, turn_id: str, phrase: str) -> None:
    """Select ``phrase`` in turn ``turn_id`` with the mouse, from its first letter to its last."""
    x0, y0, x1, y1 = page.evaluate(DRAG, [turn_id, phrase])
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x1, y1, steps=8)
    page.mouse.up()


def _open_turn(root, transcript_id: str, turn_id: str):
    """Open a transcript in the widget and bring one of its turns into view."""
    root.locator(".sw-transcript").select_option(transcript_id)
    turn = root.locator(f".sw-turn[data-id='{turn_id}']")
    turn.wait_for(timeout=30_000)
    turn.scroll_into_view_if_needed()
    return turn


def test_browser_coding_widget_codes_an_english_mouse_selection(browser_available, jupyter_lab) -> None:
    """Drag over an English phrase, click a code: the row's quote is the selection, its offsets slice it."""
    study, url = jupyter_lab
    phrase = "nobody asked us anything"
    codings = study.codings_dir / "rl-test" / "GOOD-EN.csv"
    body = next(t.body for t in read_corpus(study) if t.id == "GOOD-EN")
    with _widget_page(url, "coding-widget-english") as (page, root):
        _open_turn(root, "GOOD-EN", "GOOD-EN:0002")
        _drag(page, "GOOD-EN:0002", phrase)
        quote = root.locator(".sw-selected .sw-quote")
        quote.wait_for(timeout=30_000)
        selected = quote.inner_text().strip("«»")
        root.locator(".sw-codes .sw-code[data-code='FTR-INTERP']").click()
        assert _wait_for(lambda: codings.exists() and "FTR-INTERP" in codings.read_text(encoding="utf-8"))
        root.locator(".sw-run.sw-hl").first.wait_for(timeout=30_000)
        assert root.locator(".sw-run.sw-hl").first.inner_text() == phrase
    [row] = list(csv.DictReader(codings.open(encoding="utf-8")))
    assert selected == phrase and row["quote"] == phrase and row["segment_id"] == "GOOD-EN:0002"
    assert body[int(row["start"]):int(row["end"])] == phrase


def _memo_on_turn(page, root, transcript_id: str, turn_id: str):
    """Click into a turn with the memo box on "turn": the memo box (its saved memo shown)."""
    turn = _open_turn(root, transcript_id, turn_id)
    root.locator(".sw-memo-target").select_option("turn")
    turn.locator(".sw-run").first.click()
    return root.locator(".sw-memo")


def test_browser_coding_widget_memo_on_an_uncoded_turn_stays(browser_available, jupyter_lab) -> None:
    """A memo typed on an uncoded turn is in the memos file, and is in the memo box again after opening
    another transcript and coming back, and after the cell is run again (a new widget from the files)."""
    from playwright.sync_api import expect

    study, url = jupyter_lab
    text = "Ask about the papers she signed / ถามเรื่องเอกสาร"
    memos = study.codings_dir / "rl-test" / "memos" / "GOOD-EN.csv"
    with _widget_page(url, "coding-widget-memo") as (page, root):
        box = _memo_on_turn(page, root, "GOOD-EN", "GOOD-EN:0004")
        expect(box).to_have_value("")
        box.fill(text)
        root.locator(".sw-memo-save").click()
        assert _wait_for(lambda: memos.exists() and text in memos.read_text(encoding="utf-8"))
        _open_turn(root, "GOOD-TH", "GOOD-TH:0001")
        expect(root.locator(".sw-memo")).to_have_value("", timeout=30_000)
        expect(_memo_on_turn(page, root, "GOOD-EN", "GOOD-EN:0004")).to_have_value(text, timeout=30_000)
        expect(_memo_on_turn(page, root, "GOOD-EN", "GOOD-EN:0002")).to_have_value("", timeout=30_000)
        page.evaluate("document.querySelectorAll('.sw-root').forEach((r) => r.dataset.old = '1')")
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_text("Run All Cells", exact=True).click()
        fresh = page.locator(".sw-root:not([data-old])").first
        fresh.wait_for(timeout=60_000)
        expect(fresh.locator(".sw-coder")).to_have_value("rl-test", timeout=30_000)  # remembered
        expect(_memo_on_turn(page, fresh, "GOOD-EN", "GOOD-EN:0004")).to_have_value(text, timeout=30_000)
    [row] = list(csv.DictReader(memos.open(encoding="utf-8")))
    assert (row["target"], row["segment_id"], row["memo"]) == ("segment", "GOOD-EN:0004", text)
    assert not (study.codings_dir / "rl-test" / "GOOD-EN.csv").exists() or \
        "GOOD-EN:0004" not in (study.codings_dir / "rl-test" / "GOOD-EN.csv").read_text(encoding="utf-8")


def _lab_flags() -> list[str]:
    """The flags `make lab` passes to JupyterLab (the Makefile's LAB_FLAGS)."""
    found = re.search(r"^LAB_FLAGS\s*:=\s*(.+)$", (REPO / "Makefile").read_text(encoding="utf-8"), re.M)
    assert found, "no LAB_FLAGS in the Makefile"
    return shlex.split(found.group(1))


@pytest.fixture
def project_lab(make_study, tmp_path):
    """JupyterLab started as `make lab` starts it (the Makefile's LAB_FLAGS, in the project's folder) in a
    temporary copy of the project's layout: jupyter_server_config.py and notebooks/ with notebook 30."""
    study = make_study("GOOD-TH.md", "GOOD-EN.md")
    project = tmp_path / "project"
    (project / "notebooks").mkdir(parents=True)
    shutil.copy(REPO / "jupyter_server_config.py", project)
    shutil.copy(REPO / "notebooks" / "30-code-transcripts.ipynb", project / "notebooks")
    with _lab_server(tmp_path, study, _lab_flags(), cwd=project) as url:
        yield study, project / "notebooks" / "30-code-transcripts.ipynb", url


def test_browser_notebook_saved_while_open_holds_no_transcript_text(browser_available, project_lab) -> None:
    """Run notebook 30 (the widget shows the transcript), press Ctrl+S: the file on disk has no outputs,
    no widget state and no word of the transcripts, while the page still shows them."""
    study, notebook, url = project_lab
    before = notebook.stat().st_mtime_ns
    words = ["nobody asked us anything", "ไม่มีล่าม"]
    with _widget_page(url, "notebook-saved") as (page, root):
        _open_turn(root, "GOOD-EN", "GOOD-EN:0002")
        assert words[0] in root.inner_text()
        page.locator(".jp-Cell .jp-InputPrompt").first.click()  # the notebook, not the widget, has the keys
        page.keyboard.press("Control+s")
        assert _wait_for(lambda: notebook.stat().st_mtime_ns != before), "Ctrl+S did not save the notebook"
        time.sleep(1)  # the save is written atomically: let the server finish
        assert words[0] in root.inner_text()  # the page keeps its outputs
    saved = notebook.read_text(encoding="utf-8")
    assert not any(word in saved for word in words)
    assert all(word in (study.transcripts_dir / f"{tid}.md").read_text(encoding="utf-8")
               for word, tid in zip(words, ("GOOD-EN", "GOOD-TH"), strict=True))
    cells = json.loads(saved)["cells"]
    assert [c["outputs"] for c in cells if c["cell_type"] == "code"] == [[]] * 4
    assert all(c["execution_count"] is None for c in cells if c["cell_type"] == "code")
    assert "widgets" not in json.loads(saved)["metadata"]
