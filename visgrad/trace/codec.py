"""Events as (JSON header, raw arrays): the one encoding used on the wire and in trace files.

No pickle anywhere: a header is plain JSON, arrays travel as raw bytes described by (dtype,
shape). Arrays above the payload limit are replaced by an ``ArraySummary`` (statistics and a small
preview), so a big model does not flood the pipe.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from visgrad import events

# Only these dtypes are accepted from a peer or a file; anything else is refused.
SAFE_DTYPES = frozenset(
    {"float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"}
)
# Fields that hold free-form JSON (kept as lists); every other list decodes back to a tuple.
_JSON_FIELDS = frozenset({"attrs", "detail"})
DEFAULT_PAYLOAD_LIMIT = 65_536
PREVIEW = 16


class CodecError(ValueError):
    """A frame or record that is malformed, truncated or hostile."""


@dataclass(frozen=True, slots=True)
class ArraySummary:
    """Statistics standing in for an array too large to send in full."""

    shape: tuple[int, ...]
    dtype: str
    min: float
    max: float
    mean: float
    norm: float
    nan: int
    inf: int
    preview: tuple[float, ...]

    @property
    def size(self) -> int:
        n = 1
        for s in self.shape:
            n *= s
        return n

    @property
    def ndim(self) -> int:
        return len(self.shape)


def summarize(a: np.ndarray, preview: int = PREVIEW) -> ArraySummary:
    """Statistics of ``a`` (NaN/Inf counted, not propagated into min/max/mean)."""
    flat = np.asarray(a).reshape(-1)
    if flat.dtype.kind == "b":
        flat = flat.astype(np.int64)
    with np.errstate(all="ignore"):
        f = flat.astype(np.float64)
        finite = f[np.isfinite(f)]
        nan = int(np.isnan(f).sum())
        inf = int(np.isinf(f).sum())
        if finite.size:
            lo, hi, mean = float(finite.min()), float(finite.max()), float(finite.mean())
            norm = float(np.sqrt(np.square(finite).sum()))
        else:
            lo = hi = mean = norm = float("nan")
    return ArraySummary(
        shape=tuple(int(s) for s in a.shape),
        dtype=str(a.dtype),
        min=lo,
        max=hi,
        mean=mean,
        norm=norm,
        nan=nan,
        inf=inf,
        preview=tuple(float(x) for x in f[:preview]),
    )


def stats(a: np.ndarray | ArraySummary) -> ArraySummary:
    """Statistics of an array or summary (a summary is returned as it is)."""
    return a if isinstance(a, ArraySummary) else summarize(a)


def _enc(v: Any, arrays: list[np.ndarray], limit: int | None) -> Any:
    if isinstance(v, np.ndarray):
        if limit is not None and v.size > limit:
            s = summarize(v)
            return {"$s": {f.name: getattr(s, f.name) for f in fields(s)}}
        arrays.append(v)
        return {"$a": len(arrays) - 1}
    if isinstance(v, ArraySummary):
        return {"$s": {f.name: getattr(v, f.name) for f in fields(v)}}
    if isinstance(v, (tuple, list)):
        return [_enc(x, arrays, limit) for x in v]
    if isinstance(v, dict):
        return {str(k): _enc(x, arrays, limit) for k, x in v.items()}
    if isinstance(v, np.generic):
        return v.item()
    return v


def to_record(
    ev: events.Event, limit: int | None = None
) -> tuple[dict[str, Any], list[np.ndarray]]:
    """An event as a JSON-able header plus the arrays it refers to by index."""
    arrays: list[np.ndarray] = []
    header: dict[str, Any] = {"kind": ev.kind}
    for f in fields(ev):
        header[f.name] = _enc(getattr(ev, f.name), arrays, limit)
    return header, arrays


def _dec(v: Any, arrays: list[np.ndarray], as_tuple: bool) -> Any:
    if isinstance(v, dict):
        if "$a" in v and len(v) == 1:
            i = v["$a"]
            if not isinstance(i, int) or not 0 <= i < len(arrays):
                raise CodecError(f"array reference {i!r} out of range")
            return arrays[i]
        if "$s" in v and len(v) == 1:
            try:
                d = dict(v["$s"])
                d["shape"] = tuple(int(s) for s in d["shape"])
                d["preview"] = tuple(float(x) for x in d["preview"])
                return ArraySummary(**d)
            except (TypeError, ValueError, KeyError) as e:
                raise CodecError(f"bad array summary: {e}") from None
        return {k: _dec(x, arrays, False) for k, x in v.items()}
    if isinstance(v, list):
        items = [_dec(x, arrays, as_tuple) for x in v]
        return tuple(items) if as_tuple else items
    return v


def from_record(header: dict[str, Any], arrays: list[np.ndarray]) -> events.Event:
    """Rebuild an event; unknown kinds or fields are a CodecError, never an exception leak."""
    if not isinstance(header, dict):
        raise CodecError("event header is not an object")
    kind = header.get("kind")
    cls = events.EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise CodecError(f"unknown event kind {kind!r}")
    names = {f.name for f in fields(cls)}
    kwargs = {}
    for k, v in header.items():
        if k == "kind":
            continue
        if k not in names:
            raise CodecError(f"unknown field {k!r} for event kind {kind!r}")
        kwargs[k] = _dec(v, arrays, k not in _JSON_FIELDS)
    if not isinstance(kwargs.get("seq"), int):
        raise CodecError("event has no integer seq")
    try:
        return cls(**kwargs)
    except TypeError as e:
        raise CodecError(f"bad {kind} event: {e}") from None


# -- frames: [u32 header length][header JSON][array bytes...] --------------------------------------
_U32 = struct.Struct("<I")
MAX_HEADER = 16 * 1024 * 1024
MAX_ARRAY_BYTES = 1 << 31


def encode_frame(ev: events.Event, limit: int | None = DEFAULT_PAYLOAD_LIMIT) -> bytes:
    """One event as bytes: length-prefixed JSON header, then each array's raw C-order bytes."""
    header, arrays = to_record(ev, limit)
    header["$arrays"] = [
        {"dtype": str(a.dtype), "shape": list(a.shape), "nbytes": int(a.nbytes)} for a in arrays
    ]
    hb = json.dumps(header, separators=(",", ":")).encode()
    parts = [_U32.pack(len(hb)), hb]
    parts.extend(np.ascontiguousarray(a).tobytes() for a in arrays)
    body = b"".join(parts)
    return _U32.pack(len(body)) + body


def decode_body(body: bytes | memoryview) -> events.Event:
    """Inverse of ``encode_frame`` without its outer length prefix."""
    body = memoryview(body)
    if len(body) < 4:
        raise CodecError("truncated frame")
    (hlen,) = _U32.unpack_from(body, 0)
    if hlen > MAX_HEADER or 4 + hlen > len(body):
        raise CodecError("truncated or oversized frame header")
    try:
        header = json.loads(bytes(body[4 : 4 + hlen]))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CodecError(f"frame header is not JSON: {e}") from None
    if not isinstance(header, dict):
        raise CodecError("frame header is not an object")
    specs = header.pop("$arrays", [])
    arrays = read_arrays(specs, body, 4 + hlen)
    return from_record(header, arrays)


def read_arrays(specs: Any, buf: memoryview, offset: int) -> list[np.ndarray]:
    """Arrays described by ``specs`` laid end to end in ``buf`` from ``offset``; all checked."""
    if not isinstance(specs, list):
        raise CodecError("array table is not a list")
    out = []
    for s in specs:
        try:
            dt = np.dtype(s["dtype"])
            shape = tuple(int(x) for x in s["shape"])
            nbytes = int(s["nbytes"])
        except (KeyError, TypeError, ValueError) as e:
            raise CodecError(f"bad array description: {e}") from None
        if dt.name not in SAFE_DTYPES or any(x < 0 for x in shape):
            raise CodecError(f"refused array of dtype {dt.name} and shape {shape}")
        n = 1
        for x in shape:
            n *= x
        if n * dt.itemsize != nbytes or nbytes > MAX_ARRAY_BYTES or offset + nbytes > len(buf):
            raise CodecError("array size does not match its description, or data is truncated")
        a = np.frombuffer(buf[offset : offset + nbytes], dtype=dt).reshape(shape).copy()
        a.flags.writeable = False
        out.append(a)
        offset += nbytes
    return out
