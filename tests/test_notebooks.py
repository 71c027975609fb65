"""Every notebook is committed without outputs and runs from top to bottom."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def _execute(path: Path, env_study: Path | None, monkeypatch) -> nbformat.NotebookNode:
    if env_study is not None:
        monkeypatch.setenv("SITTHI_STUDY", str(env_study))
    else:
        monkeypatch.delenv("SITTHI_STUDY", raising=False)
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return notebook


def test_notebooks_exist() -> None:
    assert [p.name for p in NOTEBOOKS][:1] == ["00-start-here.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_committed_without_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_follow_the_notebook_rules(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    code = [c.source for c in notebook.cells if c.cell_type == "code"]
    parameters = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(parameters) == 1 and "study_dir = None" in parameters[0].source
    assert not any(line.lstrip().startswith(("def ", "class ")) for src in code for line in src.splitlines())


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_run_on_the_demo_study(path: Path, monkeypatch) -> None:
    notebook = _execute(path, None, monkeypatch)
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert errors == []


def test_notebooks_start_here_shows_problems_of_a_bad_study(make_study, monkeypatch) -> None:
    study = make_study("GOOD-TH.md", "WRONG-ID.md")
    notebook = _execute(REPO / "notebooks" / "00-start-here.ipynb", study.root, monkeypatch)
    shown = "".join(str(o.get("data", {}).get("text/plain", "")) for c in notebook.cells
                    if c.cell_type == "code" for o in c.outputs)
    assert "WRONG-ID.md:2: id 'SOMETHING-ELSE' does not match the file name" in shown
    assert "GOOD-TH" in shown
