"""Every op, new tensor and in-place update names the nn.Module path and classes it ran under."""

from __future__ import annotations

import threading

import pytest

import visgrad as torch
from visgrad import call_site, events, nn
from visgrad.nn import _module_call
from visgrad.trace import codec, files


class Attn(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.proj = nn.Linear(2, 2)

    def forward(self, x):
        return self.proj(x) + torch.zeros(2)


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.attn = Attn()
        self.act = nn.ReLU()

    def forward(self, x):
        return self.act(self.attn(x))


class GPT(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.blocks = nn.ModuleList([Block(), Block()])
        self.head = nn.Linear(2, 1)

    def forward(self, x):
        for b in self.blocks:
            x = b(x)
        x = self.blocks[0].attn.proj(x)  # a grandchild called directly keeps its full path
        return self.head(x).sum()


def scopes(rec, kind=events.ForwardOp):
    return [(e.op, e.module, e.module_classes) for e in rec.of(kind)]


def test_forward_ops_carry_the_dotted_path_and_classes_of_their_module():
    model = GPT()
    with events.Recorder() as rec:
        model(torch.ones(2))
    got = {(m, c) for _, m, c in scopes(rec)}
    assert ("blocks.1.attn.proj", ("GPT", "ModuleList", "Block", "Attn", "Linear")) in got
    assert ("blocks.0.act", ("GPT", "ModuleList", "Block", "ReLU")) in got
    assert ("blocks.0.attn", ("GPT", "ModuleList", "Block", "Attn")) in got
    ops = scopes(rec)
    assert ops[-1] == ("sum", "", ("GPT",))  # the root module's own op: path "", one class
    assert [m for op, m, _ in ops if op == "addmm"] == [
        "blocks.0.attn.proj",
        "blocks.1.attn.proj",
        "blocks.0.attn.proj",
        "head",
    ]
    created = rec.of(events.TensorCreated)
    assert [e.module for e in created if e.op == "zeros"] == ["blocks.0.attn", "blocks.1.attn"]


def test_ops_outside_any_module_have_no_module():
    lin = nn.Linear(2, 2)
    with events.Recorder() as rec:
        y = lin(torch.ones(2)) * 3
        y.sum().backward()
    ops = scopes(rec)
    assert ops[-2:] == [("mul", "", ()), ("sum", "", ())]
    assert ops[0][1:] == ("", ("Linear",))
    assert call_site.module_scope() == call_site.NO_MODULE


def test_in_place_updates_inside_a_module_name_it_and_optimizer_steps_do_not():
    class Counter(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.register_buffer("n", torch.zeros(()))
            self.lin = nn.Linear(1, 1)

        def forward(self, x):
            self.n.add_(1)
            return self.lin(x)

    m = Counter()
    opt = torch.optim.SGD(m.parameters(), lr=0.1)
    with events.Recorder() as rec:
        m(torch.ones(1)).sum().backward()
        opt.step()
    updates = [(e.op, e.module, e.module_classes) for e in rec.of(events.InplaceUpdate)]
    assert updates[0] == ("add_", "", ("Counter",))
    assert {u[1:] for u in updates[1:]} == {("", ())}


def test_a_module_outside_the_callers_tree_is_named_by_its_class():
    act = nn.Tanh()

    class Uses(nn.Module):
        def forward(self, x):
            return act(x)

    with events.Recorder() as rec:
        Uses()(torch.ones(2))
    assert scopes(rec) == [("tanh", "Tanh", ("Uses", "Tanh"))]


def test_a_shared_module_takes_its_first_name_and_structure_changes_are_seen():
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    with events.Recorder() as rec:
        model(torch.ones(2))
    assert {m for _, m, _ in scopes(rec)} == {"0", "1"}
    model[1] = nn.Sigmoid()
    model.append(nn.Tanh())
    with events.Recorder() as rec:
        model(torch.ones(2))
    assert [(op, m) for op, m, _ in scopes(rec)][-2:] == [("view", "0"), ("tanh", "3")]
    assert ("sigmoid", "1", ("Sequential", "Sigmoid")) in scopes(rec)


def test_an_error_in_forward_restores_the_outer_scope():
    class Bad(nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    class Outer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bad = Bad()

        def forward(self, x):
            try:
                self.bad(x)
            except ValueError:
                pass
            return x * 2

    with events.Recorder() as rec:
        Outer()(torch.ones(1))
    assert scopes(rec) == [("mul", "", ("Outer",))]
    assert call_site.module_scope() == call_site.NO_MODULE
    assert not getattr(_module_call._calls, "stack", [])


def test_module_scopes_are_per_thread():
    seen: dict[str, tuple] = {}
    go = threading.Barrier(2)

    class Wait(nn.Module):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

        def forward(self, x):
            go.wait()
            seen[self.name] = call_site.module_scope()
            go.wait()
            return x

    with events.Recorder():
        t = threading.Thread(target=lambda: Wait("a")(torch.ones(1)))
        t.start()
        nn.Sequential(Wait("b"))(torch.ones(1))
        t.join()
    assert seen == {"a": ("", ("Wait",)), "b": ("0", ("Sequential", "Wait"))}


def test_no_scope_is_kept_while_no_sink_listens():
    class Probe(nn.Module):
        def forward(self, x):
            return call_site.module_scope()

    assert Probe()(1) == call_site.NO_MODULE
    with events.Recorder():
        assert Probe()(1) == ("", ("Probe",))


@pytest.mark.parametrize("kind", [events.ForwardOp, events.TensorCreated, events.InplaceUpdate])
def test_module_fields_survive_the_codec_and_trace_files(tmp_path, kind):
    model = GPT()
    with events.Recorder() as rec:
        model.blocks[0](torch.ones(2)).sum().backward()
        with torch.no_grad():
            model.blocks[0].attn.proj.weight.mul_(2)
    evs = [e for e in rec.events if isinstance(e, kind)]
    assert evs
    back = [codec.decode_body(codec.encode_frame(e)[4:]) for e in evs]
    path = tmp_path / "run.vgtrace"
    files.save_trace(path, rec.events)
    loaded = [e for e in files.load_trace(path) if isinstance(e, kind)]
    for a, b, c in zip(evs, back, loaded, strict=True):
        assert (a.module, a.module_classes) == (b.module, b.module_classes)
        assert (a.module, a.module_classes) == (c.module, c.module_classes)
        assert type(c.module_classes) is tuple
