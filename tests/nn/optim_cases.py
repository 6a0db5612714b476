"""Optimizer and scheduler runs written once for both libraries (``torch`` is passed in).

``scripts/torch_fixtures/optim.py`` runs them with PyTorch into ``tests/fixtures/torch/optim.json``;
``tests/nn/test_optim_fixtures.py`` runs them with visgrad and compares. Gradients are set from
elementwise formulas (no reductions), so both libraries feed the rules identical numbers.
"""

from __future__ import annotations

import math
from typing import Any

STEPS = 6

# name -> (class name, keyword arguments)
OPTIMIZERS: dict[str, tuple[str, dict[str, Any]]] = {
    "sgd": ("SGD", {"lr": 0.1}),
    "sgd_momentum": ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}),
    "sgd_nesterov": ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "maximize": True}),
    "adam": ("Adam", {"lr": 0.01}),
    "adam_amsgrad_wd": ("Adam", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}),
    "adamw": ("AdamW", {"lr": 0.01}),
    "adamw_amsgrad": ("AdamW", {"lr": 0.02, "betas": (0.8, 0.99), "amsgrad": True}),
    "rmsprop": ("RMSprop", {"lr": 0.01}),
    "rmsprop_centered_momentum": (
        "RMSprop",
        {"lr": 0.01, "alpha": 0.9, "centered": True, "momentum": 0.5, "weight_decay": 0.1},
    ),
    "adagrad": ("Adagrad", {"lr": 0.1}),
    "adagrad_decay": (
        "Adagrad",
        {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.5, "weight_decay": 0.1},
    ),
    "adadelta": ("Adadelta", {}),
    "adadelta_wd": ("Adadelta", {"lr": 0.5, "rho": 0.8, "weight_decay": 0.1, "maximize": True}),
    "nadam": ("NAdam", {"lr": 0.01}),
    "nadam_wd": ("NAdam", {"lr": 0.01, "weight_decay": 0.1, "maximize": True}),
    "nadam_decoupled": (
        "NAdam",
        {"lr": 0.02, "momentum_decay": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True},
    ),
    "radam": ("RAdam", {"lr": 0.01}),
    "radam_wd": ("RAdam", {"lr": 0.01, "betas": (0.8, 0.9), "weight_decay": 0.1, "maximize": True}),
    "radam_decoupled": (
        "RAdam",
        {"lr": 0.02, "weight_decay": 0.1, "decoupled_weight_decay": True},
    ),
    "adamax": ("Adamax", {"lr": 0.02}),
    "adamax_wd": (
        "Adamax",
        {"lr": 0.02, "betas": (0.8, 0.95), "weight_decay": 0.1, "maximize": True},
    ),
    "rprop": ("Rprop", {"lr": 0.05}),
    "rprop_etas": (
        "Rprop",
        {"lr": 0.3, "etas": (0.1, 1.5), "step_sizes": (0.02, 0.4)},
    ),
    "asgd": ("ASGD", {"lr": 0.05}),
    "asgd_averaging": (
        "ASGD",
        {"lr": 0.05, "lambd": 0.01, "alpha": 0.5, "t0": 2, "weight_decay": 0.1},
    ),
}
# RAdam's variance estimate needs more than five steps before its rectified update starts.
LONGER = {"radam": 10, "radam_wd": 10, "radam_decoupled": 10}


def make_params(torch: Any, dtype: Any) -> list[Any]:
    """Two parameters with fixed, varied values (no random numbers)."""
    a = torch.tensor([[math.sin(i + 1) for i in range(4)] for _ in range(3)], dtype=dtype)
    a = a * torch.tensor([[1.0], [0.5], [-2.0]], dtype=dtype)
    b = torch.tensor([math.cos(3 * i) * 0.3 for i in range(5)], dtype=dtype)
    return [torch.nn.Parameter(a), torch.nn.Parameter(b)]


def set_grads(torch: Any, params: list[Any], step: int) -> None:
    """Gradients from elementwise formulas of the current values (one rounding per op)."""
    with torch.no_grad():
        for k, p in enumerate(params):
            target = torch.full_like(p, 0.25 * (k + 1))
            p.grad = (p - target) * 1.5 + p * p * 0.1 + (0.01 * (step + 1))


def run_optimizer(torch: Any, name: str, dtype: Any) -> dict[str, Any]:
    """Parameter values after each step, and the optimizer's state dict and repr."""
    cls, kwargs = OPTIMIZERS[name]
    params = make_params(torch, dtype)
    opt = getattr(torch.optim, cls)(params, **kwargs)
    history = []
    for step in range(LONGER.get(name, STEPS)):
        set_grads(torch, params, step)
        opt.step()
        history.append([p.detach().reshape(-1).tolist() for p in params])
    sd = opt.state_dict()
    state = {
        str(i): {k: (v.reshape(-1).tolist() if hasattr(v, "reshape") else v) for k, v in s.items()}
        for i, s in sd["state"].items()
    }
    groups = [
        {k: list(v) if isinstance(v, tuple) else v for k, v in g.items()}
        for g in sd["param_groups"]
    ]
    return {"history": history, "state": state, "groups": groups, "repr": repr(opt)}


def rosenbrock(x: Any) -> Any:
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()


LBFGS_CASES: dict[str, dict[str, Any]] = {
    "plain": {"lr": 1, "max_iter": 20},
    "strong_wolfe": {"lr": 1, "max_iter": 20, "line_search_fn": "strong_wolfe"},
    "small_history": {"lr": 0.5, "max_iter": 10, "history_size": 3},
}


def run_lbfgs(torch: Any, name: str) -> dict[str, Any]:
    """Rosenbrock in float64 from a fixed start: loss and x after each ``step(closure)``."""
    x = torch.nn.Parameter(torch.tensor([-1.2, 1.0, -0.5, 0.8], dtype=torch.float64))
    opt = torch.optim.LBFGS([x], **LBFGS_CASES[name])
    evals = []

    def closure() -> Any:
        opt.zero_grad()
        loss = rosenbrock(x)
        loss.backward()
        evals.append(loss.item())
        return loss

    out = []
    for _ in range(4):
        loss = opt.step(closure)
        out.append([loss.item(), x.detach().tolist()])
    state = opt.state_dict()["state"][0]
    return {
        "steps": out,
        "evals": evals,
        "func_evals": state["func_evals"],
        "n_iter": state["n_iter"],
    }


SCHEDULER_STEPS = 30


def _schedulers(torch: Any, name: str, opt: Any) -> Any:
    S = torch.optim.lr_scheduler
    table = {
        "step": lambda: S.StepLR(opt, step_size=4, gamma=0.5),
        "multistep": lambda: S.MultiStepLR(opt, milestones=[3, 7, 7, 20], gamma=0.3),
        "exponential": lambda: S.ExponentialLR(opt, gamma=0.9),
        "cosine": lambda: S.CosineAnnealingLR(opt, T_max=7, eta_min=0.001),
        "lambda": lambda: S.LambdaLR(opt, lr_lambda=lambda e: 1 / (1 + e)),
        "multiplicative": lambda: S.MultiplicativeLR(opt, lr_lambda=lambda e: 0.95),
        "linear": lambda: S.LinearLR(opt, start_factor=0.25, total_iters=8),
        "constant": lambda: S.ConstantLR(opt, factor=0.5, total_iters=4),
        "polynomial": lambda: S.PolynomialLR(opt, total_iters=10, power=2.0),
        "onecycle": lambda: S.OneCycleLR(opt, max_lr=0.5, total_steps=SCHEDULER_STEPS + 1),
        "onecycle_linear_3phase": lambda: S.OneCycleLR(
            opt,
            max_lr=[0.5, 0.2],
            epochs=4,
            steps_per_epoch=8,
            anneal_strategy="linear",
            three_phase=True,
            pct_start=0.25,
        ),
        "sequential": lambda: S.SequentialLR(
            opt,
            [S.LinearLR(opt, start_factor=0.1, total_iters=5), S.CosineAnnealingLR(opt, T_max=10)],
            milestones=[5],
        ),
        "cyclic_triangular": lambda: S.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=4),
        "cyclic_triangular2": lambda: S.CyclicLR(
            opt,
            base_lr=[0.01, 0.005],
            max_lr=[0.1, 0.05],
            step_size_up=3,
            step_size_down=5,
            mode="triangular2",
            base_momentum=0.7,
            max_momentum=[0.95, 0.9],
        ),
        "cyclic_exp_range": lambda: S.CyclicLR(
            opt, 0.02, 0.2, step_size_up=5, mode="exp_range", gamma=0.9, cycle_momentum=False
        ),
        "cyclic_scale_fn": lambda: S.CyclicLR(
            opt, 0.01, 0.1, step_size_up=2, scale_fn=lambda x: 0.5**x, scale_mode="iterations"
        ),
        "warm_restarts": lambda: S.CosineAnnealingWarmRestarts(opt, T_0=5),
        "warm_restarts_mult": lambda: S.CosineAnnealingWarmRestarts(
            opt, T_0=3, T_mult=2, eta_min=0.001
        ),
        "chained": lambda: S.ChainedScheduler(
            [S.ExponentialLR(opt, gamma=0.95), S.StepLR(opt, step_size=3, gamma=0.5)]
        ),
    }
    return table[name]()


SCHEDULERS = (
    "step",
    "multistep",
    "exponential",
    "cosine",
    "lambda",
    "multiplicative",
    "linear",
    "constant",
    "polynomial",
    "onecycle",
    "onecycle_linear_3phase",
    "sequential",
    "chained",
    "cyclic_triangular",
    "cyclic_triangular2",
    "cyclic_exp_range",
    "cyclic_scale_fn",
    "warm_restarts",
    "warm_restarts_mult",
)

# Schedulers whose whole state dict is compared (the cycling ones add keys of their own).
STATE_SCHEDULERS = SCHEDULERS[-6:]


def _plain(value: Any) -> Any:
    """A state-dict value as JSON keeps it (tuples as lists, tensors as floats)."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value.item() if hasattr(value, "item") else value


def run_scheduler_state(torch: Any, name: str, optimizer: str = "SGD") -> list[Any]:
    """The scheduler's state dict after 7 steps, as ``[key, value]`` pairs in PyTorch's order,
    then the optimizer's first param group (the keys a cycling scheduler adds to it).
    """
    w = torch.nn.Parameter(torch.zeros(2))
    kwargs = {"momentum": 0.9} if optimizer == "SGD" else {}
    v = torch.nn.Parameter(torch.zeros(1))
    opt = getattr(torch.optim, optimizer)([{"params": [w]}, {"params": [v]}], lr=0.1, **kwargs)
    sched = _schedulers(torch, name, opt)
    for _ in range(7):
        opt.step()
        sched.step()
    group = {k: v for k, v in opt.param_groups[0].items() if k != "params"}
    return [_plain(list(sched.state_dict().items())), _plain(sorted(group.items()))]


def run_warm_restarts_epochs(torch: Any) -> list[Any]:
    """SGDR stepped by fractional epochs (``epoch + i / iters``), then by ``step()`` again."""
    out = []
    for t_mult in (1, 2, 3):
        w = torch.nn.Parameter(torch.zeros(1))
        opt = torch.optim.SGD([w], lr=0.1)
        sched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(
            opt, T_0=2, T_mult=t_mult, eta_min=0.01
        )
        seen = []
        for epoch in range(7):
            for i in range(3):
                opt.step()
                sched.step(epoch + i / 3)
                seen.append([sched.get_last_lr()[0], sched.T_cur, sched.T_i, sched.last_epoch])
        sched.step(26)
        for _ in range(3):
            sched.step()
            seen.append([sched.get_last_lr()[0], sched.T_cur, sched.T_i, sched.last_epoch])
        out.append(seen)
    return out


def run_scheduler(torch: Any, name: str, optimizer: str = "SGD") -> dict[str, Any]:
    """``get_last_lr()`` (and the momentum) after each step, two parameter groups."""
    w = torch.nn.Parameter(torch.zeros(2))
    v = torch.nn.Parameter(torch.zeros(1))
    kwargs = {"momentum": 0.9} if optimizer == "SGD" else {}
    opt = getattr(torch.optim, optimizer)(
        [{"params": [w]}, {"params": [v], "lr": 0.05}], lr=0.1, **kwargs
    )
    sched = _schedulers(torch, name, opt)
    lrs, momenta = [sched.get_last_lr()], []
    for _ in range(SCHEDULER_STEPS):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr())
        g = opt.param_groups[0]
        momenta.append(g["betas"][0] if "betas" in g else g.get("momentum"))
    return {"lrs": lrs, "momenta": momenta}


def run_plateau(torch: Any) -> list[Any]:
    """ReduceLROnPlateau over a loss that stalls, in both modes and threshold modes."""
    out = []
    losses = [1.0, 0.9, 0.9, 0.91, 0.9, 0.95, 0.8, 0.8, 0.8, 0.8, 0.8, 0.79, 0.8, 0.8, 0.8]
    for mode, tmode, cooldown in (("min", "rel", 0), ("min", "abs", 2), ("max", "rel", 1)):
        w = torch.nn.Parameter(torch.zeros(1))
        opt = torch.optim.Adam([w], lr=0.1)
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(
            opt,
            mode=mode,
            factor=0.5,
            patience=1,
            threshold=0.05,
            threshold_mode=tmode,
            cooldown=cooldown,
            min_lr=0.02,
        )
        lrs = []
        for loss in losses:
            sched.step(loss if mode == "min" else -loss)
            lrs.append(sched.get_last_lr())
        out.append(lrs)
    return out


def run_clip(torch: Any) -> dict[str, Any]:
    """clip_grad_norm_ / clip_grad_value_ on fixed gradients, several norm types."""
    out: dict[str, Any] = {}
    for norm_type in (2.0, 1.0, float("inf"), 3.0):
        params = make_params(torch, torch.float32)
        set_grads(torch, params, 0)
        total = torch.nn.utils.clip_grad_norm_(params, max_norm=0.5, norm_type=norm_type)
        out[f"norm_{norm_type}"] = [total.item(), [p.grad.reshape(-1).tolist() for p in params]]
    params = make_params(torch, torch.float32)
    set_grads(torch, params, 1)
    torch.nn.utils.clip_grad_value_(params, clip_value=0.3)
    out["value"] = [p.grad.reshape(-1).tolist() for p in params]
    params = make_params(torch, torch.float32)
    set_grads(torch, params, 0)
    total = torch.nn.utils.clip_grad_norm_(params, max_norm=100.0)
    out["no_clip"] = [total.item(), [p.grad.reshape(-1).tolist() for p in params]]
    return out
