"""A git pre-commit hook: refuse a commit that stages an identifier or a notebook with outputs.

``sitthi install-hooks`` writes ``.git/hooks/pre-commit``, which runs ``python -m analysis.privacy.git_hook``
with this Python. The hook reads what is staged (not the working copy) and uses the leak guard's
scan on every staged file, whatever its name (a ``.bak``, a ``~`` backup, a dotfile, a DOCX…).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

HOOK = """#!/bin/sh
# Installed by `sitthi install-hooks`: no identifiers, no notebook outputs in a commit.
exec "{python}" -m analysis.privacy.git_hook
"""


def install(repository: Path) -> Path:
    """Write the pre-commit hook of the git repository holding ``repository``."""
    from analysis.errors import SitthiError
    from analysis.files import write_atomic

    done = subprocess.run(["git", "rev-parse", "--git-path", "hooks"], cwd=repository, capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise SitthiError("this folder is not in a git repository", path=repository,
                          fix="run `git init` first, or skip the hook if you do not use git")
    hooks = (repository / done.stdout.strip()).resolve()
    hooks.mkdir(parents=True, exist_ok=True)
    path = write_atomic(hooks / "pre-commit", HOOK.format(python=sys.executable))
    path.chmod(0o755)
    return path


def _staged() -> list[str]:
    names = subprocess.run(["git", "diff", "--cached", "--name-only", "--diff-filter=ACMR", "-z"],
                           capture_output=True, check=True).stdout.decode()
    return [n for n in names.split("\0") if n]


def _has_outputs(path: Path) -> bool:
    """True for a notebook saved with outputs (a broken one is reported by the scan instead)."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (ValueError, AttributeError):
        return False
    return any(c.get("outputs") or c.get("execution_count") for c in cells
               if isinstance(c, dict) and c.get("cell_type") == "code")


def problems_in_staged(originals: list[str]) -> list[str]:
    """One line per problem in the staged version of each staged file (copied under its own name, so
    that the guard reads it as what it is)."""
    from analysis.privacy.leak_guard import scan_file

    lines = []
    with tempfile.TemporaryDirectory() as folder:
        for number, name in enumerate(_staged()):
            content = subprocess.run(["git", "show", f":{name}"], capture_output=True, check=True).stdout
            copy = Path(folder) / str(number) / Path(name).name
            copy.parent.mkdir()
            copy.write_bytes(content)
            if copy.suffix == ".ipynb" and _has_outputs(copy):
                lines.append(f"{name}: notebook saved with outputs — clear them (Edit › Clear Outputs), save")
            lines += [leak.message.replace(str(copy), name) for leak in scan_file(copy, originals)]
    return lines


def main() -> int:
    from analysis.privacy.leak_guard import key_originals
    from analysis.study import load_study

    try:
        originals = key_originals(load_study())
    except Exception:  # not a study (or no key): the patterns still apply
        originals = []
    lines = problems_in_staged(originals)
    for line in lines:
        print(line, file=sys.stderr)
    if lines:
        print("Commit refused: nothing identifying may enter git. / ไม่อนุญาตให้ commit", file=sys.stderr)
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
