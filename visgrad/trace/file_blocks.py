"""Array blocks of a version-2 .vgtrace: many arrays packed into a few flat uint8 ``.npy`` members.

One ``.npy`` per array made numpy parse a header and zip open a member for every array (100-190 µs
an event). Here each event's header lists its arrays as ``[block, offset, dtype, shape]`` and the
bytes live end to end in ``blocks/<k>.npy``. Reading checks each block's .npy header before
allocating anything, and each array's place: dtype allowed, inside its block, after the previous
array of that block (no overlap, so the arrays never add up to more than the blocks' bytes).
"""

from __future__ import annotations

import zipfile
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np
from numpy.lib import format as npy

from visgrad.trace.codec import CodecError, check_array, dtype_name

BLOCK_BYTES = 4 << 20  # a block is closed after the event that takes it past this size
_ALIGN = 16  # offsets are aligned so the loaded arrays are aligned views, not copies
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError)


class TraceFileError(ValueError):
    """A trace file that is not a valid, safe .vgtrace (the message says why)."""


def block_name(k: int) -> str:
    return f"blocks/{k}.npy"


class BlockWriter:
    """Collects arrays of consecutive events and writes them as one block member at a time.

    A block is compressed and written on a worker thread (zlib lets go of the GIL) while the next
    events are encoded; at most one block is in flight, so memory stays near two blocks. Use it
    as a context manager inside the zip's own ``with``: leaving waits for the write in flight.
    """

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self._zf = zf
        self._parts: list[Any] = []
        self._size = 0
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="vgtrace-save")
        self._pending: Future[None] | None = None
        self.blocks = 0
        self.arrays = 0

    def __enter__(self) -> BlockWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._wait()
        finally:
            self._pool.shutdown()

    def add(self, a: np.ndarray) -> list[Any]:
        """Place ``a`` in the open block; returns its ``[block, offset, dtype, shape]``."""
        pad = -self._size % _ALIGN
        if pad:
            self._parts.append(bytes(pad))
            self._size += pad
        spec = [self.blocks, self._size, dtype_name(a.dtype), a.shape]
        # Events own private copies of their arrays, so holding them until the flush is safe.
        self._parts.append(a if a.flags.c_contiguous else a.tobytes())
        self._size += a.nbytes
        self.arrays += 1
        return spec

    def end_event(self) -> None:
        if self._size >= BLOCK_BYTES:
            self.flush()

    def flush(self) -> None:
        """Send the open block (if it holds any array) to be written and start the next one."""
        if not self._parts:
            return
        self._wait()
        self._pending = self._pool.submit(self._write, block_name(self.blocks), self._parts)
        self._parts = []
        self._size = 0
        self.blocks += 1

    def finish(self) -> None:
        """Write the last block and wait until every block is in the zip."""
        self.flush()
        self._wait()

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()  # re-raises a failed write here, in the saving thread

    def _write(self, name: str, parts: list[Any]) -> None:
        flat = np.frombuffer(b"".join(parts), dtype=np.uint8)
        with self._zf.open(name, "w", force_zip64=flat.nbytes > (1 << 30)) as fh:
            npy.write_array(fh, flat, allow_pickle=False)


def _read_block(zf: zipfile.ZipFile, name: str) -> np.ndarray:
    info = zf.getinfo(name)
    try:
        with zf.open(info) as fh:
            version = npy.read_magic(fh)
            if version == (1, 0):
                shape, fortran, dtype = npy.read_array_header_1_0(fh)
            elif version == (2, 0):
                shape, fortran, dtype = npy.read_array_header_2_0(fh)
            else:
                raise ValueError(f"unsupported .npy version {version}")
            # Checked against the member's declared size before a byte of data is allocated.
            if dtype != np.uint8 or len(shape) != 1 or shape[0] != info.file_size - fh.tell():
                raise TraceFileError(f"{name} is not a flat uint8 block of its member's size")
            data = fh.read(shape[0] + 1)  # reads to the end, so zip checks the CRC
    except TraceFileError:
        raise
    except _READ_ERRORS as e:
        raise TraceFileError(f"{name} is not a plain .npy block, or is corrupted: {e}") from None
    if len(data) != shape[0]:
        raise TraceFileError(f"{name} is not the size its header declares")
    return np.frombuffer(data, dtype=np.uint8)


class BlockReader:
    """Resolves the array table of an event; blocks are read when first referred to."""

    def __init__(self, zf: zipfile.ZipFile, names: set[str]) -> None:
        self._zf = zf
        self._names = names
        self._blocks: dict[int, np.ndarray] = {}
        self._free: dict[int, int] = {}  # per block: the first offset not yet taken by an array
        self._described: dict[
            tuple[Any, tuple[int, ...]], tuple[np.dtype, tuple[int, ...], int]
        ] = {}  # checked once

    def _block(self, k: int) -> np.ndarray:
        b = self._blocks.get(k)
        if b is None:
            name = block_name(k)
            if name not in self._names:
                raise CodecError(f"array refers to block {k}, which the file does not contain")
            b = _read_block(self._zf, name)
            if b.ctypes.data % _ALIGN:  # so that an aligned offset gives an aligned array
                b = b.copy()
                b.flags.writeable = False
            self._blocks[k] = b
            self._free[k] = 0
        return b

    def arrays(self, specs: Any) -> list[np.ndarray]:
        """The arrays an event's ``$arrays`` table describes, each checked against its block."""
        if not isinstance(specs, list):
            raise CodecError("array table is not a list")
        out = []
        for s in specs:
            if type(s) is not list or len(s) != 4 or type(s[0]) is not int:
                raise CodecError(f"bad array description {s!r}")
            k, off, dtype, shape = s
            if type(off) is not int or off < 0 or k < 0:
                raise CodecError(f"array offset {off!r} in block {k} is not a valid position")
            if type(shape) is not list:
                raise CodecError(f"array shape {shape!r} is not a list")
            try:
                dt, shape, n = self._described[(dtype, tuple(shape))]
            except (KeyError, TypeError):
                dt, shape, n = check_array(dtype, shape)
                if type(dtype) is str and len(self._described) < 4096:
                    self._described[(dtype, shape)] = dt, shape, n
            block = self._block(k)
            if off < self._free[k]:
                raise CodecError(f"array at offset {off} overlaps an earlier array in block {k}")
            if off + n > block.size:
                raise CodecError(f"array at offset {off} of {n} bytes lies outside block {k}")
            self._free[k] = off + n
            a = block[off : off + n].view(dt).reshape(shape)
            if off % dt.alignment:  # not written by visgrad; computing on unaligned data is slow
                a = a.copy()
                a.flags.writeable = False
            out.append(a)
        return out
