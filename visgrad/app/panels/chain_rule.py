"""The chain-rule panel: the backward node at the cursor, as ∂loss/∂x = ∂loss/∂y · ∂y/∂x."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from visgrad import events
from visgrad.app.panels.base import Panel, array_text, short_source
from visgrad.app.protocols import PanelController
from visgrad.trace.chain_step import ChainStep, InputStep, chain_step
from visgrad.trace.keys import function_id
from visgrad.trace.state import State

CSS = """
body { font-family: 'DejaVu Sans'; font-size: 9.5pt; color: #1d2330; }
h3 { margin: 0 0 4px 0; font-size: 11pt; }
.muted { color: #6b7280; }
.formula { font-family: 'DejaVu Serif'; font-size: 12pt; color: #1e3a8a; }
.box { border: 1px solid #d6dae1; background: #f8f9fb; padding: 6px; margin: 6px 0; }
pre { font-family: 'DejaVu Sans Mono'; font-size: 8.5pt; margin: 2px 0 2px 12px; }
.ok { color: #15803d; font-weight: 600; } .bad { color: #b91c1c; font-weight: 600; }
.sum { color: #9a3412; }
.lab { color: #4b5563; white-space: nowrap; padding-right: 6px; }
"""


def _pre(a: Any) -> str:
    return f"<pre>{html.escape(array_text(a))}</pre>"


def _shape(shape: tuple[int, ...] | None) -> str:
    return "?" if shape is None else str(tuple(shape))


def render(step: ChainStep) -> str:
    """The step as rich text: ∂loss/∂x = ∂loss/∂y · ∂y/∂x for each input, with the numbers."""
    root, y = html.escape(step.root_name), html.escape(step.output_name)
    out = [
        f"<style>{CSS}</style>",
        f"<h3>{html.escape(step.grad_fn)}</h3>",
        f"<div class='muted'>backward of <b>{html.escape(step.op)}</b> "
        f"({html.escape(short_source(step.source))}) · ran {step.executed} time(s)</div>",
        f"<p class='formula'>{html.escape(step.forward_text)}</p>",
        "<table cellspacing='0' cellpadding='3'>",
        _row(
            f"<b>upstream</b> ∂{root}/∂{y}",
            f"<span class='muted'>shape {_shape(step.out_shape)}</span>{_pre(step.upstream)}",
        ),
        "</table>",
    ]
    if step.legend:
        out.append(f"<div class='muted'>where {html.escape(step.legend)}</div>")
    for s in step.inputs:
        out.append(_input_html(step, s))
    return "".join(out)


def _row(label: str, body: str) -> str:
    """A label over its numbers (stacked, so a narrow dock still shows whole rows)."""
    head = f"<tr><td class='lab'>{label}</td></tr>" if label else ""
    return f"{head}<tr><td>{body}</td></tr>"


def _input_html(step: ChainStep, s: InputStep) -> str:
    root, y = html.escape(step.root_name), html.escape(step.output_name)
    who = html.escape(s.tensor_name)
    rows = [
        f"<tr><td><b>→ {who}</b> <span class='muted'>shape {_shape(s.input_shape)} · "
        f"the op's {html.escape(s.name)}</span></td></tr>",
        f"<tr><td class='formula'>{html.escape(s.equation)}</td></tr>",
    ]
    if s.local_text is not None:
        rows.append(f"<tr><td class='formula'>∂{y}/∂{who} = {html.escape(s.local_text)}</td></tr>")
    rows.append(f"<tr><td class='formula'>{html.escape(s.formula)}</td></tr>")
    for name, value in s.operands:
        rows.append(_row(f"with {html.escape(name)}", _pre(value)))
    if s.local is not None:
        rows.append(_row(f"local ∂{y}/∂{who}", _pre(s.local)))
    if s.computed is not None:
        rows.append(_row(f"computed ∂{root}/∂{who}", _pre(s.computed)))
    if s.reduce_dims:
        dims = ", ".join(str(d) for d in s.reduce_dims)
        rows.append(
            _row(
                "Σ broadcast",
                f"<span class='sum'>{who} {_shape(s.input_shape)} was broadcast to "
                f"{_shape(step.out_shape)}: its gradient is summed over dim(s) {dims}</span>",
            )
        )
    if s.passed is not None:
        rows.append(_row("passed on by the engine", _pre(s.passed)))
    rows.append(_row("", _verdict(s)))
    return (
        "<table width='100%' cellspacing='0' cellpadding='3' border='0' bgcolor='#f3f5f9' "
        "style='margin-top:8px;'>" + "".join(rows) + "</table>"
    )


def _verdict(s: InputStep) -> str:
    """✓ only when the formula was computed, is finite, and equals what the engine sent."""
    if s.matches:
        return "<span class='ok'>✓ the formula's numbers equal what the engine passed on</span>"
    if s.status.startswith("not finite"):
        return f"<span class='bad'>⚠ {html.escape(s.status)}</span>"
    if s.matches is False:
        return f"<span class='bad'>✗ {html.escape(s.status)}</span>"
    return f"<span class='muted'>{html.escape(s.status)}</span>"


class ChainRulePanel(Panel):
    """The node being executed at the cursor (else the selected node's last execution)."""

    def __init__(self, controller: PanelController, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self.view = QTextBrowser()
        self.view.setOpenLinks(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.view)
        self.step: ChainStep | None = None

    def _node(self, state: State) -> tuple[int | None, str]:
        ev = state.event
        if isinstance(ev, events.BackwardNode):
            if ev.tensor is not None:
                return None, self._accumulate_text(state, ev)
            return ev.node, ""
        return function_id(self.controller.selection or ""), ""

    def _accumulate_text(self, state: State, ev: events.BackwardNode) -> str:
        t = state.tensors.get(ev.tensor) if ev.tensor is not None else None
        name = t.name if t else f"t{ev.tensor}"
        g = ev.grads_in[0] if ev.grads_in else None
        return (
            f"<style>{CSS}</style><h3>AccumulateGrad</h3><p>Adds the incoming gradient to "
            f"<b>{html.escape(name)}.grad</b> (see the grad ledger).</p>incoming{_pre(g)}"
        )

    def refresh(self) -> None:
        state = self.controller.state()
        node, text = self._node(state)
        fs = state.functions.get(node) if node is not None else None
        if fs is None or (not fs.executed and not text):
            self.step = None
            self.view.setHtml(
                text
                or (
                    f"<style>{CSS}</style><p class='muted'>The chain rule shows here while backward "
                    "runs a node, or for a selected function node after backward has run it.</p>"
                )
            )
            return
        self.step = chain_step(state, fs)
        self.view.setHtml(render(self.step))
