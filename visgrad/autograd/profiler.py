"""``torch.autograd.profiler``: where a program's time goes, op by op.

``with profile() as prof: ...`` times every op the engine runs inside the block (``aten::addmm``,
``aten::relu``), every backward node (``autograd::engine::evaluate_function: AddmmBackward0``)
and every ``record_function("label")`` range; ``prof.key_averages().table()`` prints PyTorch's
table of self and total CPU time per name. Times are wall-clock of this process; nested ranges
give their time to their parent's total but not to its self time.

While no profiler is active the engine runs untouched: entering the first profiler wraps the op
classes' ``forward`` and the engine's node call with a timer, leaving the last one unwraps them.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable, Iterable
from typing import Any

from visgrad.autograd import engine
from visgrad.ops import base
from visgrad.ops.base import Op
from visgrad.tensor import Tensor

__all__ = ["EventList", "FunctionEvent", "FunctionEventAvg", "profile", "record_function"]

_ACTIVE: list[profile] = []  # innermost last
_OPEN: list[FunctionEvent] = []  # ranges being timed, innermost last
_PATCHED: list[tuple[Any, str, Any]] = []  # (owner, attribute, original)


class FunctionEvent:
    """One timed range: an op call, a backward node or a ``record_function`` block."""

    __slots__ = ("name", "start_ns", "end_ns", "input_shapes", "children", "parent", "owner")

    def __init__(self, name: str, input_shapes: list[Any], owner: object = None) -> None:
        self.name = name
        self.input_shapes = input_shapes
        self.children: list[FunctionEvent] = []
        self.parent: FunctionEvent | None = None
        self.owner = owner  # the node timed, so a forward calling its base's is one range
        self.start_ns = time.perf_counter_ns()
        self.end_ns = self.start_ns

    @property
    def key(self) -> str:
        return self.name

    @property
    def count(self) -> int:
        return 1

    @property
    def cpu_time_total(self) -> float:
        """Microseconds from start to end, nested ranges included."""
        return (self.end_ns - self.start_ns) / 1000

    @property
    def self_cpu_time_total(self) -> float:
        """Microseconds spent in this range and not in a nested one."""
        return max(self.cpu_time_total - sum(c.cpu_time_total for c in self.children), 0.0)

    cpu_time = cpu_time_total

    def __repr__(self) -> str:
        return (
            f"<FunctionEvent name={self.name} cpu_time={_format_time(self.cpu_time_total)} "
            f"self_cpu_time={_format_time(self.self_cpu_time_total)} "
            f"input_shapes={self.input_shapes}>"
        )


class FunctionEventAvg:
    """The events of one name (and input shapes, if grouped by them) added up."""

    def __init__(self, key: str, input_shapes: list[Any]) -> None:
        self.key = key
        self.input_shapes = input_shapes
        self.count = 0
        self.cpu_time_total = 0.0
        self.self_cpu_time_total = 0.0

    def add(self, e: FunctionEvent | FunctionEventAvg) -> None:
        self.count += e.count
        self.cpu_time_total += e.cpu_time_total
        self.self_cpu_time_total += e.self_cpu_time_total

    @property
    def cpu_time(self) -> float:
        """Average microseconds per call."""
        return self.cpu_time_total / self.count if self.count else 0.0

    @property
    def self_cpu_time(self) -> float:
        return self.self_cpu_time_total / self.count if self.count else 0.0

    def __repr__(self) -> str:
        return (
            f"<FunctionEventAvg key={self.key} self_cpu_time="
            f"{_format_time(self.self_cpu_time_total)} cpu_time={_format_time(self.cpu_time)} "
            f"input_shapes={self.input_shapes}>"
        )


class EventList(list):
    """Events (or their averages) with PyTorch's ``table()``."""

    def __init__(self, events: Iterable[Any] = (), group_by_input_shape: bool = False) -> None:
        super().__init__(events)
        self._shapes = group_by_input_shape

    @property
    def self_cpu_time_total(self) -> float:
        return sum(e.self_cpu_time_total for e in self)

    def key_averages(self, group_by_input_shape: bool = False) -> EventList:
        groups: dict[tuple[str, str], FunctionEventAvg] = {}
        for e in self:
            shapes = str(e.input_shapes) if group_by_input_shape else ""
            avg = groups.get((e.key, shapes))
            if avg is None:
                avg = groups[(e.key, shapes)] = FunctionEventAvg(e.key, e.input_shapes)
            avg.add(e)
        return EventList(groups.values(), group_by_input_shape)

    def total_average(self) -> FunctionEventAvg:
        total = FunctionEventAvg("Total", [])
        for e in self:
            total.add(e)
        return total

    def table(
        self,
        sort_by: str | None = None,
        row_limit: int = 100,
        max_src_column_width: int = 75,
        max_name_column_width: int = 55,
        max_shapes_column_width: int = 80,
        header: str | None = None,
        top_level_events_only: bool = False,
        **_: Any,
    ) -> str:
        """PyTorch's table: name, self CPU % and time, CPU total % and time, average, calls."""
        rows = list(self)
        if top_level_events_only:
            rows = [e for e in rows if getattr(e, "parent", None) is None]
        if sort_by is not None:
            rows.sort(key=lambda e: getattr(e, sort_by, 0.0), reverse=True)
        rows = rows[:row_limit] if row_limit is not None and row_limit >= 0 else rows
        total = self.self_cpu_time_total
        name_width = min(max((len(e.key) for e in self), default=4) + 4, max_name_column_width)
        widths = [name_width] + [12] * 6
        heads = ["Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg"]
        heads.append("# of Calls")
        if self._shapes:
            shape_width = min(
                max((len(str(e.input_shapes)) for e in self), default=12) + 4,
                max_shapes_column_width,
            )
            widths.append(shape_width)
            heads.append("Input Shapes")
        rule = "".join("-" * w + "  " for w in widths)
        lines = []
        if header is not None:
            lines += ["=" * len(rule), header]
        lines += [rule, _row(heads, widths), rule]
        for e in rows:
            name = e.key if len(e.key) <= name_width - 4 else e.key[: name_width - 7] + "..."
            cells = [
                name,
                _percent(e.self_cpu_time_total, total),
                _format_time(e.self_cpu_time_total),
                _percent(e.cpu_time_total, total),
                _format_time(e.cpu_time_total),
                _format_time(e.cpu_time_total / e.count if e.count else 0.0),
                str(e.count),
            ]
            if self._shapes:
                cells.append(str(e.input_shapes)[: widths[-1] - 4])
            lines.append(_row(cells, widths))
        lines += [rule, f"Self CPU time total: {_format_time(total)}"]
        return "\n".join(lines) + "\n"

    def export_chrome_trace(self, path: str) -> None:
        """Write the events as a Chrome trace (``chrome://tracing``, Perfetto)."""
        events = [
            {
                "name": e.name,
                "ph": "X",
                "ts": e.start_ns / 1000,
                "dur": e.cpu_time_total,
                "pid": 0,
                "tid": 0,
                "args": {"Input Shapes": e.input_shapes},
            }
            for e in self
            if isinstance(e, FunctionEvent)
        ]
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"traceEvents": events}, f)

    def __str__(self) -> str:
        return self.table()


def _row(cells: list[str], widths: list[int]) -> str:
    return "".join(f"{c:>{w}}  " for c, w in zip(cells, widths, strict=True))


def _percent(part: float, whole: float) -> str:
    return f"{part / whole * 100:.2f}%" if whole else "0.00%"


def _format_time(us: float) -> str:
    if us >= 1e6:
        return f"{us / 1e6:.3f}s"
    if us >= 1e3:
        return f"{us / 1e3:.3f}ms"
    return f"{us:.3f}us"


class profile:  # noqa: N801 - PyTorch's name
    """Time the ops run inside ``with profile() as prof:``; read them with ``key_averages()``."""

    def __init__(
        self,
        enabled: bool = True,
        *,
        use_cuda: bool = False,
        use_device: str | None = None,
        record_shapes: bool = False,
        with_flops: bool = False,
        profile_memory: bool = False,
        with_stack: bool = False,
        with_modules: bool = False,
        use_kineto: bool = False,
        use_cpu: bool = True,
        **_: Any,
    ) -> None:
        self.enabled = enabled
        self.record_shapes = record_shapes
        self.function_events = EventList()
        self._recording = False

    def __enter__(self) -> profile:
        if self.enabled:
            self._start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._recording:
            self._stop()

    def _start(self) -> None:
        if not _ACTIVE:
            _patch()
        _ACTIVE.append(self)
        self._recording = True

    def _stop(self) -> None:
        self._recording = False
        if self in _ACTIVE:
            _ACTIVE.remove(self)
        if not _ACTIVE:
            _unpatch()

    def key_averages(self, group_by_input_shape: bool = False, **_: Any) -> EventList:
        return self.function_events.key_averages(group_by_input_shape)

    def events(self) -> EventList:
        return self.function_events

    def table(self, *args: Any, **kwargs: Any) -> str:
        return self.function_events.table(*args, **kwargs)

    def total_average(self) -> FunctionEventAvg:
        return self.function_events.total_average()

    @property
    def self_cpu_time_total(self) -> float:
        return self.function_events.self_cpu_time_total

    def export_chrome_trace(self, path: str) -> None:
        self.function_events.export_chrome_trace(path)

    def __str__(self) -> str:
        return str(self.function_events)


class record_function:  # noqa: N801 - PyTorch's name
    """A labelled range in the profile: ``with record_function("forward"): ...`` (or a decorator)."""

    def __init__(self, name: str, args: str | None = None) -> None:
        self.name = name
        self._event: FunctionEvent | None = None

    def __enter__(self) -> record_function:
        if _ACTIVE:
            self._event = _open(self.name, [])
        return self

    def __exit__(self, *exc: object) -> None:
        if self._event is not None:
            _close(self._event)
            self._event = None

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def call(*args: Any, **kwargs: Any) -> Any:
            with record_function(self.name):
                return fn(*args, **kwargs)

        return call


def _open(name: str, shapes: list[Any], owner: object = None) -> FunctionEvent:
    e = FunctionEvent(name, shapes, owner)
    if _OPEN:
        e.parent = _OPEN[-1]
        _OPEN[-1].children.append(e)
    _OPEN.append(e)
    for p in _ACTIVE:
        p.function_events.append(e)
    return e


def _close(e: FunctionEvent) -> None:
    e.end_ns = time.perf_counter_ns()
    while _OPEN:  # an exception may have skipped a nested close
        if _OPEN.pop() is e:
            break


def _shapes(args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any]:
    if not any(p.record_shapes for p in _ACTIVE):
        return []
    return [list(a._data.shape) if isinstance(a, Tensor) else [] for a in args] + [
        list(v._data.shape) if isinstance(v, Tensor) else [] for v in kwargs.values()
    ]


def _timed_forward(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def forward(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not _ACTIVE or (_OPEN and _OPEN[-1].owner is self):
            return original(self, *args, **kwargs)
        e = _open("aten::" + type(self).op_name, _shapes(args, kwargs), self)
        try:
            return original(self, *args, **kwargs)
        finally:
            _close(e)

    return forward


def _timed_node_call(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def call(node: Any, grads: list[Any]) -> Any:
        if not _ACTIVE:
            return original(node, grads)
        e = _open(f"autograd::engine::evaluate_function: {node.name()}", [], node)
        try:
            return original(node, grads)
        finally:
            _close(e)

    return call


def _patch() -> None:
    seen: set[type] = set()
    stack = [Op]
    while stack:
        cls = stack.pop()
        stack.extend(c for c in cls.__subclasses__() if c not in seen)
        seen.add(cls)
        original = cls.__dict__.get("forward")
        if original is not None and getattr(cls, "op_name", None):
            _PATCHED.append((cls, "forward", original))
            cls.forward = _timed_forward(original)
    _PATCHED.append((engine, "_call_node", engine._call_node))
    engine._call_node = _timed_node_call(engine._call_node)
    base.OBSERVED.append(_patch)  # ops that would skip their node run it, to be timed


def _unpatch() -> None:
    base.OBSERVED.clear()
    while _PATCHED:
        owner, name, original = _PATCHED.pop()
        setattr(owner, name, original)
    _OPEN.clear()
