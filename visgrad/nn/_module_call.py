"""Calling a module: its hooks in PyTorch's order, and the module scope its ops report.

``Module.__call__`` comes here only when the module has hooks or a sink listens. While a sink
listens, each call makes its module scope current (``call_site.enter_module``), so every op, new
tensor and in-place update inside carries the dotted path it ran under (``blocks.0.attn.proj``)
and the class names along that path. A child's name is its name in the calling module's tree, so
``self.blocks[0].attn(x)`` called from the model reports ``blocks.0.attn``; a module that is not
in the caller's tree is named by its class.
"""

from __future__ import annotations

import os
import sys
import threading
import warnings
import weakref
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from visgrad import call_site, events
from visgrad.autograd.function import Function
from visgrad.autograd.grad_mode import is_grad_enabled
from visgrad.autograd.hooks import RemovableHandle
from visgrad.tensor import Tensor

if TYPE_CHECKING:
    from collections.abc import Callable

    from visgrad.nn.module import Module

# Bumped whenever any module gains or loses a child: the path tables below check it.
_STRUCTURE = [0]
# Per calling module: (structure version, {id(descendant): (relative path, class names)}).
_PATHS: weakref.WeakKeyDictionary[Module, tuple[int, dict[int, Any]]] = weakref.WeakKeyDictionary()
_calls = threading.local()  # .stack: [(module, scope)] of the module calls running here


def structure_changed() -> None:
    """Called by ``Module`` when a child is added or removed anywhere."""
    _STRUCTURE[0] += 1


def _descendants(parent: Module) -> dict[int, tuple[str, tuple[str, ...]]]:
    cached = _PATHS.get(parent)
    if cached is not None and cached[0] == _STRUCTURE[0]:
        return cached[1]
    table: dict[int, tuple[str, tuple[str, ...]]] = {}
    todo: list[tuple[Module, str, tuple[str, ...]]] = [(parent, "", ())]
    while todo:  # breadth first would rename shared modules; PyTorch's first name is depth first
        mod, prefix, classes = todo.pop()
        found = []
        for name, child in mod._modules.items():
            if child is None or id(child) in table or child is parent:
                continue
            entry = (prefix + name, (*classes, type(child).__name__))
            table[id(child)] = entry
            found.append((child, entry[0] + ".", entry[1]))
        todo.extend(reversed(found))
    _PATHS[parent] = (_STRUCTURE[0], table)
    return table


def _scope_of(module: Module, stack: list[tuple[Module, call_site.ModuleScope]]) -> Any:
    if not stack:
        return ("", (type(module).__name__,))
    parent, (path, classes) = stack[-1]
    if parent is module:
        return stack[-1][1]
    found = _descendants(parent).get(id(module))
    if found is None:
        name = type(module).__name__
        found = (name, (name,))
    return (f"{path}.{found[0]}" if path else found[0], classes + found[1])


def call_module(module: Module, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Run ``module`` with its hooks, under its module scope while a sink listens."""
    if not events.SINKS:
        return _run(module, args, kwargs)
    stack = getattr(_calls, "stack", None)
    if stack is None:
        stack = _calls.stack = []
    scope = _scope_of(module, stack)
    stack.append((module, scope))
    previous = call_site.enter_module(scope)
    try:
        return _run(module, args, kwargs)
    finally:
        call_site.exit_module(previous)
        stack.pop()


def _run(module: Module, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    d = module.__dict__
    for hid, hook in tuple(d["_forward_pre_hooks"].items()):
        if hid in d["_forward_pre_hooks_with_kwargs"]:
            r = hook(module, args, kwargs)
            if r is not None:
                if not (isinstance(r, tuple) and len(r) == 2):
                    raise RuntimeError(
                        "forward pre-hook must return None or a tuple of (new_args, new_kwargs), "
                        f"but got {r}."
                    )
                args, kwargs = r
        else:
            r = hook(module, args)
            if r is not None:
                args = r if isinstance(r, tuple) else (r,)
    bw = None
    if d["_backward_hooks"] or d["_backward_pre_hooks"]:
        bw = BackwardHook(
            module, list(d["_backward_hooks"].values()), list(d["_backward_pre_hooks"].values())
        )
        args = bw.setup_input_hook(args)
    try:
        result = module.forward(*args, **kwargs)
    except Exception:
        _always_called(module, args, kwargs)
        raise
    for hid, hook in tuple(d["_forward_hooks"].items()):
        if hid in d["_forward_hooks_with_kwargs"]:
            r = hook(module, args, kwargs, result)
        else:
            r = hook(module, args, result)
        if r is not None:
            result = r
    if bw is not None:
        result = bw.setup_output_hook(result)
    return result


def _always_called(module: Module, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Forward hooks registered with ``always_call=True`` also run when forward raised."""
    d = module.__dict__
    for hid, hook in tuple(d["_forward_hooks"].items()):
        if hid not in d["_forward_hooks_always_called"]:
            continue
        try:
            if hid in d["_forward_hooks_with_kwargs"]:
                hook(module, args, kwargs, None)
            else:
                hook(module, args, None)
        except Exception as e:  # the forward's own error is the one the user must see
            warnings.warn(
                "module forward hook with ``always_call=True`` raised an exception that was "
                f"silenced as another error was raised in forward: {e}",
                stacklevel=3,
            )


class BackwardHookFunction(Function):
    """Identity on the module's input or output tensors; its node is where backward hooks sit."""

    @staticmethod
    def forward(ctx: Any, *args: Tensor) -> tuple[Tensor, ...]:
        ctx.mark_non_differentiable(*[a for a in args if not a.requires_grad])
        return args

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> tuple[Any, ...]:
        return grads


class BackwardHook:
    """One module call's full backward hooks: gradients w.r.t. its outputs, then its inputs."""

    def __init__(self, module: Module, hooks: list[Callable], pre_hooks: list[Callable]) -> None:
        self.module = module
        self.hooks = hooks
        self.pre_hooks = pre_hooks
        self.grad_outputs: tuple[Any, ...] | None = None
        self.n_inputs = self.n_outputs = -1
        self.input_index: list[int] | None = None
        self.output_index: list[int] | None = None

    @staticmethod
    def _pack(index: list[int], values: Any, size: int) -> tuple[Any, ...]:
        out: list[Any] = [None] * size
        for i, v in zip(index, values, strict=False):
            out[i] = v
        return tuple(out)

    def _wrap(self, args: tuple[Any, ...], on_node: Callable[[Any], None]) -> Any:
        index = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        tensors = [args[i] for i in index]
        if not (is_grad_enabled() and any(t.requires_grad for t in tensors)):
            return args, None
        wrapped = BackwardHookFunction.apply(*tensors)
        node = next(t.grad_fn for t in wrapped if t.grad_fn is not None)
        on_node(node)
        out = list(args)
        for i, t in zip(index, wrapped, strict=True):
            out[i] = t
        return tuple(out), index

    def setup_input_hook(self, args: tuple[Any, ...]) -> tuple[Any, ...]:
        """Wrap the inputs; their node's post-hook calls the user's hooks with grad_input."""
        res, self.input_index = self._wrap(args, lambda node: node.register_hook(self._on_inputs))
        self.n_inputs = len(args)
        return res

    def _on_inputs(self, grad_input: tuple[Any, ...], _: Any) -> tuple[Any, ...] | None:
        if self.grad_outputs is None or self.input_index is None:
            return None  # the gradient reached the inputs without passing the outputs
        res = self._pack(self.input_index, grad_input, self.n_inputs)
        for hook in self.hooks:
            out = hook(self.module, res, self.grad_outputs)
            if out is None:
                continue
            if len(out) != len(res):
                raise RuntimeError(
                    "Backward hook returned an invalid number of grad_input, "
                    f"got {len(out)}, but expected {len(res)}"
                )
            res = out
        self.grad_outputs = None
        return tuple(res[i] for i in self.input_index)

    def setup_output_hook(self, result: Any) -> Any:
        """Wrap the outputs; their node's post-hook records grad_output and runs pre-hooks."""
        single = not isinstance(result, tuple)
        args = (result,) if single else result
        res, self.output_index = self._wrap(args, lambda node: node.register_hook(self._on_out))
        self.n_outputs = len(args)
        return res[0] if single else res

    def _on_out(self, _: Any, grad_output: tuple[Any, ...]) -> tuple[Any, ...] | None:
        assert self.output_index is not None
        self.grad_outputs = self._pack(self.output_index, grad_output, self.n_outputs)
        for hook in self.pre_hooks:
            new = hook(self.module, self.grad_outputs)
            if new is None:
                continue
            if len(new) != len(self.grad_outputs):
                raise RuntimeError(
                    "Backward pre hook returned an invalid number of grad_output, "
                    f"got {len(new)}, but expected {len(self.grad_outputs)}"
                )
            self.grad_outputs = tuple(new)
        local = self.grad_outputs
        if self.input_index is None:
            # No input requires grad: the hooks run here, with grad_input all None.
            warnings.warn(_NO_INPUT_GRAD_WARNING, UserWarning, stacklevel=_user_stacklevel())
            grad_inputs = (None,) * self.n_inputs
            for hook in self.hooks:
                r = hook(self.module, grad_inputs, self.grad_outputs)
                if r is not None and not (isinstance(r, tuple) and all(x is None for x in r)):
                    raise RuntimeError(
                        "Backward hook for Modules where no input requires gradient should "
                        "always return None or None for all gradients."
                    )
            self.grad_outputs = None
        return tuple(local[i] for i in self.output_index)


_NO_INPUT_GRAD_WARNING = (
    "Full backward hook is firing when gradients are computed with respect to module outputs "
    "since no inputs require gradients. See https://docs.pytorch.org/docs/main/generated/"
    "torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more details."
)
_PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def _user_stacklevel() -> int:
    """The ``stacklevel`` that makes a warning point at the user's line, not at visgrad."""
    level, f = 1, sys._getframe(1)
    while f is not None and f.f_code.co_filename.startswith(_PKG):
        level, f = level + 1, f.f_back
    return level


class HookTables:
    """The hook registration API of ``Module`` (tables are made in ``Module.__init__``)."""

    _forward_hooks: OrderedDict[int, Callable]
    _forward_pre_hooks: OrderedDict[int, Callable]
    _backward_hooks: OrderedDict[int, Callable]
    _backward_pre_hooks: OrderedDict[int, Callable]

    def _add_hook(self, table: str, hook: Callable, prepend: bool) -> RemovableHandle:
        hooks = self.__dict__[table]
        handle = RemovableHandle(hooks, hook)
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    def register_forward_pre_hook(
        self, hook: Callable, *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """``hook(module, args)`` before forward; it may return new args."""
        handle = self._add_hook("_forward_pre_hooks", hook, prepend)
        if with_kwargs:
            self.__dict__["_forward_pre_hooks_with_kwargs"][handle.id] = True
        return handle

    def register_forward_hook(
        self,
        hook: Callable,
        *,
        prepend: bool = False,
        with_kwargs: bool = False,
        always_call: bool = False,
    ) -> RemovableHandle:
        """``hook(module, args, output)`` after forward; it may return a new output."""
        handle = self._add_hook("_forward_hooks", hook, prepend)
        if with_kwargs:
            self.__dict__["_forward_hooks_with_kwargs"][handle.id] = True
        if always_call:
            self.__dict__["_forward_hooks_always_called"][handle.id] = True
        return handle

    def register_full_backward_pre_hook(
        self, hook: Callable, prepend: bool = False
    ) -> RemovableHandle:
        """``hook(module, grad_output)`` when the outputs' gradients are known; may replace them."""
        return self._add_hook("_backward_pre_hooks", hook, prepend)

    def register_full_backward_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """``hook(module, grad_input, grad_output)`` once the inputs' gradients are computed."""
        return self._add_hook("_backward_hooks", hook, prepend)


HOOK_TABLES = (
    "_forward_hooks",
    "_forward_pre_hooks",
    "_backward_hooks",
    "_backward_pre_hooks",
    "_forward_hooks_with_kwargs",
    "_forward_pre_hooks_with_kwargs",
    "_forward_hooks_always_called",
)
