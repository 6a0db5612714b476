"""Optimizer and scheduler API: events per step, PyTorch's errors, warnings and state dicts."""

from __future__ import annotations

import warnings

import pytest

import visgrad as torch
from visgrad import events

SGDR = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts
CYCLIC = torch.optim.lr_scheduler.CyclicLR

OPTIMIZERS = [
    "SGD",
    "Adam",
    "AdamW",
    "RMSprop",
    "Adagrad",
    "Adadelta",
    "NAdam",
    "RAdam",
    "Adamax",
    "Rprop",
    "ASGD",
]


def two_params():
    a = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    b = torch.nn.Parameter(torch.tensor([[0.5]]))
    return a, b


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_each_step_publishes_the_learning_rate_then_one_update_per_parameter(name):
    a, b = two_params()
    opt = getattr(torch.optim, name)([a, b], lr=0.1)
    ((a * a).sum() + b.sum()).backward()
    b.grad = None  # a parameter without a gradient is not updated
    with events.Recorder() as rec:
        opt.step()
    kinds = [type(e).__name__ for e in rec.events]
    assert kinds == ["OptimizerStep", "InplaceUpdate"]
    step, update = rec.events
    assert step.optimizer == name and step.lrs == (0.1,)
    assert (update.tensor, update.op) == (a._id, opt.step_op)
    assert update.value.tolist() == a.tolist()


def test_lbfgs_publishes_every_trial_point_and_restores_after_a_line_search():
    x = torch.nn.Parameter(torch.tensor([1.5, -0.5], dtype=torch.float64))
    opt = torch.optim.LBFGS([x], max_iter=3, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = ((x - 1) ** 2).sum()
        loss.backward()
        return loss

    with events.Recorder() as rec:
        opt.step(closure)
    ups = [e for e in rec.of(events.InplaceUpdate) if e.tensor == x._id]
    assert {e.op for e in ups} == {"lbfgs_step", "copy_"}
    assert ups[-1].op == "lbfgs_step" and ups[-1].value.tolist() == x.tolist()
    assert [e.version for e in ups] == sorted(e.version for e in ups)
    assert rec.of(events.OptimizerStep)[0].optimizer == "LBFGS"
    assert x.tolist() == pytest.approx([1.0, 1.0])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: torch.optim.RMSprop(p, lr=-1), "Invalid learning rate: -1"),
        (lambda p: torch.optim.RMSprop(p, alpha=-1), "Invalid alpha value: -1"),
        (lambda p: torch.optim.Adagrad(p, lr_decay=-1), "Invalid lr_decay value: -1"),
        (
            lambda p: torch.optim.Adagrad(p, initial_accumulator_value=-1),
            "Invalid initial_accumulator_value value: -1",
        ),
        (lambda p: torch.optim.Adadelta(p, rho=1.5), "Invalid rho value: 1.5"),
        (lambda p: torch.optim.NAdam(p, momentum_decay=-1), "Invalid momentum_decay value: -1"),
        (
            lambda p: torch.optim.NAdam(p, betas=(0.9, 1.0)),
            "Invalid beta parameter at index 1: 1.0",
        ),
        (lambda p: torch.optim.NAdam(p, eps=-1), "Invalid epsilon value: -1"),
        (lambda p: torch.optim.RAdam(p, weight_decay=-0.5), "Invalid weight_decay value: -0.5"),
        (
            lambda p: torch.optim.RAdam(p, betas=(-0.1, 0.9)),
            "Invalid beta parameter at index 0: -0.1",
        ),
        (lambda p: torch.optim.Adamax(p, lr=-2), "Invalid learning rate: -2"),
        (lambda p: torch.optim.Adamax(p, betas=(0.5, 2)), "Invalid beta parameter at index 1: 2"),
        (lambda p: torch.optim.Rprop(p, etas=(1.5, 2.0)), "Invalid eta values: 1.5, 2.0"),
        (lambda p: torch.optim.Rprop(p, etas=(0.5, 0.9)), "Invalid eta values: 0.5, 0.9"),
        (lambda p: torch.optim.ASGD(p, weight_decay=-1), "Invalid weight_decay value: -1"),
        (lambda p: torch.optim.ASGD(p, lr=-0.1), "Invalid learning rate: -0.1"),
        (
            lambda p: torch.optim.NAdam(p, lr=torch.tensor([0.1, 0.2])),
            "Tensor lr must be 1-element",
        ),
        (
            lambda p: torch.optim.AdamW(p, betas=(1.0, 0.9)),
            "Invalid beta parameter at index 0: 1.0",
        ),
        (
            lambda p: torch.optim.LBFGS(
                [{"params": p}, {"params": [torch.nn.Parameter(torch.ones(1))]}]
            ),
            "LBFGS doesn't support per-parameter options (parameter groups)",
        ),
        (
            lambda p: torch.optim.lr_scheduler.OneCycleLR(torch.optim.SGD(p), max_lr=1),
            "You must define either total_steps OR (epochs AND steps_per_epoch)",
        ),
        (
            lambda p: torch.optim.lr_scheduler.ReduceLROnPlateau(torch.optim.SGD(p), factor=2),
            "Factor should be < 1.0.",
        ),
        (lambda p: SGDR(torch.optim.SGD(p), T_0=0), "Expected positive integer T_0, but got 0"),
        (
            lambda p: SGDR(torch.optim.SGD(p), T_0=2.5),
            "Expected positive integer T_0, but got 2.5",
        ),
        (
            lambda p: SGDR(torch.optim.SGD(p), T_0=2, T_mult=0),
            "Expected integer T_mult >= 1, but got 0",
        ),
        (
            lambda p: SGDR(torch.optim.SGD(p), T_0=2, eta_min="a"),
            "Expected float or int eta_min, but got a of type <class 'str'>",
        ),
        (
            lambda p: SGDR(torch.optim.SGD(p), T_0=2).step(-1),
            "Expected non-negative epoch, but got -1",
        ),
        (
            lambda p: CYCLIC(torch.optim.SGD(p, momentum=0.9), 0.1, 1.0, mode="sawtooth"),
            "mode is invalid and scale_fn is None",
        ),
        (
            lambda p: CYCLIC(torch.optim.Adagrad(p), 0.1, 1.0),
            "optimizer must support momentum or beta1 with `cycle_momentum` option enabled",
        ),
        (
            lambda p: CYCLIC(torch.optim.SGD(p, momentum=0.9), [0.1, 0.2], 1.0),
            "base_lr must have the same length as optimizer.param_groups. base_lr has 2 values, "
            "param_groups has 1.",
        ),
    ],
)
def test_bad_hyper_parameters_raise_pytorchs_errors(make, message):
    with pytest.raises(ValueError) as info:
        make([torch.nn.Parameter(torch.ones(2))])
    assert str(info.value) == message


def test_a_scheduler_needs_an_optimizer():
    with pytest.raises(TypeError) as info:
        torch.optim.lr_scheduler.StepLR(3, 1)
    assert str(info.value) == "int is not an Optimizer"
    with pytest.raises(TypeError) as info:
        CYCLIC(3, 0.1, 1.0)
    assert str(info.value) == "int is not an Optimizer"


def test_stepping_the_scheduler_first_warns_and_its_state_dict_is_pytorchs():
    p = torch.nn.Parameter(torch.ones(2))
    opt = torch.optim.SGD([p], lr=1)
    sched = torch.optim.lr_scheduler.StepLR(opt, 2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sched.step()
    assert [str(w.message)[:56] for w in caught] == [
        "Detected call of `lr_scheduler.step()` before `optimizer"
    ]
    assert sched.state_dict() == {
        "step_size": 2,
        "gamma": 0.1,
        "base_lrs": [1],
        "last_epoch": 1,
        "_step_count": 2,
        "_is_initial": False,
        "_get_lr_called_within_step": False,
        "_last_lr": [1],
    }
    again = torch.optim.lr_scheduler.StepLR(torch.optim.SGD([p], lr=1), 2)
    again.load_state_dict(sched.state_dict())
    again.step()
    assert again.get_last_lr() == [0.1]


def test_stepping_in_the_right_order_does_not_warn():
    p = torch.nn.Parameter(torch.ones(2))
    opt = torch.optim.Adam([p], lr=1)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p.grad = torch.ones(2)
        opt.step()
        sched.step()
    assert sched.get_last_lr() == [0.5] and opt.param_groups[0]["initial_lr"] == 1


def test_optimizer_state_dict_round_trip_continues_identically():
    a, b = two_params()
    opt = torch.optim.AdamW([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        ((a * a).sum() + (b * b * b).sum()).backward()
        opt.step()
    a2, b2 = (torch.nn.Parameter(t.detach().clone()) for t in (a, b))
    opt2 = torch.optim.AdamW([{"params": [a2]}, {"params": [b2], "lr": 0.1}], lr=0.1)
    opt2.load_state_dict(opt.state_dict())
    assert opt2.param_groups[1]["lr"] == 0.5
    for o, (x, y) in ((opt, (a, b)), (opt2, (a2, b2))):
        o.zero_grad(set_to_none=False)
        assert x.grad is None if o is opt2 else x.grad.tolist() == [0.0, 0.0]
        ((x * x).sum() + (y * y * y).sum()).backward()
        o.step()
    assert a2.tolist() == a.tolist() and b2.tolist() == b.tolist()
