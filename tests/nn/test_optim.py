"""Optimizers: PyTorch's update rules step by step, zero_grad, state dicts and events."""

import math

import numpy as np
import pytest

import visgrad as torch
from visgrad import events, nn, optim

GRADS = [[0.5, -1.0, 2.0], [0.25, 0.75, -0.5], [-1.5, 0.1, 0.3], [1.0, 1.0, 1.0]]
START = [1.0, -2.0, 0.5]


def _run(cls, grads=GRADS, **kw):
    """Feed a fixed gradient sequence to one float64 parameter; return its final values."""
    p = nn.Parameter(torch.tensor(START, dtype=torch.float64))
    opt = cls([p], **kw)
    for g in grads:
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
    return p.detach().numpy()


def _sgd_reference(lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    p = np.array(START)
    buf = None
    for g in map(np.array, GRADS):
        g = g + weight_decay * p
        if momentum:
            buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        p = p - lr * g
    return p


def _adam_reference(lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False):
    b1, b2 = betas
    p = np.array(START)
    m = np.zeros(3)
    v = np.zeros(3)
    vmax = np.zeros(3)
    for t, g in enumerate(map(np.array, GRADS), start=1):
        g = g + weight_decay * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        vmax = np.maximum(vmax, v)
        vhat = vmax if amsgrad else v
        denom = np.sqrt(vhat) / math.sqrt(1 - b2**t) + eps
        p = p - lr / (1 - b1**t) * m / denom
    return p


@pytest.mark.parametrize(
    "kw",
    [
        {"lr": 0.1},
        {"lr": 0.1, "momentum": 0.9},
        {"lr": 0.05, "momentum": 0.8, "dampening": 0.3},
        {"lr": 0.1, "momentum": 0.9, "nesterov": True},
        {"lr": 0.1, "momentum": 0.5, "weight_decay": 0.2},
    ],
)
def test_sgd_matches_the_numpy_reference_over_several_steps(kw):
    np.testing.assert_allclose(_run(optim.SGD, **kw), _sgd_reference(**kw), rtol=1e-13)


@pytest.mark.parametrize(
    "kw",
    [
        {"lr": 0.01},
        {"lr": 0.1, "betas": (0.8, 0.99), "eps": 1e-6},
        {"lr": 0.01, "weight_decay": 0.1},
        {"lr": 0.01, "amsgrad": True},
    ],
)
def test_adam_matches_the_numpy_reference_over_several_steps(kw):
    np.testing.assert_allclose(_run(optim.Adam, **kw), _adam_reference(**kw), rtol=1e-13)


def test_sgd_and_adam_reproduce_pytorch_values():
    # Final parameters printed by torch 2.13 for the same gradients (float64).
    np.testing.assert_allclose(
        _run(optim.SGD, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
        [0.9143951108163371, -2.042525729007674, -0.420754572251214],
        rtol=1e-14,
    )
    np.testing.assert_allclose(
        _run(optim.SGD, lr=0.1, momentum=0.9, dampening=0.5, weight_decay=0.1),
        [0.82691752, -1.6972491024999998, -0.2208828743750001],
        rtol=1e-14,
    )
    np.testing.assert_allclose(
        _run(optim.Adam, lr=0.01, amsgrad=True, weight_decay=0.1),
        [0.9812308537068828, -1.9853103387472317, 0.4741282557120618],
        rtol=1e-14,
    )
    np.testing.assert_allclose(
        _run(optim.Adam, lr=0.01),
        [0.9834820260940396, -1.9924402135778043, 0.4749446716422269],
        rtol=1e-14,
    )


def test_adam_decoupled_weight_decay_shrinks_the_weights_before_the_step():
    got = _run(
        optim.Adam, grads=[[0.0, 0.0, 0.0]], lr=0.1, weight_decay=0.5, decoupled_weight_decay=True
    )
    np.testing.assert_allclose(got, np.array(START) * (1 - 0.1 * 0.5))


def test_maximize_ascends():
    got = _run(optim.SGD, grads=[[1.0, 1.0, 1.0]], lr=0.5, maximize=True)
    np.testing.assert_allclose(got, np.array(START) + 0.5)


def test_first_momentum_buffer_is_the_gradient_itself():
    p = nn.Parameter(torch.tensor([0.0, 0.0]))
    opt = optim.SGD([p], lr=1.0, momentum=0.9, dampening=0.5)
    p.grad = torch.tensor([2.0, -4.0])
    opt.step()
    # No dampening on the first step: buf = g, not (1 - dampening) * g.
    assert opt.state[p]["momentum_buffer"].tolist() == [2.0, -4.0]
    assert p.tolist() == [-2.0, 4.0]


def test_float32_parameters_stay_float32():
    p = nn.Parameter(torch.tensor([1.0, 2.0]))
    opt = optim.Adam([p], lr=0.1)
    p.grad = torch.tensor([1.0, 1.0])
    opt.step()
    assert p.dtype == torch.float32
    assert opt.state[p]["exp_avg"].dtype == torch.float32
    assert opt.state[p]["step"].item() == 1.0


def test_parameters_without_grad_are_left_alone():
    a = nn.Parameter(torch.tensor([1.0]))
    b = nn.Parameter(torch.tensor([5.0]))
    opt = optim.SGD([a, b], lr=0.5, momentum=0.9)
    a.grad = torch.tensor([1.0])
    opt.step()
    assert a.tolist() == [0.5]
    assert b.tolist() == [5.0]
    assert b not in opt.state


def test_step_publishes_one_inplace_update_per_parameter():
    w = nn.Parameter(torch.tensor([1.0, 2.0]))
    b = nn.Parameter(torch.tensor([0.0]))
    opt = optim.SGD([w, b], lr=0.5)
    w.grad = torch.tensor([1.0, 1.0])
    b.grad = torch.tensor([2.0])
    with events.Recorder() as rec:
        opt.step()
    ups = rec.of(events.InplaceUpdate)
    assert [(u.tensor, u.op, u.version, u.recorded) for u in ups] == [
        (w._id, "sgd_step", 1, False),
        (b._id, "sgd_step", 1, False),
    ]
    assert ups[0].value.tolist() == [0.5, 1.5]
    assert w._version.value == 1


def test_adam_step_is_named_adam_step():
    p = nn.Parameter(torch.tensor([1.0]))
    opt = optim.Adam([p])
    p.grad = torch.tensor([1.0])
    with events.Recorder() as rec:
        opt.step()
    assert [u.op for u in rec.of(events.InplaceUpdate)] == ["adam_step"]


def test_zero_grad_sets_none_by_default_and_zeros_in_place_on_request():
    p = nn.Parameter(torch.tensor([1.0, 2.0]))
    opt = optim.SGD([p], lr=0.1)
    (p * p).sum().backward()
    g = p.grad
    with events.Recorder() as rec:
        opt.zero_grad(set_to_none=False)
    assert p.grad is g
    assert p.grad.tolist() == [0.0, 0.0]
    assert [(e.tensor, e.how) for e in rec.of(events.GradReset)] == [(p._id, "zero")]
    with events.Recorder() as rec:
        opt.zero_grad()
    assert p.grad is None
    assert [e.how for e in rec.of(events.GradReset)] == ["none"]


def test_param_groups_have_their_own_learning_rate():
    a = nn.Parameter(torch.tensor([1.0]))
    b = nn.Parameter(torch.tensor([1.0]))
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    a.grad = torch.tensor([1.0])
    b.grad = torch.tensor([1.0])
    opt.step()
    assert a.item() == pytest.approx(0.9)
    assert b.item() == pytest.approx(0.5)
    assert opt.param_groups[1]["momentum"] == 0


def test_add_param_group_rejects_a_parameter_already_present():
    a = nn.Parameter(torch.tensor([1.0]))
    opt = optim.SGD([a], lr=0.1)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [a]})


@pytest.mark.parametrize(
    "make, text",
    [
        (lambda p: optim.SGD([], lr=0.1), "optimizer got an empty parameter list"),
        (lambda p: optim.SGD([p], lr=-1), "Invalid learning rate: -1"),
        (lambda p: optim.SGD([p], lr=0.1, momentum=-1), "Invalid momentum value: -1"),
        (
            lambda p: optim.SGD([p], lr=0.1, nesterov=True),
            "Nesterov momentum requires a momentum and zero dampening",
        ),
        (lambda p: optim.Adam([p], betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
        (lambda p: optim.Adam([p], eps=-1), "Invalid epsilon value: -1"),
        (lambda p: optim.Adam([p], weight_decay=-1), "Invalid weight_decay value: -1"),
    ],
)
def test_invalid_hyper_parameters_raise_pytorchs_errors(make, text):
    p = nn.Parameter(torch.tensor([1.0]))
    with pytest.raises(ValueError) as info:
        make(p)
    assert str(info.value) == text


def test_non_leaf_tensors_cannot_be_optimized():
    p = nn.Parameter(torch.tensor([1.0]))
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([p * 2], lr=0.1)


def test_state_dict_uses_indices_and_a_reload_continues_identically():
    def make():
        p = nn.Parameter(torch.tensor(START, dtype=torch.float64))
        return p, optim.Adam([p], lr=0.05, amsgrad=True)

    p1, o1 = make()
    for g in GRADS[:2]:
        p1.grad = torch.tensor(g, dtype=torch.float64)
        o1.step()
    sd = o1.state_dict()
    assert list(sd["state"]) == [0]
    assert sorted(sd["state"][0]) == ["exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"]
    assert sd["param_groups"][0]["params"] == [0]
    assert sd["param_groups"][0]["lr"] == 0.05

    p2, o2 = make()
    p2.data = p1.detach().clone()
    o2.load_state_dict(sd)
    for g in GRADS[2:]:
        for p, o in ((p1, o1), (p2, o2)):
            p.grad = torch.tensor(g, dtype=torch.float64)
            o.step()
    np.testing.assert_array_equal(p1.detach().numpy(), p2.detach().numpy())
    assert o2.param_groups[0]["params"] == [p2]


def test_load_state_dict_rejects_a_different_group_layout():
    a = nn.Parameter(torch.tensor([1.0]))
    b = nn.Parameter(torch.tensor([1.0]))
    sd = optim.SGD([a, b], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        optim.SGD([a], lr=0.1).load_state_dict(sd)


def test_repr_lists_each_group_sorted_like_pytorch():
    p = nn.Parameter(torch.tensor([1.0]))
    assert repr(optim.SGD([p], lr=0.1, momentum=0.9)) == (
        "SGD (\nParameter Group 0\n    dampening: 0\n    differentiable: False\n"
        "    foreach: None\n    fused: None\n    lr: 0.1\n    maximize: False\n"
        "    momentum: 0.9\n    nesterov: False\n    weight_decay: 0\n)"
    )


def test_step_returns_the_closure_loss():
    p = nn.Parameter(torch.tensor([3.0]))
    opt = optim.SGD([p], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == 9.0
    assert p.item() == 1.5


@pytest.mark.parametrize(
    "make",
    [
        lambda p: torch.optim.SGD([p], lr=0.1),
        lambda p: torch.optim.SGD([p], lr=0.1, momentum=0.9),
        lambda p: torch.optim.Adam([p], lr=0.1),
    ],
    ids=["sgd", "sgd_momentum", "adam"],
)
def test_optimizers_step_a_zero_dim_parameter(make):
    p = torch.tensor(1.0, requires_grad=True)
    opt = make(p)
    (p * 2).backward()
    opt.step()
    assert p.shape == () and float(p) < 1.0
