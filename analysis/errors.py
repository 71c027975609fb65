"""Errors a user can cause, each naming the file, the line and what to do."""

from __future__ import annotations

from pathlib import Path


class SitthiError(Exception):
    """A problem in the user's files or settings, printed as ``file:line: what — what to do``.

    Parameters
    ----------
    what
        What is wrong, in one short sentence.
    path
        The file (or folder) the problem is in, if any.
    line
        1-based line number in that file, if known.
    fix
        What the user should do about it.
    """

    def __init__(self, what: str, *, path: str | Path | None = None, line: int | None = None,
                 fix: str = "") -> None:
        self.what = what
        self.path = Path(path) if path is not None else None
        self.line = line
        self.fix = fix
        super().__init__(self.message)

    def __reduce__(self):
        """Keep file, line and fix when the error crosses a process boundary."""
        return _rebuild, (type(self), self.what, self.path, self.line, self.fix)

    @property
    def where(self) -> str:
        """``file:line`` (or just ``file``) of the problem; empty when unknown."""
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line else str(self.path)

    @property
    def message(self) -> str:
        """The one-line message shown to the user."""
        text = f"{self.where}: {self.what}" if self.where else self.what
        return f"{text} — {self.fix}" if self.fix else text


def _rebuild(cls: type[SitthiError], what: str, path: Path | None, line: int | None,
             fix: str) -> SitthiError:
    return cls(what, path=path, line=line, fix=fix)


class StudyError(SitthiError):
    """The study folder or its ``study.toml`` is missing or wrong."""


class TranscriptError(SitthiError):
    """A transcript file cannot be read or breaks the transcript rules."""
