"""PyTorch's checkpoint container: a zip of ``<name>/data.pkl`` and ``<name>/data/<key>`` records.

Reading checks the archive as untrusted input (one top folder, stored records, sizes that agree
with what the pickle declares); writing lays the records out as ``torch.save`` does, each
record's bytes aligned to 64 and every byte reproducible (fixed times, no random id).
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from typing import Any

ALIGN = 64
MAX_PICKLE = 1 << 30  # bytes of data.pkl; a state dict's pickle is kilobytes per tensor
_EPOCH = (1980, 1, 1, 0, 0, 0)


class CheckpointError(RuntimeError):
    """A file that is not a readable PyTorch checkpoint."""


class Archive:
    """An opened checkpoint: its records by name (without the top folder)."""

    def __init__(self, fileobj: Any) -> None:
        try:
            self.zf = zipfile.ZipFile(fileobj)
        except (
            zipfile.BadZipFile,
            OSError,
            OverflowError,
            ValueError,
            EOFError,
            NotImplementedError,
        ) as e:
            raise CheckpointError(
                f"PytorchStreamReader failed reading zip archive: failed finding central directory ({e})"
            ) from None
        names = self.zf.namelist()
        tops = {n.split("/", 1)[0] for n in names}
        if len(tops) != 1 or any("/" not in n for n in names):
            raise CheckpointError("checkpoint archive must hold exactly one top folder")
        self.prefix = tops.pop() + "/"
        self.infos = {i.filename[len(self.prefix) :]: i for i in self.zf.infolist()}
        if "data.pkl" not in self.infos:
            raise CheckpointError(
                "PytorchStreamReader failed locating file data.pkl: file not found"
            )

    def size(self, name: str) -> int | None:
        info = self.infos.get(name)
        return None if info is None else info.file_size

    def read(self, name: str, limit: int | None = None) -> bytes:
        """The bytes of record ``name`` (``CheckpointError`` if missing, compressed or too big)."""
        info = self.infos.get(name)
        if info is None:
            raise CheckpointError(
                f"PytorchStreamReader failed locating file {name}: file not found"
            )
        if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1:
            raise CheckpointError(f"record {name} is compressed or encrypted; torch.save stores")
        if limit is not None and info.file_size > limit:
            raise CheckpointError(f"record {name} is {info.file_size} bytes, more than {limit}")
        try:
            data = self.zf.read(info)
        except (
            zipfile.BadZipFile,
            OSError,
            OverflowError,
            ValueError,
            EOFError,
            KeyError,
            NotImplementedError,
        ) as e:
            raise CheckpointError(
                f"PytorchStreamReader failed reading record {name}: {e}"
            ) from None
        if len(data) != info.file_size:
            raise CheckpointError(f"record {name} is truncated")
        return data


def archive_name(f: Any) -> str:
    """The top folder ``torch.save`` uses: the file's name without extension, else ``archive``."""
    if isinstance(f, (str, os.PathLike)):
        base = os.path.basename(os.fspath(f))
        return os.path.splitext(base)[0] or "archive"
    return "archive"


def _aligned_info(zf: zipfile.ZipFile, fh: Any, name: str, size: int) -> zipfile.ZipInfo:
    """A stored entry whose data will start at a multiple of ``ALIGN`` (padding in 'FB' extra)."""
    info = zipfile.ZipInfo(name, date_time=_EPOCH)
    info.compress_type = zipfile.ZIP_STORED
    info.file_size = info.compress_size = size
    info.external_attr = 0o600 << 16
    start = fh.tell()
    # A local header is 30 bytes, the name, and a 20-byte zip64 field for records past 4 GB.
    header = 30 + len(name.encode("utf-8")) + (20 if size > zipfile.ZIP64_LIMIT else 0)
    pad = (-(start + header + 4)) % ALIGN
    info.extra = b"FB" + pad.to_bytes(2, "little") + b"Z" * pad
    return info


def write_archive(fh: Any, name: str, pickle_bytes: bytes, storages: list[bytes]) -> None:
    """Write the records of one checkpoint to the binary file object ``fh``."""
    digest = hashlib.sha1(pickle_bytes)
    for s in storages:
        digest.update(s)
    records = [("data.pkl", pickle_bytes), (".format_version", b"1")]
    records += [(".storage_alignment", str(ALIGN).encode()), ("byteorder", b"little")]
    records += [(f"data/{i}", s) for i, s in enumerate(storages)]
    serial = str(int(digest.hexdigest(), 16))[:40].rjust(40, "0")
    records += [("version", b"3\n"), (".data/serialization_id", serial.encode())]
    with zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED) as zf:
        for rec, data in records:
            zf.writestr(_aligned_info(zf, fh, f"{name}/{rec}", len(data)), data)


def open_for_read(f: Any) -> tuple[Any, bool]:
    """A seekable binary file object for ``f`` and whether the caller must close it."""
    if isinstance(f, (str, os.PathLike)):
        return open(f, "rb"), True  # noqa: SIM115 - closed by the caller
    if isinstance(f, (bytes, bytearray, memoryview)):
        return io.BytesIO(f), True
    if not (hasattr(f, "read") and hasattr(f, "seek")):
        raise TypeError(
            f"torch.load expects a path or a seekable binary file, not {type(f).__name__}"
        )
    return f, False
