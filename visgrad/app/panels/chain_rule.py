"""The chain-rule panel: the backward node at the cursor, as upstream × local = passed on."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from visgrad import events
from visgrad.app.panels.base import Panel, array_text, short_source
from visgrad.app.panels.chain_step import ChainStep, InputStep, chain_step
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
    """The step as rich text."""
    out = [
        f"<style>{CSS}</style>",
        f"<h3>{html.escape(step.grad_fn)}</h3>",
        f"<div class='muted'>backward of <b>{html.escape(step.op)}</b> "
        f"({html.escape(short_source(step.source))}) · ran {step.executed} time(s)</div>",
        f"<p class='formula'>{html.escape(step.output_name)} = "
        f"{html.escape(step.forward_text)}</p>",
        "<table cellspacing='0' cellpadding='3'>",
        _row(
            f"<b>upstream</b> ∂L/∂{html.escape(step.output_name)}",
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
    who = html.escape(s.tensor_name)
    rows = [
        f"<tr><td><b>→ {html.escape(s.name)}</b> = {who} "
        f"<span class='muted'>shape {_shape(s.input_shape)}</span></td></tr>",
        f"<tr><td class='formula'>∂{html.escape(step.output_name)}/∂{who} = "
        f"{html.escape(s.local_text)}</td></tr>",
        f"<tr><td class='muted'>op table — {html.escape(s.name)}: "
        f"{html.escape(s.formula or '—')}</td></tr>",
    ]
    if s.local is not None:
        rows.append(_row("local", _pre(s.local)))
    if s.product is not None:
        rows.append(_row("upstream × local", _pre(s.product)))
    if s.reduce_dims:
        dims = ", ".join(str(d) for d in s.reduce_dims)
        rows.append(
            _row(
                "Σ broadcast",
                (
                    f"<span class='sum'>{who} {_shape(s.input_shape)} was broadcast to "
                    f"{_shape(step.out_shape)}: its gradient is summed over dim(s) {dims} back to "
                    f"{_shape(s.input_shape)}</span>"
                ),
            )
        )
    if s.passed is None:
        rows.append(_row("passed on", f"nothing: {who} does not require grad"))
    else:
        rows.append(_row("passed on", _pre(s.passed)))
    if s.matches is True:
        rows.append(_row("", "<span class='ok'>✓ upstream × local = passed on</span>"))
    elif s.matches is False:
        rows.append(
            _row(
                "",
                "<span class='bad'>✗ upstream × local differs from what the engine "
                "passed on</span>",
            )
        )
    return (
        "<table width='100%' cellspacing='0' cellpadding='3' border='0' bgcolor='#f3f5f9' "
        "style='margin-top:8px;'>" + "".join(rows) + "</table>"
    )


class ChainRulePanel(Panel):
    """The node being executed at the cursor (else the selected node's last execution)."""

    def __init__(self, controller: Any, parent: QWidget | None = None) -> None:
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
        key = self.controller.selection or ""
        if key.startswith("f"):
            try:
                return int(key[1:]), ""
            except ValueError:
                return None, ""
        return None, ""

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
