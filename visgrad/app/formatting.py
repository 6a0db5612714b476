"""Short texts for the graph and the event list: array previews, norms, event one-liners (no Qt)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from visgrad import events
from visgrad.trace.caps import clip
from visgrad.trace.horizon import FORGOTTEN
from visgrad.trace.summary import ArraySummary


def fmt_num(x: float, digits: int = 4) -> str:
    """A number in at most ~7 characters: 0.5, -1.25, 3.1e-05, nan, inf."""
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"
    ax = abs(x)
    if ax >= 1e4 or ax < 1e-3:
        return f"{x:.1e}"
    return f"{x:.{digits}g}"


def _flat(a: np.ndarray | ArraySummary) -> tuple[list[float], int]:
    if isinstance(a, ArraySummary):
        return list(a.preview), a.size
    flat = np.asarray(a).reshape(-1)
    return [float(v) for v in flat[:8]], int(flat.size)


def preview(a: np.ndarray | ArraySummary | None, limit: int = 4, digits: int = 4) -> str:
    """``[1, 0.5, -2, …]`` for arrays, the number for scalars, ``None`` for None."""
    if a is None:
        return "None"
    vals, size = _flat(a)
    if isinstance(a, np.ndarray) and a.ndim == 0 and vals:
        return fmt_num(vals[0], digits)
    shown = ", ".join(fmt_num(v, digits) for v in vals[:limit])
    return f"[{shown}{', …' if size > limit else ''}]"


def norm(a: np.ndarray | ArraySummary | None) -> float | None:
    """Euclidean norm (finite entries for a summary), None for None."""
    if a is None:
        return None
    if isinstance(a, ArraySummary):
        return a.norm
    with np.errstate(all="ignore"):
        return float(np.sqrt(np.sum(np.square(np.asarray(a, dtype=np.float64)))))


def shape_text(shape: tuple[int, ...]) -> str:
    """``(5, 3)``, ``()`` for scalars."""
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def grad_line(grad: Any, contributions: int) -> tuple[str, str]:
    """The leaf's gradient row: a preview, and its norm with how many contributions were summed."""
    if grad is None:
        return "grad None", ""
    n = norm(grad)
    count = f" ×{contributions}" if contributions else ""
    return f"∇ {preview(grad, 2, 3)}", f"‖{fmt_num(n if n is not None else 0.0, 3)}‖{count}"


def _short_src(source: tuple[str, int, str] | None) -> str:
    if not source:
        return ""
    return f"  · line {source[1]}"


def describe(
    ev: events.Event,
    names: Mapping[int, str] | None = None,
    outputs: Callable[[int], tuple[int, ...]] | None = None,
) -> str:
    """One line for the event list; tensors show the program's ``names`` where it has one.

    ``outputs(node)``: the forward outputs of a backward node (``TraceModel.outputs_of``), so its
    row can show the gradient each received (d(loss)/d(output)).
    """
    names = names or {}

    def t(tid: int) -> str:
        return names.get(tid) or f"t{tid}"

    if isinstance(ev, events.TensorCreated) and ev.base is not None:
        # ``w.data`` / ``w.detach()``: the same memory as ``w`` (a write to either is to both).
        call = "data" if ev.op == "data" else f"{ev.op}()"
        return f"alias  {t(ev.tensor)} = {t(ev.base)}.{call}{_short_src(ev.source)}"
    if isinstance(ev, events.TensorCreated):
        rg = ", requires_grad" if ev.requires_grad else ""
        return f"create  {t(ev.tensor)} = {ev.op}{shape_text(ev.shape)}{rg}{_short_src(ev.source)}"
    if isinstance(ev, events.ForwardOp):
        outs = ", ".join(t(o) for o in ev.outputs)
        ins = ", ".join("·" if i is None else t(i) for i in ev.inputs)
        fn = f"  [{ev.grad_fn}]" if ev.grad_fn else ""
        return f"forward  {outs} = {ev.op}({ins}){fn}{_short_src(ev.source)}"
    if isinstance(ev, events.InplaceUpdate):
        return f"in-place  {t(ev.tensor)}.{ev.op}  v{ev.version}{_short_src(ev.source)}"
    if isinstance(ev, events.BackwardBegin):
        roots = ", ".join(t(r) for r in ev.roots)
        return f"backward begins  {ev.api}({roots})"
    if isinstance(ev, events.BackwardNode):
        outs = (ev.tensor,) if ev.tensor is not None else (outputs(ev.node) if outputs else ())
        got = [
            f"∇{t(o)} ‖{fmt_num(norm(g) or 0.0)}‖"
            for o, g in zip(outs, ev.grads_in, strict=False)
            if g is not None
        ]
        return f"backward  {ev.name}  (f{ev.node})" + ("  " + "  ".join(got) if got else "")
    if isinstance(ev, events.GradAccumulated):
        n = norm(ev.contribution)
        new = "  (new)" if ev.created else ""
        return f"grad +=  {t(ev.tensor)}  ‖{fmt_num(n or 0.0)}‖{new}"
    if isinstance(ev, events.GradReset):
        return f"grad reset  {t(ev.tensor)}  → {ev.how}"
    if isinstance(ev, events.SavedReleased):
        return f"saved freed  f{ev.node}  ({', '.join(ev.names)})"
    if isinstance(ev, events.HookFired):
        return f"hook  {t(ev.tensor)}  {ev.hook}{'  (replaced grad)' if ev.replaced else ''}"
    if isinstance(ev, events.BackwardEnd):
        return "backward ends" + ("" if ev.ok else " (failed)")
    if isinstance(ev, events.Anomaly):
        return f"anomaly  {ev.message or ev.name}"
    if isinstance(ev, events.TensorNamed):
        return f"name  t{ev.tensor} = {ev.name}"
    if isinstance(ev, events.OptimizerStep):
        lrs = ", ".join(fmt_num(lr) for lr in ev.lrs)
        return f"optimizer  {ev.optimizer}.step()  lr {lrs}{_short_src(ev.source)}"
    if isinstance(ev, events.Output):
        # Continuation lines of a tensor repr are indented; one space reads better in one row.
        text = " ⏎ ".join(line.strip() for line in ev.text[:400].rstrip("\n").split("\n"))
        return f"print  {text[:80]}"
    if isinstance(ev, events.ProgramError):
        return f"error  {ev.exc_type}: {clip(ev.message, 300)}"
    if ev is FORGOTTEN:
        return "forgotten  (let go to stay within the memory budget)"
    if isinstance(ev, events.RunState):
        return f"run  {ev.state} {ev.reason}".rstrip()
    return ev.kind


def event_category(ev: events.Event) -> str:
    """A coarse class for colouring the event list: forward, backward, grad, error, other."""
    if isinstance(ev, (events.TensorCreated, events.ForwardOp, events.InplaceUpdate)):
        return "forward"
    if isinstance(ev, (events.BackwardBegin, events.BackwardNode, events.BackwardEnd)):
        return "backward"
    if isinstance(ev, (events.GradAccumulated, events.GradReset, events.HookFired)):
        return "grad"
    if isinstance(ev, (events.ProgramError, events.Anomaly)):
        return "error"
    return "other"
