"""``torch.compile``: visgrad runs every program eagerly, op by op, so that each op is an event
the debugger can show; compiling would fuse them away. ``compile`` therefore returns a wrapper
that calls the original unchanged, with PyTorch's shape: a module becomes an
``OptimizedModule`` whose ``_orig_mod`` is the module (its ``state_dict`` keys gain the
``_orig_mod.`` prefix, as they do in PyTorch), a function a function.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from visgrad.nn.module import Module

__all__ = ["OptimizedModule", "compile"]


class OptimizedModule(Module):
    """What ``torch.compile(module)`` returns: it runs ``_orig_mod``'s forward."""

    def __init__(self, mod: Module) -> None:
        super().__init__()
        self._orig_mod = mod

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self._orig_mod(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        try:
            return super().__getattr__(name)
        except AttributeError:
            inner = self.__dict__.get("_modules", {}).get("_orig_mod")
            if inner is None:  # still being built
                raise
            return getattr(inner, name)


def compile(  # noqa: A001 - PyTorch's name
    model: Callable[..., Any] | None = None,
    *,
    fullgraph: bool = False,
    dynamic: bool | None = None,
    backend: str | Callable[..., Any] = "inductor",
    mode: str | None = None,
    options: dict[str, Any] | None = None,
    disable: bool = False,
) -> Any:
    """``model`` to run eagerly as before (see the module docstring); without ``model``, the
    decorator ``@torch.compile(mode=...)``."""
    if model is None:
        return functools.partial(
            compile,
            fullgraph=fullgraph,
            dynamic=dynamic,
            backend=backend,
            mode=mode,
            options=options,
            disable=disable,
        )
    if mode is not None and options is not None:
        raise RuntimeError(
            "Either mode or options can be specified, but both can't be specified at the same time."
        )
    if not callable(model):
        # PyTorch's own check is an assert, so its class is AssertionError.
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")
    if disable:
        return model
    if isinstance(model, Module):
        return OptimizedModule(model)

    @functools.wraps(model)
    def compiled(*args: Any, **kwargs: Any) -> Any:
        return model(*args, **kwargs)

    return compiled
