"""A memory budget set by the user keeps the trace's arrays bounded; the CLI validates it."""

import pytest

import visgrad as torch
from visgrad import cli, events
from visgrad.app.controller import Controller
from visgrad.trace import budget


def _events():
    with events.Recorder() as rec:
        w = torch.randn(50, 50, requires_grad=True)
        for _ in range(20):
            (w * w).sum().backward()
    return rec.events


def test_controller_applies_its_budget_to_opened_traces(qtbot):
    evs = _events()
    unlimited = Controller()
    unlimited.open_events(evs, "run.vgtrace")
    limited = Controller(memory_budget_bytes=100_000)
    limited.open_events(evs, "run.vgtrace")
    assert unlimited.model.dropped_payloads == 0
    assert limited.model.dropped_payloads > 0
    assert limited.model.payload_bytes <= 100_000 < unlimited.model.payload_bytes
    # Time travel still works on the summarised past.
    limited.go_to(5)
    assert limited.state().tensors


@pytest.mark.parametrize(
    "budget, status, message",
    [
        ("0", 1, "--memory-budget must be a positive number"),
        ("lots", 2, "invalid float value: 'lots'"),
    ],
    ids=["non_positive", "non_number"],
)
def test_cli_refuses_a_bad_budget(capsys, budget, status, message):
    assert cli.main(["--memory-budget", budget]) == status
    assert message in capsys.readouterr().err


def test_the_app_has_a_budget_unless_told_otherwise(qtbot):
    c = Controller()
    assert c.memory_budget_bytes == budget.default_budget()
    assert c.model.memory_budget_bytes == c.memory_budget_bytes
    c.open_events(_events(), "run.vgtrace")
    assert c.model.memory_budget_bytes == budget.default_budget()
    assert Controller(memory_budget_bytes=None).model.memory_budget_bytes is None
