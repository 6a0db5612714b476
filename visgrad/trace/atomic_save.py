"""Saving a file so that an interrupted save never destroys the previous one.

The new content goes to a temporary file beside the target, named after it and the saving process,
and is renamed over the target once it is whole on disk. A save that was killed leaves its
temporary file behind; the next save to the same path removes it once its process is gone.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

from visgrad.trace.file_blocks import TraceFileError

__all__ = ["check_writable", "remove_stale_temps", "replacing"]


@contextlib.contextmanager
def replacing(path: str) -> Iterator[BinaryIO]:
    """A file to write ``path``'s new content to; it replaces ``path`` when the block ends.

    The temporary file is removed on every failure. An overwritten file keeps its permissions; a
    new one gets the usual ones (0666 less the umask).
    """
    remove_stale_temps(path)
    fd, tmp = _temp_beside(path)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.chmod(tmp, _mode_for(path))
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _temp_prefix(path: str) -> str:
    return f".{os.path.basename(path)}."


def _temp_beside(path: str) -> tuple[int, str]:
    """A new temporary file in ``path``'s folder, named after it and this process."""
    folder = os.path.dirname(os.path.abspath(path))
    return tempfile.mkstemp(prefix=f"{_temp_prefix(path)}{os.getpid()}.", suffix=".tmp", dir=folder)


def _mode_for(path: str) -> int:
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process: leave its file alone
    return True


def remove_stale_temps(path: str | os.PathLike[str]) -> int:
    """Remove temporary files that saves to ``path`` left behind when they were killed.

    Only files named as ``save_trace`` names them, whose process is gone. Returns how many.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    prefix = _temp_prefix(path)
    gone = 0
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    for name in names:
        if not (name.startswith(prefix) and name.endswith(".tmp")):
            continue
        pid = name[len(prefix) :].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(folder, name))
                gone += 1
    return gone


def check_writable(path: str | os.PathLike[str]) -> None:
    """Raise ``TraceFileError`` (naming ``path``) unless a trace can be saved there.

    Tried for real, as a save would: a temporary file is made beside ``path`` and removed.
    """
    shown = os.fspath(path)
    p = os.path.abspath(shown)
    if os.path.isdir(p):
        raise TraceFileError(f"cannot write {shown}: it is a directory")
    folder = os.path.dirname(p)
    if not os.path.isdir(folder):
        raise TraceFileError(f"cannot write {shown}: no folder {os.path.dirname(shown) or '.'}")
    if os.path.exists(p) and not os.access(p, os.W_OK):
        raise TraceFileError(f"cannot write {shown}: the file is read-only")
    try:
        fd, tmp = _temp_beside(p)
    except OSError as e:
        raise TraceFileError(f"cannot write {shown}: {e.strerror or e}") from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(tmp)
