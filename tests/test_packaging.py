"""The project installs the same way for pip and conda users, and CI runs the README's command."""

import tomllib
from importlib.metadata import version

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

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


def _lock() -> dict[str, tuple[str, list[str]]]:
    """requirements.lock as {name: (version, hashes)}, for this Python (pins are per marker)."""
    pins: dict[str, tuple[str, list[str]]] = {}
    hashes: list[str] = []
    for line in (REPO / "requirements.lock").read_text().splitlines():
        stripped = line.strip().rstrip("\\").strip()
        if not line.startswith((" ", "#")) and "==" in stripped:
            requirement, hashes = Requirement(stripped), []
            if requirement.marker is None or requirement.marker.evaluate():
                pins[canonicalize_name(requirement.name)] = (str(requirement.specifier)[2:], hashes)
        elif stripped.startswith("--hash=sha256:"):
            hashes.append(stripped)
    return pins


def _direct_requirements() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]]


def test_packaging_lock_pins_every_requirement_within_its_range() -> None:
    pins = _lock()
    assert pins and all(hashes for _, hashes in pins.values()), "every pin needs its hashes"
    for requirement in _direct_requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is in pyproject.toml but not in requirements.lock: run make lock"
        assert requirement.specifier.contains(pins[name][0]), \
            f"requirements.lock has {name}=={pins[name][0]}, outside {requirement}: run make lock"


def test_packaging_installed_versions_are_the_locked_ones() -> None:
    """make installs from the lock (with --require-hashes), so the tests run on the locked versions."""
    makefile = (REPO / "Makefile").read_text()
    assert "--require-hashes -r $(LOCK)" in makefile and "LOCK   := requirements.lock" in makefile
    pins = _lock()
    for requirement in _direct_requirements():
        name = canonicalize_name(requirement.name)
        assert Version(version(name)) == Version(pins[name][0]), \
            f"{name}: installed {version(name)}, locked {pins[name][0]}: run make (it installs from the lock)"
