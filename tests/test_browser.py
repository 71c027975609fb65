"""In a real browser: JupyterLab opens the coding notebook, a coder ticks a code, the file changes.

Needs Debian's ``chromium`` (``/usr/bin/chromium``) driven by Playwright; Playwright's own browser
download is not used. Without Chromium the test skips with the reason, unless
``SITTHI_REQUIRE_BROWSER=1`` (set by ``.ci/run``) turns the skip into a failure.
"""

import csv
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
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


@pytest.fixture
def jupyter_lab(make_study, tmp_path):
    """JupyterLab on 127.0.0.1 serving a copy of notebooks/ (so nothing can be saved into the
    repository), its kernels pointed at a temporary study."""
    study = make_study("GOOD-TH.md", "GOOD-EN.md")
    notebooks = tmp_path / "notebooks"
    shutil.copytree(REPO / "notebooks", notebooks)
    port, token = _free_port(), "sitthi-test"
    env = {**os.environ, "SITTHI_STUDY": str(study.root), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt")}
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={notebooks}",
         "--allow-root", "--ServerApp.disable_check_xsrf=True",
         f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}"],  # no tabs restored from a user's session
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail("JupyterLab did not start within 60 s")
    yield study, f"{url}/lab/tree/30-code-transcripts.ipynb?token={token}"
    server.terminate()
    server.wait(timeout=30)


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
