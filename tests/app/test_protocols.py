"""Every controller keeps the panels' contract (``visgrad/app/protocols.py``)."""

from __future__ import annotations

from visgrad.app.controller import Controller
from visgrad.app.protocols import ControllerSignals, PanelController
from visgrad.trace.model import TraceModel

from .panel_harness import StaticController


def test_the_app_and_the_harness_controllers_keep_the_panel_contract(qapp):
    app_controller = Controller()
    try:
        assert isinstance(app_controller, PanelController)
    finally:
        app_controller.shutdown()
    assert isinstance(StaticController(TraceModel()), PanelController)


def test_signals_alone_are_not_a_panel_controller(qapp):
    # no model, no cursor, no selection: a panel could not run over it
    assert not isinstance(ControllerSignals(), PanelController)
