""".vgtrace files: a zip of ``manifest.json``, ``events.jsonl`` and ``blocks/<k>.npy``.

Schema 2 packs arrays into flat uint8 blocks (``file_blocks``), each event's JSON line listing where
its arrays are; schema 1 files (one ``arrays/<i>.npy`` per array) are still read. Loading trusts
nothing: member names, counts and sizes are capped before anything is read (zip bombs are refused),
arrays load with ``allow_pickle=False`` and only plain numeric dtypes, and every event is rebuilt
through ``codec.from_record``. Any problem is a ``TraceFileError`` with a message that says what
is wrong. Saving goes through ``atomic_save``, so an interrupted save never destroys the previous
file.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np

from visgrad import __version__
from visgrad import events as ev_
from visgrad.trace.atomic_save import check_writable, remove_stale_temps, replacing
from visgrad.trace.codec import (
    SAFE_DTYPES,
    CodecError,
    from_json,
    from_record,
    to_json,
    to_record,
)
from visgrad.trace.file_blocks import BlockReader, BlockWriter, TraceFileError
from visgrad.trace.horizon import truncation_note
from visgrad.trace.model import TraceModel
from visgrad.trace.sources import SourceError, checked_sources
from visgrad.trace.summary import stats
from visgrad.trace.validate import EventValidator

__all__ = [
    "TraceFileError",
    "check_writable",
    "first_tick_of",
    "info_text",
    "load_sources",
    "load_trace",
    "remove_stale_temps",
    "save_trace",
    "truncation_note",
]

FORMAT = "visgrad-trace"
SCHEMA_VERSION = 2
READS = (1, 2)
MAX_MEMBERS = 4_000_000
MAX_MEMBER_BYTES = 1 << 30
MAX_TOTAL_BYTES = 8 << 30
# Deflate alone tops out near 1032:1, so a member that claims more inflates from data it shares
# with another member or nests (a zip bomb); members may not overlap either. Our own traces of
# zeros or repeated text reach 200-300:1 and load.
MAX_RATIO = 1100
RATIO_FLOOR = 1 << 20  # a member this small may claim any ratio
MAX_FIRST_TICK = 1 << 53  # a truncated trace's first tick (JSON's exact integers)
_ARRAY_NAME = re.compile(r"(arrays|blocks)/(0|[1-9][0-9]{0,9})\.npy")

Progress = Callable[[int, int], None] | None


def _events_of(src: Any) -> Sequence[ev_.Event]:
    # A model's views cut long texts; the file keeps them whole.
    whole = getattr(src, "original_events", None)
    evs = whole() if whole is not None else src
    return evs if isinstance(evs, Sequence) else list(evs)


def save_trace(
    path: str | os.PathLike[str],
    events_or_model: Any,
    progress: Progress = None,
    sources: Mapping[str, str] | None = None,
    first_tick: int | None = None,
) -> None:
    """Write events (a list or a TraceModel) to ``path`` atomically.

    ``sources`` (file name -> text, see ``trace.sources.sources_of``) travel in the manifest, so
    a reopened trace shows its program; readers that predate them ignore them. An interrupted
    save leaves the previous file whole (``atomic_save.replacing``).

    ``first_tick``: the run's tick of the first event saved, when the ones before it were
    forgotten (a model's own ``forgotten`` when None). The manifest then says ``"truncated":
    true`` with that tick, so whoever loads the file learns it does not start at the start.
    """
    evs = _events_of(events_or_model)
    if first_tick is None:
        first_tick = int(getattr(events_or_model, "forgotten", 0))
    with replacing(os.fspath(path)) as fh:
        _write_zip(fh, evs, progress, checked_sources(dict(sources or {})), first_tick)


def _write_zip(
    fh: Any, evs: Sequence[ev_.Event], progress: Progress, sources: dict[str, str], first: int
) -> None:
    total = len(evs)
    lines: list[str] = []
    with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with BlockWriter(zf) as blocks:
            for i, ev in enumerate(evs):
                header, arrays = to_record(ev)
                if arrays:
                    header["$arrays"] = [blocks.add(a) for a in arrays]
                    blocks.end_event()
                lines.append(to_json(header))
                if progress is not None and (i % 1000 == 0 or i == total - 1):
                    progress(i + 1, total)
            blocks.finish()
        zf.writestr("events.jsonl", "\n".join(lines) + ("\n" if lines else ""))
        manifest = {
            "format": FORMAT,
            "schema": SCHEMA_VERSION,
            "events": total,
            "arrays": blocks.arrays,
            "blocks": blocks.blocks,
            "visgrad": __version__,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        if sources:
            manifest["sources"] = sources
        if first > 0:
            manifest["truncated"], manifest["first_tick"] = True, first
        zf.writestr("manifest.json", json.dumps(manifest, indent=1))


class _Arrays:
    """A schema-1 file's arrays, read one by one when an event refers to them."""

    def __init__(self, zf: zipfile.ZipFile, count: int, names: set[str]) -> None:
        self._zf = zf
        self._count = count
        self._names = names
        self._seen: dict[int, np.ndarray] = {}  # each decoded once, however often referred to

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, i: int) -> np.ndarray:
        got = self._seen.get(i)
        if got is None:
            got = self._seen[i] = self._decode(i)
        return got

    def _decode(self, i: int) -> np.ndarray:
        name = f"arrays/{i}.npy"
        if name not in self._names:
            raise TraceFileError(f"event refers to array {i}, which the file does not contain")
        data = _read(self._zf, name)
        try:
            a = np.load(io.BytesIO(data), allow_pickle=False)
        except (ValueError, OSError, EOFError) as e:
            raise TraceFileError(f"{name} is not a plain .npy array: {e}") from None
        if not isinstance(a, np.ndarray) or a.dtype.name not in SAFE_DTYPES:
            raise TraceFileError(f"{name} has refused dtype {getattr(a, 'dtype', '?')}")
        a.flags.writeable = False
        return a


def _read(zf: zipfile.ZipFile, name: str) -> bytes:
    info = zf.getinfo(name)
    try:
        with zf.open(info) as f:
            data = f.read(info.file_size + 1)
    except (
        zipfile.BadZipFile,
        zlib.error,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,
    ) as e:
        raise TraceFileError(f"{name} is corrupted: {e}") from None
    if len(data) != info.file_size:
        raise TraceFileError(f"{name} is not the size its header declares")
    return data


def _check_members(zf: zipfile.ZipFile, file_size: int) -> set[str]:
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise TraceFileError(f"trace has {len(infos)} members (the limit is {MAX_MEMBERS})")
    names: set[str] = set()
    total = packed = 0
    for info in infos:
        name = info.filename
        if name not in ("manifest.json", "events.jsonl") and not _ARRAY_NAME.fullmatch(name):
            raise TraceFileError(f"unexpected member name {name!r} (refused)")
        if name in names:
            raise TraceFileError(f"member {name!r} appears twice")
        names.add(name)
        if info.file_size > MAX_MEMBER_BYTES:
            raise TraceFileError(
                f"member {name!r} is {info.file_size} bytes uncompressed (too big)"
            )
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise TraceFileError(
                f"member {name!r} inflates from {info.compress_size} to {info.file_size} bytes, "
                "more than deflate can (a zip bomb); refused"
            )
        total += info.file_size
        packed += info.compress_size
        if total > MAX_TOTAL_BYTES:
            raise TraceFileError("trace is too large uncompressed (zip bomb?)")
    if packed > file_size:
        raise TraceFileError(
            f"the members claim {packed} compressed bytes in a {file_size} byte file: they "
            "overlap (a zip bomb); refused"
        )
    for need in ("manifest.json", "events.jsonl"):
        if need not in names:
            raise TraceFileError(f"not a visgrad trace: {need} is missing")
    return names


def _manifest(zf: zipfile.ZipFile) -> dict[str, Any]:
    try:
        m = json.loads(_read(zf, "manifest.json"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise TraceFileError(f"manifest.json is not JSON: {e}") from None
    if not isinstance(m, dict) or m.get("format") != FORMAT:
        raise TraceFileError("not a visgrad trace: manifest.json names another format")
    if m.get("schema") not in READS:
        raise TraceFileError(
            f"trace schema version {m.get('schema')!r} is not supported (this visgrad reads "
            f"versions {', '.join(map(str, READS))}); open it with the visgrad that wrote it"
        )
    if not isinstance(m.get("events"), int) or not isinstance(m.get("arrays"), int):
        raise TraceFileError("manifest.json lacks integer event and array counts")
    truncated, first = m.get("truncated", False), m.get("first_tick", 0)
    if type(truncated) is not bool or type(first) is not int or not 0 <= first <= MAX_FIRST_TICK:
        raise TraceFileError(
            "manifest.json: 'truncated' must be true or false and 'first_tick' a tick number"
        )
    if truncated != (first > 0):
        raise TraceFileError("manifest.json: 'truncated' and 'first_tick' disagree")
    return m


def _lines(data: bytes) -> Iterator[str]:
    """The non-blank lines of events.jsonl, one at a time (no second copy of the whole text)."""
    for raw in io.BytesIO(data):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise TraceFileError(f"events.jsonl is not UTF-8: {e}") from None
        if line.strip():
            yield line


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic GC while a load builds its events: they hold no cycles, and a collection every
    few hundred new objects re-scans the growing list (a third of the load time)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def load_trace(path: str | os.PathLike[str], progress: Progress = None) -> list[ev_.Event]:
    """Read and validate a .vgtrace file; any problem is a TraceFileError."""
    try:
        zf = zipfile.ZipFile(os.fspath(path))
    except FileNotFoundError:
        raise TraceFileError(f"no such trace file: {os.fspath(path)}") from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        raise TraceFileError(f"not a trace file (not a readable zip): {e}") from None
    with zf, _gc_paused():
        names = _check_members(zf, os.path.getsize(os.fspath(path)))
        m = _manifest(zf)
        v1 = _Arrays(zf, m["arrays"], names) if m["schema"] == 1 else None
        blocks = BlockReader(zf, names)
        # Read whole (the CRC is checked at its end) before any line is trusted.
        data = _read(zf, "events.jsonl")
        total = m["events"]
        validator = EventValidator()
        out: list[ev_.Event] = []
        for i, line in enumerate(_lines(data)):
            if i == total:
                raise TraceFileError(
                    f"events.jsonl has more events than the manifest says ({total})"
                )
            try:
                header = from_json(line)
                if v1 is not None:
                    arrays: Any = v1
                elif isinstance(header, dict):
                    arrays = blocks.arrays(header.pop("$arrays", []))
                else:
                    arrays = []
                ev = from_record(header, arrays)
                validator.check(ev)
                out.append(ev)
            except TraceFileError:
                raise
            except CodecError as e:
                raise TraceFileError(f"event {i + 1} is invalid: {e}") from None
            except (ValueError, RecursionError) as e:
                raise TraceFileError(f"event {i + 1} is not valid JSON: {e}") from None
            if progress is not None and (i % 1000 == 0 or i == total - 1):
                progress(i + 1, total)
        if len(out) != total:
            raise TraceFileError(
                f"events.jsonl has {len(out)} events but the manifest says {total}"
            )
    return out


def _manifest_of(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A trace file's checked manifest, read without its events."""
    try:
        zf = zipfile.ZipFile(os.fspath(path))
    except FileNotFoundError:
        raise TraceFileError(f"no such trace file: {os.fspath(path)}") from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        raise TraceFileError(f"not a trace file (not a readable zip): {e}") from None
    with zf:
        _check_members(zf, os.path.getsize(os.fspath(path)))
        return _manifest(zf)


def load_sources(path: str | os.PathLike[str]) -> dict[str, str]:
    """The program texts a trace file carries (file name -> text; empty for older traces)."""
    try:
        return checked_sources(_manifest_of(path).get("sources", {}))
    except SourceError as e:
        raise TraceFileError(f"manifest.json: {e}") from None


def first_tick_of(path: str | os.PathLike[str]) -> int:
    """The run's tick of a trace file's first event: 0 unless the file is truncated (saved after
    the run's oldest events were forgotten for the memory budget; older files never are)."""
    return int(_manifest_of(path).get("first_tick", 0))


def info_text(path: str | os.PathLike[str]) -> str:
    """A short human summary of a trace file: counts and the final gradients of the leaves."""
    evs = load_trace(path)
    start = first_tick_of(path)
    try:
        model = TraceModel(evs, first_tick=start)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError) as e:
        raise TraceFileError(f"the events do not form a run visgrad can replay: {e}") from None
    s = model.state_at(len(model) - 1)
    leaves = [t for t in s.tensors.values() if t.is_leaf and t.requires_grad]
    lines = [
        f"trace: {os.fspath(path)}",
        *([truncation_note(start)] if start else []),
        f"events: {len(evs)}  ticks: {len(model)}  backward calls: {s.backward_index}",
        f"nodes: {len(s.tensors)} tensors, {len(s.functions)} functions, {len(s.edges)} edges",
        f"leaves requiring grad: {len(leaves)}",
    ]
    if s.error is not None:
        lines.append(f"error: {s.error.exc_type}: {s.error.message}")
    grads = [(t.name, t.grad) for t in s.tensors.values() if t.grad is not None]
    if grads:
        lines.append("final grads:")
    for name, grad in grads:
        st = stats(grad)
        first = ", ".join(f"{v:.4g}" for v in st.preview[:4])
        more = ", ..." if st.size > 4 else ""
        lines.append(f"  {name}  shape {list(st.shape)}  norm {st.norm:.6g}  [{first}{more}]")
    return "\n".join(lines)
