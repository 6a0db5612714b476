"""``Optimizer``: parameter groups, per-parameter state, ``zero_grad`` and state dicts."""

from __future__ import annotations

import copy
import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from visgrad import call_site, events
from visgrad.autograd.grad_mode import enable_grad
from visgrad.nn._write import publish_update, zero_grads
from visgrad.optim import _kernels as K
from visgrad.tensor import Tensor

_REQUIRED = object()
# Numbers optimizers in the order they first step, so the debugger tells several apart.
_instances = itertools.count(1)


def _typename(x: Any) -> str:
    if isinstance(x, Tensor):
        return f"torch.{x.dtype.tensor_type}"
    t = type(x)
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def _lr_value(lr: Any) -> float:
    """A group's learning rate as a float (a tensor lr too); NaN when it is not a number."""
    try:
        v = float(lr)
    except (TypeError, ValueError, RuntimeError):  # None, a string, a many-element tensor
        return math.nan
    return v


def check_hyper(lr: Any, values: dict[str, float]) -> None:
    """PyTorch's constructor checks: a non-negative learning rate and other values.

    ``values`` maps the words of PyTorch's message (``"epsilon value"`` for "Invalid epsilon
    value: -1") to a value that must not be negative.
    """
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    for name, v in values.items():
        if not 0.0 <= v:
            raise ValueError(f"Invalid {name}: {v}")


def check_betas(betas: tuple[float, float]) -> None:
    """Adam-family betas: each in ``[0, 1)``, checked in order as PyTorch does."""
    for i, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta}")


def new_scalar(value: float) -> Tensor:
    """A 0-d float32 state value (NAdam's ``mu_product``, ASGD's ``eta`` and ``mu``)."""
    return Tensor._make(np.array(value, np.float32), False, None, 0)


def new_state(like: np.ndarray, fill: float = 0.0) -> Tensor:
    """A state buffer shaped and typed as a parameter (``exp_avg``, ``square_avg``)."""
    return Tensor._make(np.full_like(like, fill), False, None, 0)


def signed_grad(grad: np.ndarray, p: Tensor, group: dict[str, Any]) -> np.ndarray:
    """The gradient a rule uses: negated with ``maximize``, plus ``weight_decay · p``."""
    if group["maximize"]:
        grad = -grad
    if group["weight_decay"] != 0:
        grad = K.added(grad, p._data, group["weight_decay"])
    return grad


def new_step() -> Tensor:
    """The ``step`` counter: a float32 0-d tensor, as in PyTorch's state dicts."""
    return new_scalar(0.0)


class Optimizer:
    """Base of SGD and Adam: holds ``param_groups`` (dicts of hyper-parameters) and ``state``."""

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                f"dicts, but got {_typename(params)}"
            )
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyper-parameters (the rest from defaults)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {_typename(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        params = list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"optimizer can only optimize Tensors, but one of the params is {_typename(p)}"
                )
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        group = dict(param_group, params=params)
        for name, default in self.defaults.items():
            if default is _REQUIRED and name not in group:
                raise ValueError(
                    "parameter group didn't specify a value of required optimization parameter "
                    f"{name}"
                )
            group.setdefault(name, default)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all optimised parameters: to None by default, else to zeros."""
        zero_grads((p for g in self.param_groups for p in g["params"]), set_to_none)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns ``closure()`` if given.

        The rule is the subclass's ``_update(p, grad, group, state)``, which changes ``p._data`` in
        place; each parameter's change is then published as one ``InplaceUpdate``.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        if events.SINKS:
            self._publish_step()
        for group in self.param_groups:
            for p in group["params"]:
                if p._grad is not None:
                    state = self.state[p]
                    self._update(p, p._grad._data, group, state)
                    if not state:  # a rule without state (SGD without momentum) keeps none
                        del self.state[p]
                    p._version.value += 1
                    if events.SINKS:
                        publish_update(p, self.step_op)
        return loss

    def _publish_step(self) -> None:
        """Tell the debugger a step begins, with each group's learning rate as it stands now.

        Every optimizer's ``step`` calls this first (``Optimizer.step`` does), so a scheduler or
        the program changing ``group["lr"]`` shows in the trace.
        """
        instance = self.__dict__.get("_event_instance")
        if instance is None:
            instance = self.__dict__["_event_instance"] = next(_instances)
        events.publish(
            events.OptimizerStep(
                seq=events.next_seq(),
                optimizer=type(self).__name__,
                instance=instance,
                lrs=tuple(_lr_value(g.get("lr")) for g in self.param_groups),
                params=tuple(tuple(p._id for p in g["params"]) for g in self.param_groups),
                source=call_site.user_source(),
            )
        )

    # Name of the in-place update in the debugger's event ("sgd_step"); subclasses set both.
    step_op = "step"
    _update: Callable[[Tensor, Any, dict[str, Any], dict[str, Any]], None]

    # -- state dicts ----------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """``{"state": {index: {...}}, "param_groups": [{..., "params": [indices]}]}``."""
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            ids = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                ids.append(index[id(p)])
            groups.append({**{k: v for k, v in group.items() if k != "params"}, "params": ids})
        state = {index[id(p)]: s for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyper-parameters and per-parameter state saved by ``state_dict``."""
        state_dict = copy.deepcopy(state_dict)
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for mine, saved in zip(self.param_groups, saved_groups, strict=True):
            if len(mine["params"]) != len(saved["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group that doesn't match the size of "
                    "optimizer's group"
                )
        by_index = {
            i: p
            for saved, mine in zip(saved_groups, self.param_groups, strict=True)
            for i, p in zip(saved["params"], mine["params"], strict=True)
        }
        self.state = defaultdict(dict)
        for i, s in state_dict["state"].items():
            p = by_index.get(int(i))
            if p is None:
                continue
            for k, v in s.items():
                # Buffers follow the parameter's dtype; the step count keeps its own.
                if isinstance(v, Tensor) and k != "step" and v._data.dtype != p._data.dtype:
                    s[k] = Tensor._make(v._data.astype(p._data.dtype), False, None, 0)
            self.state[p] = s
        self.param_groups = [
            {**saved, "params": mine["params"]}
            for mine, saved in zip(self.param_groups, saved_groups, strict=True)
        ]

    def __repr__(self) -> str:
        text = f"{type(self).__name__} ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
