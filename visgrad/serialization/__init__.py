"""``torch.save`` / ``torch.load`` in PyTorch's zip checkpoint format, without running code.

``load`` reads checkpoints PyTorch wrote (``torch.save`` since 1.6) with a pickle interpreter
that only knows the names ``torch.load(weights_only=True)`` allows; anything else is refused with
a one-line ``pickle.UnpicklingError``. ``save`` writes files ``torch.load(weights_only=True)``
reads, holding tensors, state dicts and containers of them.
"""

from __future__ import annotations

import io
import os
import pickle
from typing import Any

import numpy as np

from visgrad._device import CPU_ONLY
from visgrad.serialization import rebuild
from visgrad.serialization.archive import (
    MAX_PICKLE,
    Archive,
    CheckpointError,
    archive_name,
    open_for_read,
    write_archive,
)
from visgrad.serialization.pickler import Writer
from visgrad.serialization.unpickler import Reader, Refused

__all__ = ["CheckpointError", "Refused", "add_safe_globals", "get_safe_globals", "load", "save"]

DEFAULT_PROTOCOL = 2


def save(
    obj: Any,
    f: Any,
    pickle_module: Any = None,
    pickle_protocol: int = DEFAULT_PROTOCOL,
    _use_new_zipfile_serialization: bool = True,
    _disable_byteorder_record: bool = False,
) -> None:
    """Write ``obj`` (tensors, state dicts, containers of them) to a path or binary file."""
    if not _use_new_zipfile_serialization:
        raise ValueError("visgrad.save writes PyTorch's zip format only")
    writer = Writer()
    data = writer.dump(obj)
    name = archive_name(f)
    if isinstance(f, (str, os.PathLike)):
        buf = io.BytesIO()
        write_archive(buf, name, data, writer.storages)
        with open(f, "wb") as fh:
            fh.write(buf.getvalue())
    else:
        write_archive(f, name, data, writer.storages)


def _location_ok(location: Any, map_location: Any) -> None:
    if isinstance(map_location, dict):
        location = map_location.get(location, location)
    elif map_location is not None:
        location = str(map_location)
    if not isinstance(location, str) or location.split(":")[0] != "cpu":
        if isinstance(location, str) and location.startswith(("cuda", "mps", "xpu")):
            raise RuntimeError(
                "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() "
                "is False. If you are running on a CPU-only machine, please use torch.load with "
                "map_location=torch.device('cpu') to map your storages to the CPU."
                f" ({CPU_ONLY})"
            )
        raise pickle.UnpicklingError(f"unknown storage location {location!r}")


class _Storages:
    """Resolves ``('storage', type, key, location, numel)`` ids to loaded storages, once each."""

    def __init__(self, archive: Archive, map_location: Any) -> None:
        self.archive = archive
        self.map_location = map_location
        self.loaded: dict[str, rebuild.Storage] = {}

    def __call__(self, pid: Any) -> rebuild.Storage:
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"unsupported persistent id {type(pid).__name__}")
        _, kind, key, location, numel = pid
        if not isinstance(kind, rebuild.StorageType):
            raise pickle.UnpicklingError("a storage id does not name a storage type")
        if not isinstance(key, str) or type(numel) is not int or numel < 0:
            raise pickle.UnpicklingError("malformed storage id")
        if key in self.loaded:
            return self.loaded[key]
        _location_ok(location, self.map_location)
        np_dtype = kind.dtype.np if kind.dtype is not None else np.dtype(np.uint8)
        name = f"data/{key}"
        expected = numel * np_dtype.itemsize
        if self.archive.size(name) != expected:
            raise CheckpointError(
                f"storage {key} should hold {expected} bytes ({numel} x {np_dtype}) but the "
                f"record has {self.archive.size(name)}"
            )
        raw = bytearray(self.archive.read(name))  # writable: tensors may be changed in place
        array = np.frombuffer(raw, dtype=np_dtype.newbyteorder("<")).astype(np_dtype, copy=False)
        self.loaded[key] = storage = rebuild.Storage(array)
        return storage


_SAFE = rebuild.allowed_globals()


def get_safe_globals() -> list[str]:
    """The names a checkpoint may use (visgrad has no way to add classes: it never runs them)."""
    return sorted(_SAFE)


def add_safe_globals(safe_globals: Any) -> None:
    """Refused: allowing a class would mean running its code from the checkpoint."""
    raise NotImplementedError(
        "visgrad.serialization.add_safe_globals: visgrad loads only tensors and containers of "
        "them and never runs code from a checkpoint; save state_dict()s instead of objects"
    )


def _legacy_or_junk(head: bytes) -> Exception:
    if not head:
        return EOFError("Ran out of input")
    if head[:1] == b"\x80":
        return CheckpointError(
            "this checkpoint uses PyTorch's legacy (pre-1.6) format; visgrad reads the zip "
            "format: re-save it with torch.save in PyTorch 1.6 or later"
        )
    return pickle.UnpicklingError(f"invalid load key, {chr(head[0])!r}.")


def load(
    f: Any,
    map_location: Any = None,
    pickle_module: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: bool | None = None,
    **pickle_load_args: Any,
) -> Any:
    """Read a checkpoint from a path or binary file, as ``torch.load(weights_only=True)``.

    ``weights_only=False`` is accepted but changes nothing: visgrad never runs a checkpoint's
    code, so a pickled module or class is refused either way.
    """
    fh, close = open_for_read(f)
    try:
        start = fh.tell()
        head = fh.read(4)
        fh.seek(start)
        if head[:2] != b"PK":
            raise _legacy_or_junk(head)
        archive = Archive(fh)
        data = archive.read("data.pkl", MAX_PICKLE)
        reader = Reader(data, _SAFE, _Storages(archive, map_location))
        return reader.run()
    finally:
        if close:
            fh.close()
