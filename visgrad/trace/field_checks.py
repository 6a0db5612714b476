"""Checks of event fields built from their annotations (see ``visgrad/trace/validate.py``).

``check_for(hint)`` turns one annotation into a ``Check``: a function ``(value, where)`` that
returns when the value fits and raises ``ValidationError`` naming ``where`` when it does not.
"""

from __future__ import annotations

import sys
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from visgrad import events as ev_
from visgrad.trace.codec import SAFE_DTYPES, CodecError, short
from visgrad.trace.summary import PREVIEW, ArraySummary

Check = Callable[[Any, str], None]


class ValidationError(CodecError):
    """An event whose fields, or whose place in the run, are not what visgrad writes."""


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on what one event may hold."""

    max_string: int = 16 << 20  # characters in one string (as much as one frame header holds)
    max_items: int = 1 << 22  # items in one tuple field (inputs, shapes, arrays)
    max_ndim: int = 64  # NumPy's own limit
    max_numel: int = 1 << 48  # elements a shape may declare (a summary may stand for them)
    max_id: int = 1 << 53  # ids and seqs stay exact as JSON numbers
    max_json_depth: int = 32  # nesting of free-form JSON (op attributes, run details)
    max_json_nodes: int = 1 << 16  # values in one free-form JSON field


LIMITS = Limits()
# Allowed array dtypes in native byte order, by dtype (``dtype.name`` is recomputed per read).
_ARRAY_DTYPES = {np.dtype(n): n for n in SAFE_DTYPES}
INT64 = 1 << 63


def _fail(where: str, what: str, v: Any) -> None:
    raise ValidationError(f"{where} {what} (got {short(v)})")


def _located(check: Check, v: Any, where: str, at: int | str) -> None:
    """``check(v)``; a failure is checked again to name where it is (``[i]``, ``.shape``).

    Locations are only formatted on failure: a valid event costs no string building.
    """
    try:
        check(v, where)
    except ValidationError:
        check(v, f"{where}[{at}]" if isinstance(at, int) else where + at)
        raise


# -- checks built from annotations ----------------------------------------------------------------
def _int(lo: int, hi: int) -> Check:
    def check(v: Any, where: str) -> None:
        if type(v) is not int:
            _fail(where, "must be an integer", v)
        if not lo <= v <= hi:
            _fail(where, f"must be between {lo} and {hi}", v)

    check.int_range = (lo, hi)  # type: ignore[attr-defined]  # lets loops over ids inline it
    return check


def _ints_fast(item: Check) -> tuple[int, int, bool] | None:
    """(lo, hi, nullable) when ``item`` checks an int (or None) only; loops then test inline."""
    r = getattr(item, "int_range", None)
    if r is not None:
        return (*r, False)
    r = getattr(item, "nullable_int_range", None)
    return None if r is None else (*r, True)


def _check_bool(v: Any, where: str) -> None:
    if type(v) is not bool:
        _fail(where, "must be true or false", v)


def _check_float(v: Any, where: str) -> None:
    if type(v) is int:
        if not -INT64 <= v < INT64:
            _fail(where, "is out of range", v)
    elif type(v) is not float:
        _fail(where, "must be a number", v)


def _check_none(v: Any, where: str) -> None:
    if v is not None:
        _fail(where, "must be null", v)


def text_ok(s: str) -> bool:
    """True when ``s`` encodes as UTF-8 (JSON can carry lone surrogates; files and Qt cannot)."""
    if s.isascii():
        return True
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _str(limits: Limits) -> Check:
    cap = limits.max_string

    def check(v: Any, where: str) -> None:
        if type(v) is not str:
            _fail(where, "must be a string", v)
        if len(v) > cap:
            raise ValidationError(f"{where} is {len(v)} characters long (the limit is {cap})")
        if not text_ok(v):
            raise ValidationError(f"{where} is not valid Unicode text (a lone surrogate)")

    return check


def _dtype(v: Any, where: str) -> None:
    if type(v) is not str or v not in SAFE_DTYPES:
        _fail(where, "must name a dtype visgrad reads (" + ", ".join(sorted(SAFE_DTYPES)) + ")", v)


def _shape(limits: Limits) -> Check:
    def check(v: Any, where: str) -> None:
        if type(v) is not tuple:
            _fail(where, "must be a list of sizes", v)
        if len(v) > limits.max_ndim:
            _fail(where, f"has more than {limits.max_ndim} dimensions", v)
        n = 1
        for s in v:
            if type(s) is not int or s < 0:
                _fail(where, "must hold non-negative integer sizes", v)
            n *= s
            if n > limits.max_numel:
                _fail(where, f"declares more than {limits.max_numel} elements", v)

    return check


def _summary(limits: Limits) -> Check:
    shape = _shape(limits)

    def check(s: ArraySummary, where: str) -> None:
        if type(s) is not ArraySummary:
            _fail(where, "must be an array summary", s)
        _located(shape, s.shape, where, ".shape")
        _located(_dtype, s.dtype, where, ".dtype")
        for name in ("min", "max", "mean", "norm"):
            _located(_check_float, getattr(s, name), where, f".{name}")
        for name in ("nan", "inf"):
            v = getattr(s, name)
            if type(v) is not int or not 0 <= v <= limits.max_numel:
                _fail(f"{where}.{name}", "must be a count", v)
        if type(s.preview) is not tuple or len(s.preview) > PREVIEW:
            _fail(f"{where}.preview", f"must hold at most {PREVIEW} numbers", s.preview)
        for x in s.preview:
            _located(_check_float, x, where, ".preview")

    return check


def _array(limits: Limits) -> Check:
    summary = _summary(limits)

    def check(v: Any, where: str) -> None:
        if type(v) is np.ndarray:
            if v.dtype not in _ARRAY_DTYPES:
                _fail(where, "has a refused dtype", v.dtype.str)
            if v.ndim > limits.max_ndim:
                _fail(where, f"has more than {limits.max_ndim} dimensions", v.ndim)
        elif type(v) is ArraySummary:
            summary(v, where)
        else:
            _fail(where, "must be an array", v)

    return check


def _json(limits: Limits) -> Check:
    cap = limits.max_string

    def check(v: Any, where: str) -> None:
        count = 0
        stack: list[tuple[Any, int]] = [(v, 0)]
        while stack:
            x, depth = stack.pop()
            count += 1
            if count > limits.max_json_nodes:
                _fail(where, f"holds more than {limits.max_json_nodes} values", v)
            t = type(x)
            if t is str:
                if len(x) > cap or not text_ok(x):
                    _fail(where, "holds an over-long or invalid string", x)
            elif t is int or t is float:
                _check_float(x, where)
            elif x is None or t is bool:
                pass
            elif t is dict or t is list or t is tuple:
                if depth >= limits.max_json_depth:
                    _fail(where, f"is nested deeper than {limits.max_json_depth}", "...")
                items = x.items() if t is dict else ((None, y) for y in x)
                for k, y in items:
                    if t is dict and (type(k) is not str or len(k) > cap or not text_ok(k)):
                        _fail(where, "has a key that is not a valid string", k)
                    stack.append((y, depth + 1))
            else:
                _fail(where, "must be plain JSON (numbers, strings, lists, objects)", x)

    return check


def _json_object(json_check: Check) -> Check:
    def check(v: Any, where: str) -> None:
        if type(v) is not dict:
            _fail(where, "must be an object", v)
        json_check(v, where)

    return check


def _union(checks: list[Check], nullable: bool) -> Check:
    if len(checks) == 1:
        (one,) = checks
        if not nullable:
            return one

        def maybe(v: Any, where: str) -> None:
            if v is not None:
                one(v, where)

        if hasattr(one, "int_range"):
            maybe.nullable_int_range = one.int_range  # type: ignore[attr-defined]
        return maybe

    def any_of(v: Any, where: str) -> None:
        if v is None and nullable:
            return
        errors = []
        for c in checks:
            try:
                c(v, where)
                return
            except ValidationError as e:
                errors.append(str(e))
        raise ValidationError(errors[0])

    return any_of


def _tuple_of(item: Check, limits: Limits) -> Check:
    cap = limits.max_items
    fast = _ints_fast(item)
    lo, hi, nullable = fast if fast is not None else (0, -1, False)

    def check(v: Any, where: str) -> None:
        if type(v) is not tuple:
            _fail(where, "must be a list", v)
        if len(v) > cap:
            _fail(where, f"has more than {cap} items", len(v))
        try:
            if fast is not None:  # ids: the common case, tested inline
                for x in v:
                    if type(x) is not int or not lo <= x <= hi:
                        if not (nullable and x is None):
                            item(x, where)
            else:
                for x in v:
                    item(x, where)
        except ValidationError:
            for i, x in enumerate(v):  # again, to say which item
                _located(item, x, where, i)
            raise

    return check


def _tuple_fixed(items: list[Check]) -> Check:
    n = len(items)

    def check(v: Any, where: str) -> None:
        if type(v) is not tuple or len(v) != n:
            _fail(where, f"must be a list of {n} items", v)
        try:
            for c, x in zip(items, v, strict=True):
                c(x, where)
        except ValidationError:
            for i, (c, x) in enumerate(zip(items, v, strict=True)):
                _located(c, x, where, i)
            raise

    return check


_MARKERS: dict[str, Callable[[Limits], Check]] = {
    # 0 is the engine's "no id" (a hook on a non-leaf names no tensor); the fold's own ids for
    # unrecorded ops and in-place versions are negative, so no id from outside can be one.
    "tensor-id": lambda lim: _int(0, lim.max_id),
    "node-id": lambda lim: _int(0, lim.max_id),
    "shape": _shape,
    "dtype": lambda lim: _dtype,
}


def check_for(hint: Any, limits: Limits = LIMITS) -> Check:
    """The check of a value annotated ``hint`` (resolved, with ``Annotated`` extras kept)."""
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        marks = [m for m in hint.__metadata__ if isinstance(m, str) and m in _MARKERS]
        return _MARKERS[marks[0]](limits) if marks else check_for(hint.__origin__, limits)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(hint)
        rest = [a for a in args if a is not type(None)]
        return _union([check_for(a, limits) for a in rest], len(rest) < len(args))
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return _tuple_of(check_for(args[0], limits), limits)
        return _tuple_fixed([check_for(a, limits) for a in args])
    if origin is dict or hint is dict:
        return _json_object(_json(limits))
    if hint is Any:
        return _json(limits)
    simple: dict[Any, Check] = {
        int: _int(-INT64, INT64 - 1),
        bool: _check_bool,
        float: _check_float,
        str: _str(limits),
        type(None): _check_none,
        np.ndarray: _array(limits),
        ArraySummary: _summary(limits),
    }
    if hint in simple:
        return simple[hint]
    raise TypeError(f"the event validator has no check for the annotation {hint!r}")


def field_hints(cls: type[ev_.Event]) -> list[tuple[str, Any]]:
    """(name, resolved annotation) of every field of an event class."""
    # The class's own module first: a field may name types events.py does not import.
    names = {**vars(ev_), **vars(sys.modules[cls.__module__])}
    hints = typing.get_type_hints(cls, names, include_extras=True)
    return [(f.name, hints[f.name]) for f in fields(cls)]


def field_checks(cls: type[ev_.Event], limits: Limits = LIMITS) -> tuple[tuple[str, Check], ...]:
    """(name, check) of every field of an event class, from its annotations."""
    return tuple((name, check_for(hint, limits)) for name, hint in field_hints(cls))
