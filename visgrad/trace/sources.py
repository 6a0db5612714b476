"""The program's source text: read as Python reads it, and carried inside trace files.

Qt-free. ``read_source`` honours PEP 263 (``# -*- coding: latin-1 -*-``) and a UTF-8 BOM, the
way the interpreter itself decodes a script, so the Source panel shows what ran. A trace carries
the text of the program files its events point at (``sources_of``), capped in size, so a
reopened trace shows its program even where the file is gone or has changed since.
"""

from __future__ import annotations

import io
import os
import stat
import tokenize
from collections.abc import Iterable, Mapping
from typing import Any

# A file above this many characters is cut (and says so); all files together stay under the total.
MAX_FILE_CHARS = 512 * 1024
MAX_TOTAL_CHARS = 2 * 1024 * 1024
MAX_FILES = 64
_CUT_NOTE = "\n# … (cut: the file is longer than visgrad keeps in a trace)\n"


class SourceError(ValueError):
    """Sources from a trace file that are not what ``sources_of`` writes."""


def decode_source(data: bytes) -> str:
    """Bytes of a Python file as text, in the encoding its coding cookie names (UTF-8 default).

    Never raises: bytes Python itself would refuse (an unknown codec, invalid UTF-8) are shown
    with replacement characters rather than not at all.
    """
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:  # an unknown codec, or bytes that are not UTF-8 without a cookie
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        # What ran could not have been read this way either; show it rather than nothing.
        text = data.decode(encoding, errors="replace")
    return text.removeprefix("\ufeff")


def read_source(path: str | os.PathLike[str], limit: int = 16 * MAX_FILE_CHARS) -> str:
    """The text of the Python file at ``path`` (OSError when it cannot be read).

    Only a regular file is read: a path from a trace may name a FIFO (opening it would wait for a
    writer for ever) or a device.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with open(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"not a regular file: {os.fspath(path)}")
        data = f.read(limit + 1)
    text = decode_source(data[:limit])
    return text + _CUT_NOTE if len(data) > limit else text


def _event_files(evs: Iterable[Any]) -> list[str]:
    """Files named by the events' places in the program, first seen first."""
    seen: dict[str, None] = {}
    for ev in evs:
        src = getattr(ev, "source", None)
        if src and isinstance(src[0], str) and src[0] not in seen:
            seen[src[0]] = None
        for frame in getattr(ev, "stack", ()) or ():
            if frame and isinstance(frame[0], str) and frame[0] not in seen:
                seen[frame[0]] = None
    return list(seen)


def sources_of(
    evs: Iterable[Any], known: Mapping[str, str] | None = None, program: str | None = None
) -> dict[str, str]:
    """Text of each readable file the events point at (and ``program``), for a trace to carry.

    ``known`` texts (from a trace loaded earlier) win over the disk. Capped per file and in total.
    """
    known = known or {}
    files = _event_files(evs)
    if program and program not in files:
        files.insert(0, program)
    out: dict[str, str] = {}
    total = 0
    for path in files[:MAX_FILES]:
        text = known.get(path)
        if text is None:
            if not path.endswith(".py") or not os.path.isfile(path):
                continue
            try:
                text = read_source(path, MAX_FILE_CHARS)
            except OSError:
                continue
        text = text[:MAX_FILE_CHARS]
        if total + len(text) > MAX_TOTAL_CHARS:
            break
        out[path] = text
        total += len(text)
    return out


def checked_sources(raw: Any) -> dict[str, str]:
    """Sources read from a trace file, kept only where they are what ``sources_of`` writes."""
    if not isinstance(raw, dict):
        raise SourceError("sources must be an object of file name -> text")
    out: dict[str, str] = {}
    total = 0
    for path, text in list(raw.items())[:MAX_FILES]:
        if not isinstance(path, str) or not isinstance(text, str) or len(path) > 4096:
            raise SourceError("sources must map file names to texts")
        text = text[:MAX_FILE_CHARS]
        if not text.isascii():
            # JSON can carry lone surrogates, which neither Qt nor a file can hold.
            text = text.encode("utf-8", "replace").decode("utf-8")
        total += len(text)
        if total > MAX_TOTAL_CHARS:
            break
        out[path] = text
    return out
