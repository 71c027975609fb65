"""Notebooks reach the disk without outputs: outputs carry participants' words.

JupyterLab autosaves every two minutes, so a notebook that showed keyword-in-context lines or quotes
would write them into a tracked file without anyone pressing save. ``make lab`` starts JupyterLab with
``jupyter_server_config.py`` (repository root), which sets :func:`project_pre_save_hook` as the
contents manager's pre-save hook: every notebook saved inside the project's ``notebooks/`` folder or
inside any study folder (one holding ``study.toml``, or below it) loses its outputs, execution counts
and widget state before it is written. The browser keeps showing the outputs; only the file is clean.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

from analysis.study import STUDY_FILE

NOTEBOOKS_DIR = "notebooks"  # the project's notebooks, next to the configuration file


def strip_outputs(notebook: dict) -> dict:
    """A copy of an nbformat 4 notebook (as a dict) with no outputs, execution counts or widget state."""
    clean = copy.deepcopy(notebook)
    clean.get("metadata", {}).pop("widgets", None)
    for cell in clean.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        cell.get("metadata", {}).pop("widgets", None)
    return clean


def holds_testimony(notebook: Path, project: Path | None) -> bool:
    """Whether a notebook lies in ``project``'s notebooks folder or in a study folder (at any depth)."""
    notebook = notebook.resolve()
    if project is not None and notebook.is_relative_to((project / NOTEBOOKS_DIR).resolve()):
        return True
    return any((folder / STUDY_FILE).is_file() for folder in notebook.parents)


def pre_save_hook(model: dict, path: str, contents_manager: Any = None, project: Path | None = None,
                  **kwargs: Any) -> None:
    """jupyter_server's ``ContentsManager.pre_save_hook``: strip a notebook's outputs in ``model``
    (changed in place) when it holds testimony (see :func:`holds_testimony`).

    ``path`` is the API path, relative to the server's root folder. jupyter_server logs a hook's error
    and saves anyway, so on any failure the content is removed first: the save is refused (HTTP 400)
    instead of writing outputs.
    """
    if model.get("type") != "notebook" or model.get("content") is None:
        return
    root = Path(getattr(contents_manager, "root_dir", "") or ".")
    if not holds_testimony(root / path.strip("/"), project):
        return
    try:
        model["content"] = strip_outputs(model["content"])
    except Exception:
        model.pop("content", None)
        raise


def project_pre_save_hook(project: Path) -> Callable[..., None]:
    """The pre-save hook for the project at ``project`` (the folder of ``jupyter_server_config.py``)."""
    project = Path(project).resolve()

    def strip_project_notebook(model: dict, path: str, **kwargs: Any) -> None:
        """Strip outputs of notebooks in this project's notebooks folder or in a study folder."""
        pre_save_hook(model, path, project=project, **kwargs)

    return strip_project_notebook
