"""The project installs the same way for pip and conda users, and CI runs the README's command."""

import tomllib

import yaml
from packaging.requirements import Requirement

from conftest import REPO


def _normalised(requirements: list[str]) -> set[str]:
    return {str(Requirement(r)).lower() for r in requirements}


def test_packaging_environment_yml_lists_the_pyproject_requirements() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = _normalised(project["dependencies"] + project["optional-dependencies"]["dev"])
    environment = yaml.safe_load((REPO / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    listed = _normalised([line for line in pip_section if not line.startswith("-e")])
    assert listed == wanted, f"environment.yml only: {listed - wanted}; pyproject only: {wanted - listed}"
    assert "-e ." in pip_section
    assert "python=3.11" in environment["dependencies"]


def test_packaging_console_script_is_the_cli_entry_point() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["sitthi"] == "analysis.cli:main"


def test_packaging_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make report" in readme and "make test" in readme
    assert "make test" in (REPO / ".ci" / "run").read_text()
