"""Which software made a report: Sitthi's version and the versions of the libraries behind its numbers."""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version

from analysis import __version__

# The libraries whose versions can change a report's words, numbers or figures.
LIBRARIES = ("pythainlp", "nlpo3", "onnxruntime", "spacy", "pandas", "numpy", "matplotlib", "krippendorff",
             "scipy")


def software_versions() -> dict[str, str]:
    """``{"sitthi": …, "python": …, <library>: …}``; a library that is not installed is left out."""
    versions = {"sitthi": __version__, "python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            continue
    return versions
