"""Events as (JSON header, raw arrays): the one encoding used on the wire and in trace files.

No pickle anywhere: a header is plain JSON, arrays travel as raw bytes described by (dtype,
shape). Arrays above the payload limit are replaced by an ``ArraySummary`` (``trace/summary.py``),
so a big model does not flood the pipe.
"""

from __future__ import annotations

import json
import reprlib
import struct
from collections.abc import Callable
from dataclasses import fields, replace
from typing import Any

import numpy as np

from visgrad import events
from visgrad.trace.sharing import share_field, share_json, share_text
from visgrad.trace.summary import ArraySummary, summarize

# Only these dtypes are accepted from a peer or a file; anything else is refused.
SAFE_DTYPES = frozenset(
    {"float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"}
)
# Fields that hold free-form JSON (kept as lists); every other list decodes back to a tuple.
_JSON_FIELDS = frozenset({"attrs", "detail"})
DEFAULT_PAYLOAD_LIMIT = 65_536


class CodecError(ValueError):
    """A frame or record that is malformed, truncated or hostile."""


_SCALARS = frozenset({int, str, float, bool, type(None)})
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def field_names(cls: type) -> tuple[str, ...]:
    """The dataclass field names of ``cls``, computed once per class (``fields()`` is slow)."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


def _flat(v: list[Any] | tuple[Any, ...]) -> bool:
    for x in v:
        if type(x) not in _SCALARS:
            return False
    return True


def _enc_tuple(v: tuple[Any, ...], arrays: list[np.ndarray], limit: int | None) -> list[Any]:
    """``_enc`` of a tuple field, with its usual items (ids, shapes, arrays) done in place."""
    out: list[Any] = []
    for x in v:
        t = type(x)
        if t in _SCALARS or (t is tuple and _flat(x)):  # JSON writes a tuple as a list
            out.append(x)
        elif t is np.ndarray and (limit is None or x.size <= limit):
            arrays.append(x)
            out.append({"$a": len(arrays) - 1})
        else:
            out.append(_enc(x, arrays, limit))
    return out


def _summary_json(s: ArraySummary) -> dict[str, Any]:
    return {"$s": {n: getattr(s, n) for n in field_names(ArraySummary)}}


def _enc(v: Any, arrays: list[np.ndarray], limit: int | None) -> Any:
    if isinstance(v, np.ndarray):
        if limit is not None and v.size > limit:
            return _summary_json(summarize(v))
        arrays.append(v)
        return {"$a": len(arrays) - 1}
    if isinstance(v, ArraySummary):
        return _summary_json(v)
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
    for name in field_names(type(ev)):
        v = getattr(ev, name)
        t = type(v)
        # Most fields are ids, names, flags, shapes and tuples of arrays: no general walk.
        if t in _SCALARS:
            header[name] = v
        elif t is tuple:
            header[name] = _enc_tuple(v, arrays, limit)
        else:
            header[name] = _enc(v, arrays, limit)
    return header, arrays


def _dec(v: Any, arrays: list[np.ndarray], as_tuple: bool) -> Any:
    t = type(v)
    if t in _SCALARS:
        return v
    if t is dict:
        if len(v) == 1:
            if "$a" in v:
                return _ref(v["$a"], arrays)
            if "$s" in v:
                return _dec_summary(v["$s"])
        return {k: _dec(x, arrays, False) for k, x in v.items()}
    if t is list:
        items = [_dec(x, arrays, as_tuple) for x in v]
        return tuple(items) if as_tuple else items
    return v


def _ref(i: Any, arrays: list[np.ndarray]) -> np.ndarray:
    if type(i) is not int or not 0 <= i < len(arrays):
        raise CodecError(f"array reference {i!r} out of range")
    return arrays[i]


def _dec_tuple(v: list[Any], arrays: list[np.ndarray]) -> tuple[Any, ...]:
    """``_dec`` of a tuple field, with its usual items (ids, shapes, array refs) done in place."""
    out = []
    for x in v:
        t = type(x)
        if t in _SCALARS:
            out.append(x)
        elif t is list and _flat(x):
            out.append(tuple(x))
        elif t is dict and len(x) == 1 and "$a" in x:
            out.append(_ref(x["$a"], arrays))
        else:
            out.append(_dec(x, arrays, True))
    return tuple(out)


def _dec_summary(d: Any) -> ArraySummary:
    # Types and ranges are the validator's (trace/validate.py); here only the structure.
    if (
        type(d) is not dict
        or type(d.get("shape")) is not list
        or type(d.get("preview")) is not list
    ):
        raise CodecError("bad array summary: it needs a shape and a preview list")
    try:
        return ArraySummary(**{**d, "shape": tuple(d["shape"]), "preview": tuple(d["preview"])})
    except TypeError as e:
        raise CodecError(f"bad array summary: {e}") from None


def _keys_of(cls: type) -> frozenset[str]:
    return _KEYS.get(cls) or _KEYS.setdefault(cls, frozenset(field_names(cls)) | {"kind"})


_KEYS: dict[type, frozenset[str]] = {}


def from_record(header: dict[str, Any], arrays: list[np.ndarray]) -> events.Event:
    """Rebuild an event; unknown kinds or fields are a CodecError, never an exception leak."""
    if not isinstance(header, dict):
        raise CodecError("event header is not an object")
    kind = header.get("kind")
    cls = events.EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise CodecError(f"unknown event kind {kind!r}")
    unknown = header.keys() - _keys_of(cls)
    if unknown:
        raise CodecError(f"unknown field {min(unknown)!r} for event kind {kind!r}")
    kwargs: dict[str, Any] = {}
    for k, v in header.items():
        t = type(v)
        if t in _SCALARS:
            kwargs[k] = share_text(v) if t is str else v
        elif t is list and k not in _JSON_FIELDS:
            kwargs[k] = share_field(k, _dec_tuple(v, arrays))
        else:
            kwargs[k] = share_json(v, lambda: _dec(v, arrays, k not in _JSON_FIELDS))  # noqa: B023
    del kwargs["kind"]
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


def _json_writer() -> Callable[[Any], str]:
    """Compact JSON of a header, as ``json.dumps(separators=(",", ":"))`` writes it.

    ``JSONEncoder.encode`` builds a C encoder on every call, a third of the time of a small
    header; the C encoder (where this Python has one) is built once here instead.
    """
    plain = json.JSONEncoder(separators=(",", ":"))
    make: Any = getattr(json.encoder, "c_make_encoder", None)  # None: called, a TypeError
    try:
        # (markers, default, encoder, indent, key sep, item sep, sort_keys, skipkeys, allow_nan)
        enc = make(
            None, plain.default, json.encoder.encode_basestring_ascii, None, ":", ",", 0, 0, 1
        )
    except TypeError:  # no C encoder, or one with another signature
        return plain.encode
    return lambda obj: "".join(enc(obj, 0))


to_json = _json_writer()
_DTYPE_NAMES: dict[np.dtype, str] = {}


def dtype_name(dt: np.dtype) -> str:
    """``str(dt)``, cached: it is asked for every array of every event."""
    name = _DTYPE_NAMES.get(dt)
    if name is None:
        name = _DTYPE_NAMES[dt] = str(dt)
    return name


# Strings longer than this are cut before sending (the peer refuses headers past MAX_HEADER).
MAX_SENT_STRING = 1 << 20


def _fit_text(s: str, cap: int | None) -> str:
    if cap is not None and len(s) > cap:
        s = s[:cap] + f"\u2026 [{len(s) - cap:,} more characters not recorded]"
    if s.isascii():
        return s
    # A lone surrogate (print("\ud800"), a file name that is not UTF-8) cannot be stored; a
    # pair of surrogates becomes the character it stands for.
    return s.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _fit_value(v: Any, cap: int | None) -> Any:
    t = type(v)
    if t is str:
        return _fit_text(v, cap)
    if t is tuple or t is list:
        return t(_fit_value(x, cap) for x in v)
    if t is dict:
        return {_fit_value(k, cap): _fit_value(x, cap) for k, x in v.items()}
    return v


def fit_for_peer(ev: events.Event, cap: int | None = MAX_SENT_STRING) -> events.Event:
    """``ev`` with strings past ``cap`` cut and lone surrogates replaced, so a peer accepts it."""
    changes = {}
    for name in field_names(type(ev)):
        v = getattr(ev, name)
        if type(v) in (str, tuple, list, dict):
            changes[name] = _fit_value(v, cap)
    return replace(ev, **changes)


def encode_frame(ev: events.Event, limit: int | None = DEFAULT_PAYLOAD_LIMIT) -> bytes:
    """One event as bytes: length-prefixed JSON header, then each array's raw C-order bytes.

    An event whose header would be refused by the reader (too long, or holding a lone surrogate,
    which ASCII JSON writes as a ``\\udXXX`` escape) is sent as ``fit_for_peer`` makes it.
    """
    header, arrays = to_record(ev, limit)
    header["$arrays"] = [
        {"dtype": dtype_name(a.dtype), "shape": a.shape, "nbytes": a.nbytes} for a in arrays
    ]
    hb = to_json(header).encode()
    if len(hb) > MAX_HEADER or b"\\ud" in hb:
        fitted = fit_for_peer(ev, MAX_SENT_STRING if len(hb) > MAX_HEADER else None)
        header, arrays = to_record(fitted, limit)
        header["$arrays"] = [
            {"dtype": dtype_name(a.dtype), "shape": a.shape, "nbytes": a.nbytes} for a in arrays
        ]
        hb = to_json(header).encode()
    size = 4 + len(hb)
    parts: list[Any] = [b"", _U32.pack(len(hb)), hb]
    for a in arrays:
        # A C-contiguous array joins as a buffer, without a tobytes() copy.
        parts.append(a if a.flags.c_contiguous else a.tobytes())
        size += a.nbytes
    parts[0] = _U32.pack(size)
    return b"".join(parts)


from_json = json.JSONDecoder().decode


def decode_body(body: bytes | memoryview) -> events.Event:
    """Inverse of ``encode_frame`` without its outer length prefix."""
    body = memoryview(body)
    if len(body) < 4:
        raise CodecError("truncated frame")
    (hlen,) = _U32.unpack_from(body, 0)
    if hlen > MAX_HEADER or 4 + hlen > len(body):
        raise CodecError("truncated or oversized frame header")
    try:
        header = from_json(str(body[4 : 4 + hlen], "utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise CodecError(f"frame header is not JSON: {e}") from None
    if not isinstance(header, dict):
        raise CodecError("frame header is not an object")
    specs = header.pop("$arrays", [])
    arrays = read_arrays(specs, body, 4 + hlen)
    return from_record(header, arrays)


_SAFE_BY_NAME = {n: np.dtype(n) for n in SAFE_DTYPES}
# The spellings a writer may use for an allowed dtype: its name ('float32') and its array-protocol
# string ('<f4'). Nothing else reaches np.dtype(): it parses arbitrary strings (``"f4,("`` raises
# SyntaxError, ``"O"`` is a pickle-backed object array).
_SAFE_BY_NAME.update({dt.str: dt for dt in list(_SAFE_BY_NAME.values())})
MAX_NDIM = 64


def check_array(dtype: Any, shape: Any) -> tuple[np.dtype, tuple[int, ...], int]:
    """(dtype, shape, nbytes) of a described array; a refused dtype or bad shape is a CodecError."""
    dt = _SAFE_BY_NAME.get(dtype) if type(dtype) is str else None
    if dt is None:
        plain = type(dtype) is str and len(dtype) <= 40 and dtype.isprintable()
        named = dtype if plain else short(dtype)
        raise CodecError(f"refused array of dtype {named}")
    if type(shape) not in (list, tuple) or len(shape) > MAX_NDIM:
        raise CodecError(f"bad array shape {short(shape)}")
    n = dt.itemsize
    for x in shape:
        if type(x) is not int or x < 0:
            raise CodecError(f"refused array of dtype {dt.name} and shape {short(shape)}")
        n *= x
        if n > MAX_ARRAY_BYTES:
            raise CodecError(f"array of dtype {dt.name} and shape {short(shape)} is too large")
    return dt, tuple(shape), n


class _Short(reprlib.Repr):
    def repr_ndarray(self, a: np.ndarray, level: int) -> str:
        return f"array{list(a.shape)}"


_SHORT = _Short()
_SHORT.maxlevel, _SHORT.maxtuple, _SHORT.maxlist, _SHORT.maxdict = 3, 4, 4, 3
_SHORT.maxstring = _SHORT.maxlong = _SHORT.maxother = 30


def short(v: Any, n: int = 40) -> str:
    """A bounded one-line repr for an error message (a hostile value may be megabytes long)."""
    try:
        r = " ".join(_SHORT.repr(v).split())
    except Exception:  # a repr that fails must not hide the real error
        r = f"<{type(v).__name__}>"
    return r if len(r) <= n else r[: n - 3] + "..."


def read_arrays(specs: Any, buf: memoryview, offset: int) -> list[np.ndarray]:
    """Arrays described by ``specs`` laid end to end in ``buf`` from ``offset``; all checked."""
    if not isinstance(specs, list):
        raise CodecError("array table is not a list")
    out = []
    for s in specs:
        if type(s) is not dict or not {"dtype", "shape", "nbytes"} <= s.keys():
            raise CodecError(f"bad array description {short(s)}")
        dt, shape, n = check_array(s["dtype"], s["shape"])
        nbytes = s["nbytes"]
        if type(nbytes) is not int or n != nbytes or offset + nbytes > len(buf):
            raise CodecError("array size does not match its description, or data is truncated")
        a = np.frombuffer(buf[offset : offset + nbytes], dtype=dt).reshape(shape).copy()
        a.flags.writeable = False
        out.append(a)
        offset += nbytes
    return out
