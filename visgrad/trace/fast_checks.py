"""A fast yes/no for an event's fields, generated from the same annotations as ``field_checks``.

Checking field by field through small functions costs ~8 µs an event; a trace holds millions.
So each event class gets one generated function testing every field inline (``type(v) is int and
1 <= v <= MAX``, loops over id tuples, ...) that only says whether all is well. When it says no,
the field-by-field checks run to find and name the problem; they, not this, are the authority
(a value this rejects and they accept passes). Parts without an inline form (arrays, free JSON)
call their field check.
"""

from __future__ import annotations

import itertools
import math
import types
import typing
from collections.abc import Callable
from typing import Any

import numpy as np

from visgrad.trace.codec import SAFE_DTYPES
from visgrad.trace.field_checks import (
    _MARKERS,
    INT64,
    Check,
    Limits,
    ValidationError,
    check_for,
    text_ok,
)
from visgrad.trace.summary import ArraySummary

Predicate = Callable[[Any], bool]


def _holds(check: Check) -> Predicate:
    def ok(v: Any) -> bool:
        try:
            check(v, "")
        except ValidationError:
            return False
        return True

    return ok


class _Gen:
    """Builds the source of one predicate; constants it needs are bound by name."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.env: dict[str, Any] = {"text_ok": text_ok}
        self._names = itertools.count()

    def const(self, value: Any) -> str:
        name = f"_c{next(self._names)}"
        self.env[name] = value
        return name

    def var(self) -> str:
        return f"_v{next(self._names)}"

    def ints(self, v: str, lo: int, hi: int) -> str:
        return f"(type({v}) is int and {lo} <= {v} <= {hi})"

    def expr(self, hint: Any, v: str) -> str:
        """A Python expression true when ``v`` fits ``hint``."""
        lim = self.limits
        origin = typing.get_origin(hint)
        if origin is typing.Annotated:
            marks = [m for m in hint.__metadata__ if isinstance(m, str) and m in _MARKERS]
            if marks and marks[0] in ("tensor-id", "node-id"):
                return self.ints(v, 0, lim.max_id)
            if marks and marks[0] == "dtype":
                return f"(type({v}) is str and {v} in {self.const(SAFE_DTYPES)})"
            if marks and marks[0] == "shape":
                s = self.var()
                return (
                    f"(type({v}) is tuple and len({v}) <= {lim.max_ndim} and "
                    f"all(type({s}) is int and {s} >= 0 for {s} in {v}) and "
                    f"prod({v}) <= {lim.max_numel})"
                )
            if marks:
                return f"{self.const(_holds(check_for(hint, lim)))}({v})"
            return self.expr(hint.__origin__, v)
        if origin in (typing.Union, types.UnionType):
            parts = [self.expr(a, v) for a in typing.get_args(hint) if a is not type(None)]
            none = type(None) in typing.get_args(hint)
            return "(" + " or ".join(([f"{v} is None"] if none else []) + parts) + ")"
        if origin is tuple:
            args = typing.get_args(hint)
            if len(args) == 2 and args[1] is Ellipsis:
                x = self.var()
                item = self.expr(args[0], x)
                return (
                    f"(type({v}) is tuple and len({v}) <= {lim.max_items} "
                    f"and all({item} for {x} in {v}))"
                )
            items = " and ".join(self.expr(a, f"{v}[{i}]") for i, a in enumerate(args))
            return f"(type({v}) is tuple and len({v}) == {len(args)} and {items})"
        if hint is int:
            return self.ints(v, -INT64, INT64 - 1)
        if hint is bool:
            return f"(type({v}) is bool)"
        if hint is str:
            return (
                f"(type({v}) is str and len({v}) <= {lim.max_string} "
                f"and ({v}.isascii() or text_ok({v})))"
            )
        if hint is type(None):
            return f"({v} is None)"
        if hint is np.ndarray:
            dtypes = self.const(frozenset(np.dtype(d) for d in SAFE_DTYPES))
            other = self.const(_holds(check_for(hint, lim)))
            return (
                f"((type({v}) is np.ndarray and {v}.dtype in {dtypes} "
                f"and {v}.ndim <= {lim.max_ndim}) or (type({v}) is _Summary and {other}({v})))"
            )
        return f"{self.const(_holds(check_for(hint, lim)))}({v})"


def fast_predicate(names_and_hints: list[tuple[str, Any]], limits: Limits) -> Predicate:
    """One function ``ok(event) -> bool`` over the given fields."""
    gen = _Gen(limits)
    gen.env.update(np=np, _Summary=ArraySummary)
    gen.env["prod"] = math.prod
    lines = ["def ok(ev):"]
    for name, hint in names_and_hints:
        v = gen.var()
        lines.append(f"    {v} = ev.{name}")
        args = typing.get_args(hint)
        if typing.get_origin(hint) is tuple and len(args) == 2 and args[1] is Ellipsis:
            # A loop statement, not all(<generator>): most fields are short tuples.
            x = gen.var()
            lines.append(f"    if type({v}) is not tuple or len({v}) > {limits.max_items}:")
            lines.append("        return False")
            lines.append(f"    for {x} in {v}:")
            lines.append(f"        if not {gen.expr(args[0], x)}:")
            lines.append("            return False")
            continue
        lines.append(f"    if not {gen.expr(hint, v)}:")
        lines.append("        return False")
    lines.append("    return True")
    exec("\n".join(lines), gen.env)  # noqa: S102 - source built above from annotations only
    return gen.env["ok"]
