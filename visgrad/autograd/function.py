"""``visgrad.autograd.Function``: user-defined ops with their own forward and backward.

``Cls.apply(*args)`` runs ``Cls.forward`` with grad mode off and, when an input requires grad,
records one node named ``<Cls>Backward`` (no trailing 0, as in PyTorch). The node is also the
``ctx`` handed to ``forward``/``setup_context`` and ``backward``.
"""

from __future__ import annotations

import traceback
import warnings
from typing import Any

import numpy as np

from visgrad import events
from visgrad.autograd import errors
from visgrad.autograd.grad_mode import MODES
from visgrad.autograd.node import Node, SavedValue, accumulator
from visgrad.ops.forward_events import publish_forward
from visgrad.tensor import Tensor


class BackwardCFunction(Node):
    """The node (and ``ctx``) of one ``Function.apply`` call."""

    _forward_cls: type[Function]
    _user_code = True
    _needs: tuple[bool, ...] = ()
    _to_save: tuple[Any, ...] | None = None
    _dirty: tuple[Tensor, ...] = ()
    _non_diff: tuple[Tensor, ...] = ()
    _outputs: tuple[tuple[tuple[int, ...], Any], ...] = ()

    def __repr__(self) -> str:
        # PyTorch names the module where Python-defined nodes live.
        return f"<torch.autograd.function.{type(self).__name__} object at {id(self):#x}>"

    # -- ctx API ---------------------------------------------------------------------------------
    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep tensors for backward; they are version-checked when read back."""
        self._to_save = tensors

    @property
    def saved_tensors(self) -> tuple[Tensor | None, ...]:
        if "saved_tensors" in self._released:
            raise RuntimeError(errors.BACKWARD_TWICE)
        saved = (self._saved or {}).get("saved_tensors")
        if saved is None:
            return tuple(self._to_save or ())
        return tuple(v.unpack() if isinstance(v, SavedValue) else v for v in saved)

    def mark_dirty(self, *tensors: Tensor) -> None:
        """Declare inputs that ``forward`` modified in place (they are rebased onto this node)."""
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        """Declare outputs that get no gradient (indices, masks)."""
        self._non_diff = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """With False, backward receives None (not zeros) for outputs that got no gradient."""
        self.materialize_grads = bool(value)

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        return self._needs

    # -- node API ----------------------------------------------------------------------------------
    def output_meta(self) -> tuple[tuple[tuple[int, ...], Any], ...]:
        return self._outputs

    def release(self) -> tuple[str, ...]:
        if not self._saved or "saved_tensors" not in self._saved:
            return ()
        self._released = self._released + ("saved_tensors",)
        self._saved = {}
        return ("saved_tensors",)

    def backward(self, *grads: Tensor | None) -> tuple[Tensor | None, ...]:
        # Missing output grads were already filled with zeros by the engine unless
        # set_materialize_grads(False) was called (see ``Node.materialize_grads``).
        out = self._forward_cls.backward(self, *grads)
        if type(out) is not tuple:
            out = (out,)
        n = len(self.next_functions)
        if len(out) != n:
            if len(out) > n and all(g is None for g in out[n:]):
                out = out[:n]
            else:
                raise RuntimeError(
                    f"function {self.name()} returned an incorrect number of gradients "
                    f"(expected {n}, got {len(out)})"
                )
        for i, (g, (shape, _)) in enumerate(zip(out, self.input_meta, strict=True)):
            if isinstance(g, Tensor) and shape is not None and g._data.shape != shape:
                if not _expandable(shape, g._data.shape):
                    raise RuntimeError(
                        f"Function {self.name()} returned an invalid gradient at index {i} - got "
                        f"{list(g._data.shape)} but expected shape compatible with {list(shape)}"
                    )
        return out


def _expandable(shape: tuple[int, ...], to: tuple[int, ...]) -> bool:
    """Whether ``shape`` broadcasts to ``to`` (so the gradient can be summed back)."""
    if len(shape) > len(to):
        return False
    return all(s == t or s == 1 for s, t in zip(reversed(shape), reversed(to), strict=False))


class FunctionMeta(type):
    """Gives each Function subclass its own node class, ``<Name>Backward``."""

    def __init__(cls, name: str, bases: tuple[type, ...], ns: dict[str, Any]) -> None:
        super().__init__(name, bases, ns)
        cls._backward_cls = type(
            name + "Backward",
            (BackwardCFunction,),
            {"_forward_cls": cls, "op_name": name, "__module__": cls.__module__},
        )


class Function(metaclass=FunctionMeta):
    """Base class for custom autograd ops: static ``forward`` and ``backward``, call ``apply``."""

    _backward_cls: type[BackwardCFunction]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        warnings.warn(
            f"{type(self)} should not be instantiated. Methods on autograd functions are all "
            "static, so you should invoke them on the class itself. Instantiating an autograd "
            "function will raise an error in a future version of PyTorch.",
            DeprecationWarning,
            stacklevel=2,
        )

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        """Compute the outputs (grad mode is off here)."""
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: Any) -> Any:
        """Optional: fill ``ctx`` from inputs and output when ``forward`` takes no ctx."""
        raise NotImplementedError("setup_context is not overridden.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        """Gradients w.r.t. each forward input (None for the ones that need none)."""
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD."
        )

    vjp = backward

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run the op and record it for autograd."""
        tensors = tuple(a for a in args if isinstance(a, Tensor))
        rec = MODES.enabled and any(t._rg for t in tensors)
        node = cls._backward_cls.__new__(cls._backward_cls)
        Node.__init__(node)
        node._needs = tuple(isinstance(a, Tensor) and a._rg and rec for a in args)
        prev = MODES.enabled
        MODES.enabled = False
        try:
            if cls.setup_context is not Function.setup_context:
                out = cls.forward(*args, **kwargs)
                cls.setup_context(node, args, out)
            else:
                out = cls.forward(node, *args, **kwargs)
        finally:
            MODES.enabled = prev
        single = not isinstance(out, tuple)
        outs = (out,) if single else out
        if rec:
            outs = _wire(node, args, outs)
        else:
            node = None
        if events.SINKS:
            results = tuple(o for o in outs if isinstance(o, Tensor))
            publish_forward(cls._backward_cls, node, tensors, results, {})
        return outs[0] if single else outs


def _wire(node: BackwardCFunction, args: tuple[Any, ...], outs: tuple[Any, ...]) -> tuple:
    """Connect the node to its inputs and outputs, then save what forward asked to keep."""
    for t in node._dirty:
        if t._fn is None and t._rg:
            raise RuntimeError(errors.INPLACE_LEAF)
    node.next_functions = tuple(
        ((a._fn, a._output_nr) if a._fn is not None else (accumulator(a), 0))
        if isinstance(a, Tensor) and a._rg
        else (None, 0)
        for a in args
    )
    node.input_meta = tuple(
        (a._data.shape, a._data.dtype) if isinstance(a, Tensor) else (None, None) for a in args
    )
    if MODES.anomaly:
        node.forward_trace = "".join(traceback.format_stack()[:-3])
    inputs = {id(a) for a in args if isinstance(a, Tensor)}
    dirty = {id(t) for t in node._dirty}
    non_diff = {id(t) for t in node._non_diff}
    wired = []
    for i, o in enumerate(outs):
        if not isinstance(o, Tensor):
            wired.append(o)
            continue
        marked = id(o) in non_diff
        if id(o) in inputs and id(o) not in dirty:
            # An input returned as is becomes a new tensor on the same storage.
            alias = Tensor._make(o._data, False, None, 0)
            alias._version = o._version
            o = alias
        if marked:
            o._rg = False
        else:
            o._fn, o._output_nr, o._rg = node, i, True
        wired.append(o)
    node.num_outputs = len(outs)
    node._outputs = tuple(
        (o._data.shape, o._data.dtype) if isinstance(o, Tensor) else ((), np.float32) for o in wired
    )
    if node._to_save is not None:
        saved = tuple(SavedValue(t, node) if isinstance(t, Tensor) else t for t in node._to_save)
        node._saved = {"saved_tensors": saved}
        node._to_save = None
    return tuple(wired)
