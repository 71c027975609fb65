"""Saving files safely: the one atomic write and the one lock that every module uses.

An atomic write never leaves a half-written file: the new content goes to a hidden temporary file
with a unique name in the same folder (``.<name>.<random>.tmp``), is flushed to the disk, renamed
over the target and the folder is synced, so after a crash the file holds either the old or the
new content. Two writers of one file never share a temporary file; the last rename wins. Hidden
(and ending in ``.tmp``), a temporary file is never taken for a transcript or a codings file.
``atomic_target`` gives libraries that write to a path themselves such a temporary path.

A lock is a ``filelock.FileLock`` with a timeout: a second Sitthi (another notebook or terminal)
waits for the first, and after the timeout gets a one-line error naming the lock file.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from analysis.errors import SitthiError

_BINARY = getattr(os, "O_BINARY", 0)  # Windows would otherwise translate newlines


class BusyError(SitthiError):
    """Another Sitthi holds a lock for longer than this one can wait."""


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    """Replace ``path`` with ``data`` (text is written as UTF-8, newlines as they are); return ``path``."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with _replacing(Path(path), "") as temporary, open(temporary, "wb") as handle:
        handle.write(payload)
    return Path(path)


def atomic_target(path: str | Path) -> AbstractContextManager[Path]:
    """A temporary path to write ``path``'s new content to (for libraries that write to a path).

    The temporary file keeps the real suffix (``.tables.xlsx.<random>.tmp.xlsx``), so a library
    that picks its format by the extension (``savefig``, ``ExcelWriter``) still does. When the block
    ends without an error it replaces ``path``; on an error it is removed and ``path`` is left as it was.
    """
    path = Path(path)
    return _replacing(path, path.suffix)


@contextmanager
def _replacing(path: Path, suffix: str) -> Iterator[Path]:
    """A new temporary file ending in ``.tmp<suffix>`` that replaces ``path`` when the block succeeds."""
    temporary = _reserve(path, suffix)
    try:
        yield temporary
        _commit(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _reserve(path: Path, suffix: str) -> Path:
    """Create an empty, hidden temporary file next to ``path`` with a unique name (folders made).

    It gets the mode of the file it will replace, or the usual one for a new file (not 0600 as
    with ``tempfile.mkstemp``).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mode = None
    while True:
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp{suffix}")
        try:
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY, 0o666)
        except FileExistsError:
            continue
        os.close(handle)
        if mode is not None:
            os.chmod(temporary, mode)
        return temporary


def _commit(temporary: Path, path: Path) -> None:
    """fsync ``temporary``, rename it over ``path``, fsync the folder."""
    with open(temporary, "r+b") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (where folders cannot be opened, the rename is still atomic)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


@contextmanager
def hold_lock(lock_path: str | Path, *, timeout: float, what: str,
              on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the lock file ``lock_path`` for the block; wait at most ``timeout`` seconds for it.

    ``what`` names what the lock protects, for the error (e.g. "nok's codings folder"). ``on_wait`` is
    called once if the lock is taken, before waiting (so the command line can say that it waits).
    """
    lock_path = Path(lock_path)
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(lock_path)
    try:
        if not _take(lock):
            if on_wait is not None:
                on_wait()
            lock.acquire(timeout=timeout)
    except Timeout:
        raise _busy(lock_path, what, timeout) from None
    try:
        yield
    finally:
        lock.release()


def _take(lock: FileLock) -> bool:
    """Take ``lock`` if it is free right now."""
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return False
    return True


def _busy(lock_path: Path, what: str, timeout: float) -> BusyError:
    return BusyError(f"{what} is in use by another Sitthi (a notebook or terminal); waited {timeout:g} s",
                     path=lock_path,
                     fix="wait until it has finished, or close the other notebook or terminal, then try "
                         "again; if no other Sitthi is running, the lock is stale: delete this file")
