"""Notebooks reach the disk without outputs, through the hook and through a real JupyterLab server."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from analysis.notebook_outputs import holds_testimony, pre_save_hook, project_pre_save_hook, strip_outputs
from conftest import REPO

QUOTE = "ตำรวจยึดพาสปอร์ตของฉันไว้สามเดือน"  # fictional testimony
TOKEN = "sitthi-test-token"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _notebook_with_outputs() -> dict:
    """A notebook whose outputs and widget state carry QUOTE, in every kind of output."""
    outputs = [
        {"output_type": "stream", "name": "stdout", "text": f"P1:0002 … {QUOTE} …\n"},
        {"output_type": "display_data", "metadata": {},
         "data": {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure size 640x480>"}},
        {"output_type": "display_data", "metadata": {}, "data": {"text/html": f"<td>{QUOTE}</td>"}},
        {"output_type": "execute_result", "execution_count": 3, "metadata": {},
         "data": {WIDGET_VIEW: {"model_id": "abc", "version_major": 2, "version_minor": 0},
                  "text/plain": QUOTE}},
        {"output_type": "error", "ename": "ValueError", "evalue": QUOTE, "traceback": [QUOTE]},
    ]
    widgets = {"application/vnd.jupyter.widget-state+json": {"state": {"abc": {"value": QUOTE}}}}
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Words"),
        nbformat.v4.new_code_cell("kwic('พาสปอร์ต')", execution_count=3, outputs=outputs),
        nbformat.v4.new_code_cell("print(1)", execution_count=4,
                                  outputs=[{"output_type": "stream", "name": "stdout", "text": "1\n"}]),
    ], metadata={"widgets": widgets})
    return json.loads(json.dumps(notebook))  # as JupyterLab sends it: plain JSON, sources as strings


def _assert_clean(notebook: dict) -> None:
    assert QUOTE not in json.dumps(notebook, ensure_ascii=False)
    assert "widgets" not in notebook["metadata"]
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert [(cell["outputs"], cell["execution_count"]) for cell in code] == [([], None), ([], None)]
    assert ["".join(cell["source"]) for cell in code] == ["kwic('พาสปอร์ต')", "print(1)"]


def test_notebook_outputs_strip_removes_outputs_counts_and_widgets() -> None:
    notebook = _notebook_with_outputs()
    clean = strip_outputs(notebook)
    _assert_clean(clean)
    assert clean["cells"][0] == notebook["cells"][0] and QUOTE in json.dumps(notebook, ensure_ascii=False)
    nbformat.validate(nbformat.from_dict(clean))


def test_notebook_outputs_testimony_is_in_project_notebooks_and_study_folders(tmp_path: Path) -> None:
    project = tmp_path / "project"
    study = tmp_path / "elsewhere" / "study"
    (project / "notebooks" / "drafts").mkdir(parents=True)
    study.mkdir(parents=True)
    (study / "study.toml").write_text('name = "Test"\n', encoding="utf-8")
    assert not any((folder / "study.toml").exists() for folder in tmp_path.parents)
    assert holds_testimony(project / "notebooks" / "drafts" / "a.ipynb", project)
    assert holds_testimony(study / "notebooks" / "deep" / "b.ipynb", project)
    assert holds_testimony(study / "b.ipynb", None)
    assert not holds_testimony(project / "c.ipynb", project)
    assert not holds_testimony(tmp_path / "elsewhere" / "d.ipynb", project)


def test_notebook_outputs_hook_strips_only_notebooks_of_the_project(tmp_path: Path) -> None:
    hook = project_pre_save_hook(tmp_path / "project")
    manager = SimpleNamespace(root_dir=str(tmp_path))
    inside = {"type": "notebook", "content": _notebook_with_outputs()}
    outside = {"type": "notebook", "content": _notebook_with_outputs()}
    unchanged = json.loads(json.dumps(outside["content"]))
    text = {"type": "file", "format": "text", "content": QUOTE}
    hook(model=inside, path="/project/notebooks/20.ipynb", contents_manager=manager)
    hook(model=outside, path="other/20.ipynb", contents_manager=manager)
    hook(model=text, path="project/notebooks/notes.txt", contents_manager=manager)
    _assert_clean(inside["content"])
    assert outside["content"] == unchanged
    assert text["content"] == QUOTE


def test_notebook_outputs_hook_refuses_the_save_when_it_cannot_strip(tmp_path: Path) -> None:
    model = {"type": "notebook", "content": ["not", "a", "notebook"]}
    with pytest.raises(AttributeError):
        pre_save_hook(model, "notebooks/x.ipynb", SimpleNamespace(root_dir=str(tmp_path)), project=tmp_path)
    assert "content" not in model  # jupyter_server then refuses the save: "No file content provided"


def _lab_flags() -> list[str]:
    """The flags `make lab` passes to JupyterLab (the Makefile's LAB_FLAGS)."""
    found = re.search(r"^LAB_FLAGS\s*:=\s*(.+)$", (REPO / "Makefile").read_text(encoding="utf-8"), re.M)
    assert found and "$(LAB_FLAGS)" in (REPO / "Makefile").read_text(encoding="utf-8")
    return shlex.split(found.group(1))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(url: str, method: str = "GET", body: dict | None = None) -> dict:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # localhost, never a proxy
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Authorization": f"token {TOKEN}"})
    with opener.open(request, timeout=30) as response:
        return json.loads(response.read() or b"{}")


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[SimpleNamespace]:
    """JupyterLab started as `make lab` starts it, in a temporary copy of the project's layout."""
    base = tmp_path_factory.mktemp("lab")
    project = base / "project"
    shutil.copytree(REPO / "notebooks", project / "notebooks", ignore=shutil.ignore_patterns(".*"))
    shutil.copy(REPO / "jupyter_server_config.py", project)
    port = _free_port()
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
           "JUPYTER_CONFIG_DIR": str(base / "config"), "JUPYTER_DATA_DIR": str(base / "data")}
    command = [str(Path(sys.executable).parent / "jupyter"), "lab", *_lab_flags(), "--no-browser",
               "--allow-root", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={TOKEN}",
               f"--LabApp.workspaces_dir={base / 'workspaces'}",
               f"--LabApp.user_settings_dir={base / 'settings'}"]
    log = (base / "server.log").open("wb")
    server = subprocess.Popen(command, cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                _request(f"{url}/api/status")
                break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start:\n{(base / 'server.log').read_text()[-3000:]}")
                time.sleep(0.5)
        yield SimpleNamespace(url=url, project=project, log=base / "server.log")
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def test_notebook_outputs_server_uses_the_config_of_make_lab(lab) -> None:
    assert (lab.project / "jupyter_server_config.py").read_bytes() == \
        (REPO / "jupyter_server_config.py").read_bytes()
    assert "--config=jupyter_server_config.py" in _lab_flags() and "--notebook-dir=notebooks" in _lab_flags()


def test_notebook_outputs_server_saves_notebooks_without_outputs(lab) -> None:
    """A PUT of the contents API is what autosave and manual save both do."""
    name = "20-explore-words.ipynb"
    saved = _request(f"{lab.url}/api/contents/{name}", "PUT",
                     {"type": "notebook", "format": "json", "content": _notebook_with_outputs()})
    assert saved["path"] == name
    on_disk = (lab.project / "notebooks" / name).read_text(encoding="utf-8")
    assert QUOTE not in on_disk and WIDGET_VIEW not in on_disk
    _assert_clean(json.loads(on_disk))
    nbformat.validate(nbformat.reads(on_disk, as_version=4))
    assert "Traceback" not in lab.log.read_text(encoding="utf-8")  # jupyter_server logs a failing hook


def test_notebook_outputs_server_strips_new_notebooks_in_subfolders(lab) -> None:
    _request(f"{lab.url}/api/contents/drafts", "PUT", {"type": "directory"})
    _request(f"{lab.url}/api/contents/drafts/mine.ipynb", "PUT",
             {"type": "notebook", "format": "json", "content": _notebook_with_outputs()})
    saved = lab.project / "notebooks" / "drafts" / "mine.ipynb"
    _assert_clean(json.loads(saved.read_text(encoding="utf-8")))
