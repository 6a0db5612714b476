"""torch.autograd.profiler / torch.profiler: a real profiler of the engine's ops."""

from __future__ import annotations

import json

import pytest

import visgrad as torch
from visgrad import nn
from visgrad.autograd import engine
from visgrad.ops.elementwise import AddBackward0


def _model_step(m: nn.Module, x: torch.Tensor) -> None:
    with torch.autograd.profiler.record_function("model_forward"):
        y = m(x).sum()
    y.backward()


def test_profile_times_ops_backward_nodes_and_labelled_ranges():
    torch.manual_seed(0)
    m = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    with torch.autograd.profiler.profile(record_shapes=True) as prof:
        _model_step(m, torch.randn(16, 4))
    ka = {e.key: e for e in prof.key_averages()}
    assert ka["aten::addmm"].count == 2
    assert ka["aten::relu"].count == 1
    assert ka["model_forward"].count == 1
    assert ka["autograd::engine::evaluate_function: AddmmBackward0"].count == 2
    label = ka["model_forward"]
    inner = sum(ka[k].cpu_time_total for k in ("aten::addmm", "aten::relu", "aten::sum"))
    assert label.cpu_time_total >= inner  # the label's total holds the ops run inside it
    assert label.self_cpu_time_total <= label.cpu_time_total - inner + 1e-6
    total = prof.key_averages().self_cpu_time_total
    assert total == pytest.approx(sum(e.self_cpu_time_total for e in prof.function_events))
    shapes = {str(e.input_shapes) for e in prof.key_averages(group_by_input_shape=True)}
    assert "[[8], [16, 4], [4, 8], [], []]" in shapes


def test_table_has_pytorchs_columns_and_sort_order():
    m = nn.Linear(3, 3)
    with torch.autograd.profiler.profile() as prof:
        for _ in range(3):
            m(torch.ones(2, 3)).sum().backward()
    table = prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=4)
    lines = table.splitlines()
    assert lines[1].split() == [
        "Name", "Self", "CPU", "%", "Self", "CPU", "CPU", "total", "%", "CPU", "total", "CPU",
        "time", "avg", "#", "of", "Calls",
    ]  # fmt: skip
    assert lines[0] == lines[2] == lines[-2] and set(lines[0]) == {"-", " "}
    assert len(lines) == 3 + 4 + 2
    assert lines[-1].startswith("Self CPU time total: ")
    selfs = [e.self_cpu_time_total for e in prof.key_averages()]
    top = max(prof.key_averages(), key=lambda e: e.self_cpu_time_total)
    assert lines[3].split()[0] == top.key.split()[0] and max(selfs) == top.self_cpu_time_total
    assert any(line.split()[0] == "aten::addmm" and line.split()[-1] == "3" for line in lines)


def test_engine_is_unwrapped_after_the_block_even_on_error():
    forward, call = AddBackward0.forward, engine._call_node
    with pytest.raises(ValueError), torch.autograd.profiler.profile():
        assert AddBackward0.forward is not forward
        raise ValueError("user error")
    assert AddBackward0.forward is forward and engine._call_node is call
    with torch.autograd.profiler.profile(enabled=False) as prof:
        torch.ones(2) + 1
    assert len(prof.function_events) == 0


def test_torch_profiler_records_only_the_active_steps_of_its_schedule(tmp_path):
    ready = []
    sched = torch.profiler.schedule(wait=1, warmup=1, active=2, repeat=1)
    with torch.profiler.profile(
        activities=[torch.profiler.ProfilerActivity.CPU],
        schedule=sched,
        on_trace_ready=lambda p: ready.append([e.key for e in p.key_averages()]),
    ) as prof:
        for step in range(6):
            torch.full((2,), float(step)).exp()
            prof.step()
    assert ready == [["aten::exp"]]
    assert prof.key_averages()[0].count == 2  # steps 2 and 3
    path = tmp_path / "trace.json"
    prof.export_chrome_trace(str(path))
    assert [e["name"] for e in json.loads(path.read_text())["traceEvents"]] == ["aten::exp"] * 2


def test_profile_sees_plain_tensor_ops_and_the_ops_inside_backward():
    x = torch.linspace(-1.0, 1.0, 8)
    a = torch.tensor(0.5)
    with torch.autograd.profiler.profile() as prof:
        y = a + a * x + x**2  # no autograd: the ops still run as ops
        y.sum()
        a -= 0.1 * y.sum()
    ka = {e.key: e for e in prof.key_averages()}
    assert ka["aten::mul"].count == 2
    assert ka["aten::add"].count == 1 + 1
    assert ka["aten::pow"].count == 1
    assert ka["aten::sum"].count == 2
    assert ka["aten::sub"].count == 1
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()
    with torch.autograd.profiler.profile() as prof:
        loss.backward()
    ka = {e.key: e for e in prof.key_averages()}
    assert ka["aten::mul"].count == 2  # MulBackward0's two products
    # Leaving the profiler restores the shortcuts.
    from visgrad.ops.base import OBSERVED

    assert not OBSERVED
