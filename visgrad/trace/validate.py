"""The one gate for events from outside: frames from the child and the lines of a ``.vgtrace``.

Both the session's frame reader and the trace loader pass every decoded event through an
``EventValidator`` before the trace model sees it. The contract: whatever passes renders in every
view and export without an exception, so everything downstream may trust the model.

What is checked, and where it comes from:

- **Every field, from its annotation** in ``visgrad/events.py``. ``int`` is an int (not a bool)
  within 64 bits, ``float`` an int or float, ``bool`` a bool, ``str`` a string of at most
  ``Limits.max_string`` characters that encodes as UTF-8 (no lone surrogates), ``X | None``,
  ``tuple[X, ...]`` (at most ``Limits.max_items`` items), ``tuple[A, B]``, ``Array`` (an allowed
  dtype, at most 64 dimensions, or an ``ArraySummary`` whose numbers are sane) and
  ``dict[str, Any]`` / ``Any`` (plain JSON: bounded depth and size, no arrays).
- **Meaning, from ``Annotated`` markers**: ``TensorId`` and ``NodeId`` are ids in
  ``0 .. 2**53`` (0: the engine names no id), ``Shape`` is at most 64 non-negative sizes whose product is bounded, ``DType``
  names an allowed dtype.
- **Cross-references and order**, per event kind (``EventValidator._rules``): seqs go back at most
  ``SEQ_WINDOW`` (a program's threads race to send), a seq that keys a graph node is not repeated,
  a recorded op's node id is new, an op's outputs are distinct, values have the shape and dtype
  their event declares, a failed call names a shape and dtype per input, and a paused program's
  variable rows belong to a variable before them (one level deep) in a known scope. Ids an event refers to need not have been seen: tensors made before
  recording began, a ``.grad`` tensor and nodes made inside a backward pass are never announced,
  and the fold keeps them as placeholders.

Adding a field to an event needs nothing here: its annotation is read when the validator is first
built. Give an id the ``TensorId`` / ``NodeId`` annotation, a shape ``Shape``, a dtype ``DType``.
A field whose rule goes beyond its type (an id that must refer to something already seen, a length
that must match another field) gets a line in ``_rules`` for its event kind; a new marker gets an
entry in ``field_checks._MARKERS`` (and, to stay fast, an inline form in ``fast_checks``; without
one it is checked through its field check). A new kind of annotation that neither module knows
fails loudly when the validator is built, never silently passes.

The field checks live in ``field_checks.py``; ``fast_checks.py`` compiles the same annotations into
one inline test per event class (a valid event costs ~3 µs), and the field checks run only to name
what is wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from visgrad import events as ev_
from visgrad.trace.codec import short
from visgrad.trace.fast_checks import fast_predicate
from visgrad.trace.field_checks import (
    _ARRAY_DTYPES,
    LIMITS,
    Check,
    Limits,
    ValidationError,
    field_checks,
    field_hints,
)
from visgrad.trace.summary import ArraySummary

__all__ = ["EventValidator", "Limits", "ValidationError", "check_event", "field_checks"]


_Checks = tuple[Callable[[Any], bool], tuple[tuple[str, str, Check], ...]]
_CHECKS: dict[tuple[type, Limits], _Checks] = {}


def _checks_of(cls: type, limits: Limits) -> _Checks:
    kind = getattr(cls, "kind", None)
    if not isinstance(kind, str) or ev_.EVENT_TYPES.get(kind) is not cls:
        raise ValidationError(f"not an event visgrad knows: {short(cls)}")
    hints = field_hints(cls)
    slow = tuple(
        (name, f"{cls.kind} event field {name!r}", check)
        for name, check in field_checks(cls, limits)
    )
    return fast_predicate(hints, limits), slow


def check_event(ev: ev_.Event, limits: Limits = LIMITS) -> None:
    """Check every field of ``ev`` against its annotation (no cross-references)."""
    cls = type(ev)
    checks = _CHECKS.get((cls, limits))
    if checks is None:
        checks = _CHECKS[(cls, limits)] = _checks_of(cls, limits)
    fast, slow = checks
    if fast(ev):
        return
    for name, label, check in slow:  # find and name what is wrong
        check(getattr(ev, name), label)


# -- order and cross-references -------------------------------------------------------------------
# Seqs are taken before an event is sent, so a program's threads (and the child's own error
# report) may deliver them slightly out of order; beyond this distance back, a seq is refused.
SEQ_WINDOW = 4096


def _makes_synthetic_id(ev: ev_.Event) -> bool:
    """Whether the fold keys a graph node of ``ev`` by ``-seq`` (see ``trace/fold.py``)."""
    if type(ev) is ev_.ForwardOp:
        return ev.node is None
    if type(ev) is ev_.ProgramError:
        return bool(ev.op)
    return type(ev) is ev_.InplaceUpdate and ev.recorded and ev.node is not None


class EventValidator:
    """Checks a run's events in order: each event's fields, then its place among those before.

    ``check(ev)`` raises ``ValidationError`` (a ``CodecError``) with a one-line message; after a
    failure the validator must not be used for the same run again.
    """

    def __init__(self, limits: Limits = LIMITS) -> None:
        self.limits = limits
        self.count = 0
        self._max_seq = 0
        self._synthetic: set[int] = set()  # recent seqs that key a graph node (``-seq``)
        self._nodes: set[int] = set()  # node ids of recorded ops (graph function nodes)
        self._rules: dict[type, Callable[[Any], None]] = {
            ev_.ForwardOp: self._forward,
            ev_.InplaceUpdate: self._inplace,
            ev_.TensorCreated: self._created,
            ev_.RunState: self._run,
            ev_.ProgramError: self._error,
        }

    def check(self, ev: ev_.Event) -> None:
        """Validate the next event of the run."""
        check_event(ev, self.limits)
        seq = ev.seq
        if not 1 <= seq <= self.limits.max_id:
            _refuse(ev, f"has a seq outside 1 .. {self.limits.max_id}")
        if seq <= self._max_seq - SEQ_WINDOW:
            _refuse(ev, f"comes long after seq {self._max_seq}")
        if _makes_synthetic_id(ev):
            if seq in self._synthetic:
                _refuse(ev, "repeats the seq of an earlier op")
            self._synthetic.add(seq)
            if len(self._synthetic) > 2 * SEQ_WINDOW:
                low = self._max_seq - SEQ_WINDOW
                self._synthetic = {s for s in self._synthetic if s > low}
        rule = self._rules.get(type(ev))
        if rule is not None:
            rule(ev)
        if seq > self._max_seq:
            self._max_seq = seq
        self.count += 1

    def _new_node(self, ev: Any) -> None:
        if ev.node in self._nodes:
            _refuse(ev, f"reuses node id {ev.node} of an earlier op")
        self._nodes.add(ev.node)

    def _forward(self, ev: ev_.ForwardOp) -> None:
        n = len(ev.outputs)
        if len(ev.shapes) != n or len(ev.dtypes) != n or len(ev.values) not in (0, n):
            _refuse(
                ev,
                f"has {n} outputs but {len(ev.shapes)} shapes, {len(ev.dtypes)} dtypes "
                f"and {len(ev.values)} values",
            )
        if n > 1 and len(set(ev.outputs)) != n:
            _refuse(ev, "names one output tensor twice")
        for i, v in enumerate(ev.values):
            _agree(ev, v, ev.shapes[i], ev.dtypes[i], f" output {i}")
        if ev.node is not None:
            self._new_node(ev)

    def _inplace(self, ev: ev_.InplaceUpdate) -> None:
        if ev.recorded and ev.node is not None:
            self._new_node(ev)

    def _created(self, ev: ev_.TensorCreated) -> None:
        if ev.value is not None:
            _agree(ev, ev.value, ev.shape, ev.dtype, "")

    def _error(self, ev: ev_.ProgramError) -> None:
        n = len(ev.inputs)
        if len(ev.input_shapes) != n or len(ev.input_dtypes) != n:
            _refuse(
                ev,
                f"names {n} inputs but {len(ev.input_shapes)} shapes and "
                f"{len(ev.input_dtypes)} dtypes",
            )

    def _run(self, ev: ev_.RunState) -> None:
        rows = ev.variables
        for i, (parent, scope, *_rest) in enumerate(rows):
            if scope not in _SCOPES:
                _refuse(ev, f"names variable scope {short(scope)} (not locals or globals)")
            if parent != -1 and not (0 <= parent < i and rows[parent][0] == -1):
                _refuse(
                    ev, f"variable {i} belongs to row {parent}, which is not a variable before it"
                )


_SCOPES = frozenset({"locals", "globals"})


def _refuse(ev: ev_.Event, what: str) -> None:
    raise ValidationError(f"{ev.kind} event (seq {ev.seq}) {what}")


def _agree(ev: ev_.Event, v: Any, shape: tuple[int, ...], dtype: str, which: str) -> None:
    """A value must have the shape and dtype its event declares."""
    got_dtype = v.dtype if type(v) is ArraySummary else _ARRAY_DTYPES[v.dtype]
    if v.shape != shape or got_dtype != dtype:
        got, said = f"{got_dtype}{list(v.shape)}", f"{dtype}{list(shape)}"
        _refuse(ev, f"{which}: its value is {got}, the event says {said}")
