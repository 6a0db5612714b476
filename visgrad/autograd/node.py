"""Backward nodes (``grad_fn`` objects): what autograd records for each op.

Every op's node class lives in ``visgrad/ops`` next to its forward; this module holds what they
share: saved values with version checks, tensor hooks, ``next_functions``, and ``AccumulateGrad``.
"""

from __future__ import annotations

import itertools
import weakref
from typing import Any

from visgrad.autograd import errors
from visgrad.autograd.hooks import RemovableHandle
from visgrad.tensor import Tensor

_node_ids = itertools.count(1)


class SavedValue:
    """A tensor saved for backward, with the version it had when saved.

    A saved *output* keeps only a weak reference to the output object, so a node and its output do
    not form a reference cycle; unpacking rebuilds an equivalent tensor if the output is gone.
    """

    __slots__ = ("tensor", "_ref", "data", "version_counter", "version", "output_nr", "node_ref")

    def __init__(self, t: Tensor, node: Node | None = None) -> None:
        self.version_counter = t._version
        self.version = t._version.value
        if node is not None and t._fn is node:
            self.tensor = None
            self._ref = weakref.ref(t)
            self.data = t._data
            self.output_nr = t._output_nr
            self.node_ref = weakref.ref(node)
        else:
            self.tensor = t
            self._ref = None

    def unpack(self) -> Tensor:
        if self.version_counter.value != self.version:
            raise RuntimeError(errors.version_mismatch(self))
        if self.tensor is not None:
            return self.tensor
        t = self._ref()
        if t is None:
            t = Tensor._make(self.data, True, self.node_ref(), self.output_nr)
            t._version = self.version_counter
        return t

    def current(self) -> Tensor | None:
        return self.tensor if self.tensor is not None else self._ref()


class Node:
    """Base of every backward node. Subclasses set ``name`` and implement ``backward``."""

    # PyTorch's name() where it differs from the class name (AccumulateGrad, CopySlices).
    name_: str | None = None
    # Input names as in PyTorch's derivatives table ("self", "other", ...) and each input's formula.
    input_names: tuple[str, ...] = ("self",)
    formulas: dict[str, str] = {}
    # Inputs the node never sends a gradient to (a loss's weight), so they need no formula.
    no_grad_inputs: tuple[str, ...] = ()
    # Outputs that carry gradients (multi-output ops such as max(dim) return indices too).
    num_outputs: int = 1
    # Whether the engine passes zeros (not None) for outputs that received no gradient.
    materialize_grads: bool = True

    # Rarely used per-node state stays on the class until first set: recording an op must be cheap.
    # ``next_functions`` is kept as two parallel tuples, the nodes and their output numbers (one
    # shared tuple per distinct numbering), so a recorded op leaves one edge tuple for the cyclic
    # GC rather than one per input plus the outer one.
    _next_fns: tuple[Node | None, ...] = ()
    _next_nrs: tuple[int, ...] = ()
    _released: tuple[str, ...] = ()
    _tensor_hooks: dict[int, dict[int, Any]] | None = None
    _retain: dict[int, weakref.ref] | None = None
    _pre_hooks: dict[int, Any] | None = None
    _hooks: dict[int, Any] | None = None
    # Shape and NumPy dtype of each input, so backward can reduce broadcasts and cast once.
    input_meta: tuple[tuple[tuple[int, ...], Any], ...] = ()
    # A class flag rather than isinstance in the engine's loop.
    _is_accumulator: bool = False
    # The node's backward is the program's code (a custom Function), not a built-in formula.
    _user_code: bool = False
    attrs: dict[str, Any] = {}
    # Version of each tensor saved by strong reference, by name, when not 0 (see store_saved).
    _versions: dict[str, int] | None = None
    forward_trace: str | None = None
    # CopySlices: the op it wraps, which keeps the saved values (a class default, so asking costs
    # no failed lookup through __getattr__).
    inner: Node | None = None
    # Whether ``release`` may have tensors to free. Ops start without and store_saved sets it, so
    # the engine skips release for the many that keep only sizes and numbers (add, view, sum).
    _holds_tensors: bool = True

    def __init__(self) -> None:
        self.id = next(_node_ids)
        self._saved: dict[str, SavedValue | Any] | None = {}

    @property
    def next_functions(self) -> tuple[tuple[Node | None, int], ...]:
        return tuple(zip(self._next_fns, self._next_nrs, strict=True))

    @next_functions.setter
    def next_functions(self, edges: Any) -> None:
        edges = tuple(edges)
        self._next_fns = tuple([fn for fn, _ in edges])
        self._next_nrs = intern_nrs(tuple([nr for _, nr in edges]))

    @property
    def metadata(self) -> dict[str, Any]:
        if "_metadata" not in self.__dict__:
            self.__dict__["_metadata"] = {}
        return self.__dict__["_metadata"]

    # -- identity and printing ------------------------------------------------------------------
    def name(self) -> str:
        return self.name_ or type(self).__name__

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {id(self):#x}>"

    @property
    def requires_grad(self) -> bool:
        return True

    @property
    def _sequence_nr(self) -> int:
        return self.id

    # -- saved values ---------------------------------------------------------------------------
    def save(self, /, **values: Any) -> None:
        """Save tensors (version-checked at backward) and plain values (numbers, tuples)."""
        store_saved(self, self._saved, values)

    def saved(self, key: str) -> Any:
        """A saved value; raises PyTorch's "backward twice" error once released."""
        if key in self._released:
            raise RuntimeError(errors.BACKWARD_TWICE)
        v = self._saved[key]
        if isinstance(v, SavedValue):
            return v.unpack()
        if isinstance(v, Tensor):
            # A tensor saved by strong reference (see store_saved): same check as SavedValue.
            versions = self._versions
            version = versions.get(key, 0) if versions is not None else 0
            vc = v._vc
            if (0 if vc is None else vc.value) != version:
                sv = SavedValue(v)
                sv.version = version
                raise RuntimeError(errors.version_mismatch(sv))
        return v

    def saved_names(self) -> tuple[str, ...]:
        return tuple(self._saved or ())

    def release(self) -> tuple[str, ...]:
        """Free saved tensors after backward; returns the names freed (empty if nothing was)."""
        saved = self._saved
        if not saved:
            return ()
        # Lists, not generators: this runs for every node of every backward.
        kinds = (SavedValue, Tensor)
        names = tuple([k for k, v in saved.items() if isinstance(v, kinds)])
        if names:
            self._released = self._released + names
            if len(names) == len(saved):
                self._saved = {}
            else:
                self._saved = {k: v for k, v in saved.items() if not isinstance(v, kinds)}
        return names

    def __getattr__(self, key: str) -> Any:
        # PyTorch exposes saved values as ``_saved_<name>``.
        if key.startswith("_saved_"):
            d = self.__dict__
            name = key[len("_saved_") :]
            if name in d.get("_released", ()) or name in (d.get("_saved") or {}):
                return self.saved(name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{key}'")

    # -- hooks on the node ----------------------------------------------------------------------
    def register_hook(self, fn: Any) -> RemovableHandle:
        """``fn(grad_inputs, grad_outputs)`` after the node runs."""
        if self._hooks is None:
            self._hooks = {}
        return RemovableHandle(self._hooks, fn)

    def register_prehook(self, fn: Any) -> RemovableHandle:
        """``fn(grad_outputs)`` before the node runs; may return replacement grads."""
        if self._pre_hooks is None:
            self._pre_hooks = {}
        return RemovableHandle(self._pre_hooks, fn)

    def add_tensor_hook(self, output_nr: int, fn: Any) -> RemovableHandle:
        if self._tensor_hooks is None:
            self._tensor_hooks = {}
        return RemovableHandle(self._tensor_hooks.setdefault(output_nr, {}), fn)

    def add_retain(self, output_nr: int, t: Tensor) -> None:
        """Make backward store the gradient of output ``output_nr`` on ``t.grad``."""
        if self._retain is None:
            self._retain = {}
        self._retain[output_nr] = weakref.ref(t)

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        fns = self._next_fns
        if len(fns) == 2:  # most formulas ask it of a binary op: no comprehension frame
            return (fns[0] is not None, fns[1] is not None)
        return tuple([fn is not None for fn in fns])

    # -- running --------------------------------------------------------------------------------
    def backward(self, *grads: Tensor) -> tuple[Tensor | None, ...]:
        raise NotImplementedError(f"{self.name_} has no backward formula")

    def __call__(self, *grads: Tensor) -> Any:
        # Measured necessary: node_call runs nodes, so it imports this module; calling a node by
        # hand (``y.grad_fn(g)``) is the one way up into it.
        from visgrad.autograd.node_call import call_node

        out = call_node(self, list(grads))
        return out[0] if len(out) == 1 else out


_nrs_cache: dict[tuple[int, ...], tuple[int, ...]] = {}


def intern_nrs(nrs: tuple[int, ...]) -> tuple[int, ...]:
    """One shared tuple per distinct tuple of output numbers (bounded cache)."""
    shared = _nrs_cache.get(nrs)
    if shared is None:
        if len(_nrs_cache) > 4096:
            _nrs_cache.clear()
        shared = _nrs_cache[nrs] = nrs
    return shared


def store_saved(node: Node, saved: dict[str, Any], values: dict[str, Any]) -> None:
    """Put ``values`` into ``node._saved``; tensors are version-checked when unpacked.

    A saved output gets a SavedValue (a weak reference, so node and output form no cycle). Any
    other tensor is stored as itself, with its version in ``node._versions`` (a dict of ints, which
    the cyclic GC does not track) unless it is 0: a recorded op then leaves no SavedValue objects
    for the GC, and one whose tensors were never changed in place no versions dict either.
    """
    for k, v in values.items():
        if isinstance(v, Tensor):
            node._holds_tensors = True
            if v._fn is node:
                v = SavedValue(v, node)
            else:
                # No counter yet means version 0 (reading ``_version`` would make one).
                vc = v._vc
                if vc is not None and vc.value:
                    versions = node._versions
                    if versions is None:
                        versions = node._versions = {}
                    versions[k] = vc.value
                elif node._versions is not None:
                    # A name saved again (a custom Function's second save) drops its old version.
                    node._versions.pop(k, None)
        saved[k] = v


class AccumulateGrad(Node):
    """The sink node of a leaf: adds the incoming gradient to ``variable.grad``."""

    name_ = "torch::autograd::AccumulateGrad"
    input_names = ()
    _is_accumulator = True
    # It saves nothing: no dict of saved values per leaf and graph.
    _saved = None

    def __init__(self, variable: Tensor) -> None:
        self.id = next(_node_ids)
        self.variable = variable

    @property
    def _sequence_nr(self) -> int:
        return 2**64 - 1


_new_node = object.__new__
_weakref = weakref.ref


def accumulator(t: Tensor) -> AccumulateGrad:
    """The leaf's AccumulateGrad node, shared while any graph holds it (as PyTorch does)."""
    ref = t._acc
    if ref is not None:
        node = ref()
        if node is not None:
            return node
    # AccumulateGrad(t) inlined: a leaf gets a new one in every graph built after the last died.
    node = _new_node(AccumulateGrad)
    node.id = next(_node_ids)
    node.variable = t
    t._acc = _weakref(node)
    return node
