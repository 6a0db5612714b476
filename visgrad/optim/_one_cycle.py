"""``OneCycleLR``: the rate rises to ``max_lr`` and anneals far below the start (Smith's 1cycle),
with the momentum (or Adam's β₁) moving the opposite way.
"""

from __future__ import annotations

import math
from typing import Any

from visgrad.optim._scheduler_base import LRScheduler, format_param
from visgrad.optim.optimizer import Optimizer


def _positive_int(name: str, value: Any) -> None:
    if not isinstance(value, int) or value <= 0:
        raise ValueError(f"Expected positive integer {name}, but got {value}")


def _phases(pct_start: float, total: int, three_phase: bool) -> list[dict[str, Any]]:
    """Each phase: its last step and which group keys it anneals from and to."""
    rise = float(pct_start * total) - 1
    if three_phase:
        return [
            {
                "end_step": rise,
                "lr": ("initial_lr", "max_lr"),
                "m": ("max_momentum", "base_momentum"),
            },
            {
                "end_step": float(2 * pct_start * total) - 2,
                "lr": ("max_lr", "initial_lr"),
                "m": ("base_momentum", "max_momentum"),
            },
            {
                "end_step": total - 1,
                "lr": ("initial_lr", "min_lr"),
                "m": ("max_momentum", "max_momentum"),
            },
        ]
    return [
        {"end_step": rise, "lr": ("initial_lr", "max_lr"), "m": ("max_momentum", "base_momentum")},
        {"end_step": total - 1, "lr": ("max_lr", "min_lr"), "m": ("base_momentum", "max_momentum")},
    ]


class OneCycleLR(LRScheduler):
    """The 1cycle policy; call ``step()`` after every batch, ``total_steps`` times in all."""

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | list[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.85,
        max_momentum: float | list[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if total_steps is not None:
            if total_steps <= 0 or not isinstance(total_steps, int):
                raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            _positive_int("epochs", epochs)
            _positive_int("steps_per_epoch", steps_per_epoch)
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        self._schedule_phases = _phases(pct_start, self.total_steps, three_phase)
        if pct_start < 0 or pct_start > 1 or not isinstance(pct_start, float):
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError(
                f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}"
            )
        self._anneal_func_type = anneal_strategy
        max_lrs = format_param("max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for i, group in enumerate(optimizer.param_groups):
                group["initial_lr"] = max_lrs[i] / div_factor
                group["max_lr"] = max_lrs[i]
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(
                    "optimizer must support momentum or beta1 with `cycle_momentum` option enabled"
                )
            self.use_beta1 = "betas" in optimizer.defaults
            maxes = format_param("max_momentum", optimizer, max_momentum)
            bases = format_param("base_momentum", optimizer, base_momentum)
            if last_epoch == -1:
                for hi, lo, group in zip(maxes, bases, optimizer.param_groups, strict=True):
                    self._set_momentum(group, hi)
                    group["max_momentum"] = hi
                    group["base_momentum"] = lo
        super().__init__(optimizer, last_epoch)

    def _set_momentum(self, group: dict[str, Any], value: Any) -> None:
        if self.use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    def _anneal(self, start: Any, end: Any, pct: float) -> Any:
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list[Any]:
        self._warn_if_called_outside_step()
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(
                f"Tried to step {step} times. The specified number of total steps is "
                f"{self.total_steps}"
            )
        lrs = []
        last = len(self._schedule_phases) - 1
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end_step = phase["end_step"]
                if step <= end_step or i == last:
                    pct = (step - start_step) / (end_step - start_step)
                    lrs.append(self._anneal(group[phase["lr"][0]], group[phase["lr"][1]], pct))
                    if self.cycle_momentum:
                        m = self._anneal(group[phase["m"][0]], group[phase["m"][1]], pct)
                        self._set_momentum(group, m)
                    break
                start_step = phase["end_step"]
        return lrs
