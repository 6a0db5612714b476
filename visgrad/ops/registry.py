"""The op registry: every public op is declared once, on the function that runs it.

``@declare("exp", nodes=ExpBackward0, inplace=True, torch_inplace=True)`` above ``def exp`` says
everything the rest of the package needs: the names in the ``visgrad`` namespace (and in
``visgrad.nn.functional``), the Tensor methods and operators, the in-place variant and the node
classes the function can record. The namespace, Tensor's methods, the type stub
(``visgrad/_api.pyi``) and the completeness tests are all built from this one list, so an op that
is declared is exposed everywhere, and one that is not is exposed nowhere.

Tensor's methods are the declared functions themselves. The decorator returns the function
unchanged, except that a function with ``dim`` or ``keepdim`` also takes NumPy's names for them
(``axis``, ``keepdims``), as PyTorch's argument parser does; and the ``torch`` namespace's form of
a function takes ``out=`` where PyTorch's does (``ops/out.py``).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from visgrad.arg_parser import int_list
from visgrad.ops.gate import gate
from visgrad.ops.none_args import refusing_none
from visgrad.ops.parser_errors import parsed

# ``b + a`` for a Tensor ``a`` and a number ``b`` calls ``a.__radd__(b)``: the operands swap back.
REFLECTED = frozenset(
    {
        "__radd__",
        "__rsub__",
        "__rmul__",
        "__rtruediv__",
        "__rfloordiv__",
        "__rmod__",
        "__rpow__",
        "__rmatmul__",
        "__rand__",
        "__ror__",
        "__rxor__",
    }
)
# ``a += b`` and friends call the op's in-place variant.
AUGMENTED = frozenset(
    {
        "__iadd__",
        "__isub__",
        "__imul__",
        "__itruediv__",
        "__ifloordiv__",
        "__imod__",
        "__ipow__",
        "__iand__",
        "__ior__",
        "__ixor__",
    }
)
NAMESPACES = ("torch", "functional", "linalg")

_NUMPY_NAMES = {"axis": "dim", "keepdims": "keepdim"}


def numpy_names(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` also taking ``axis=`` / ``keepdims=`` where it has ``dim`` / ``keepdim``."""
    params = inspect.signature(fn).parameters
    if not any(params.get(ours) for ours in _NUMPY_NAMES.values()):
        return fn

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        if kwargs:
            for theirs, ours in _NUMPY_NAMES.items():
                if theirs in kwargs:
                    if ours in kwargs:
                        raise TypeError(f"{fn.__name__}() got both '{ours}' and '{theirs}'")
                    kwargs[ours] = kwargs.pop(theirs)
        return fn(*args, **kwargs)

    return call


@dataclass(frozen=True, slots=True)
class Declaration:
    """What one public function is called, where it appears, and which nodes it records."""

    names: tuple[str, ...]  # the first is the op's own name, the rest are aliases ("clip")
    fn: Callable[..., Any]
    nodes: tuple[type, ...]  # node classes ``fn`` can record (empty: composite or not recorded)
    torch: bool  # the names are functions of the ``visgrad`` namespace
    method: bool  # the names are Tensor methods (``t.exp()``)
    functional: bool  # the names are functions of ``visgrad.nn.functional``
    operators: tuple[str, ...]  # Tensor dunders that run ``fn`` ("__add__", "__radd__", "__iadd__")
    inplace: Callable[..., Any] | bool | None  # the in-place variant, ``True``: generated (unary)
    torch_inplace: bool  # the in-place variant is a namespace function too (``torch.exp_``)
    is_property: bool  # the Tensor attribute is a property (``t.T``)
    module: str
    linalg: tuple[str, ...] = ()  # names in ``visgrad.linalg`` (``inv`` for ``inverse``)

    @property
    def inplace_names(self) -> tuple[str, ...]:
        """``exp_`` for ``exp`` (one per name, aliases included)."""
        return tuple(n + "_" for n in self.names) if self.inplace else ()


DECLARATIONS: list[Declaration] = []
_unary_inplace: list[Callable[[type, str], Callable[..., Any]]] = []
_with_out: list[Callable[[str, Callable[..., Any]], Callable[..., Any]]] = []


def declare(
    *names: str,
    nodes: type | tuple[type, ...] = (),
    torch: bool = True,
    method: bool = True,
    functional: bool = False,
    operators: tuple[str, ...] = (),
    inplace: Callable[..., Any] | bool | None = None,
    torch_inplace: bool = False,
    property: bool = False,  # noqa: A002 - reads as the declaration says
    linalg: bool | tuple[str, ...] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare the decorated function public under ``names`` (see the module docstring).

    ``inplace=True`` generates ``t.exp_()`` from the first node class (unary ops without
    attributes); otherwise pass the in-place function itself. ``linalg=True`` puts the names in
    ``visgrad.linalg`` too, less a ``linalg_`` prefix (``"linalg_solve"``: PyTorch's parser names
    the op so in its messages); a tuple gives the names it has there (``torch.inverse`` is
    ``torch.linalg.inv``).
    """
    node_tuple = nodes if isinstance(nodes, tuple) else (nodes,)
    if inplace is True and not node_tuple:
        raise TypeError("declare(inplace=True) generates the in-place method from nodes[0]")
    if torch_inplace and not inplace:
        raise TypeError("declare(torch_inplace=True) needs an in-place variant")

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        if names:  # Python's own argument errors ("got an unexpected keyword") name the qualname
            fn.__qualname__ = names[0]
        fn = numpy_names(gate(fn, names[0] if names else fn.__name__))
        DECLARATIONS.append(
            Declaration(
                tuple(names),
                fn,
                node_tuple,
                torch and bool(names),
                method and bool(names),
                functional,
                tuple(operators),
                inplace,
                torch_inplace,
                property,
                fn.__module__,
                tuple(n.removeprefix("linalg_") for n in names)
                if linalg is True
                else tuple(linalg or ()),
            )
        )
        return fn

    return register


def finish(
    unary_inplace: Callable[[type, str], Callable[..., Any]],
    with_out: Callable[[str, Callable[..., Any]], Callable[..., Any]],
) -> None:
    """Give the registry the maker of generated in-place methods (``ops.inplace.unary``) and of
    the ``torch`` namespace's ``out=`` forms (``ops.out.with_out``).

    ``ops/__init__`` calls this once every op module is imported; the in-place machinery imports
    the op modules' node classes, so it cannot be imported by this module.
    """
    _unary_inplace[:] = [unary_inplace]
    _with_out[:] = [with_out]


def torch_function(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` as the ``torch.<name>`` function (with ``out=``; made once and cached)."""
    key = (name, fn)  # the function itself, not its id: a dropped function's id comes back
    made = _torch_forms.get(key)
    if made is None:
        made = _with_out[0](name, fn) if _with_out else fn
        made = refusing_none(name, one_int_list(name, made), method=False)
        made = _torch_forms[key] = parsed(name, pytorch_keywords(made), "torch")
    return made


def one_int_list(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn(a, *dims)`` as PyTorch's ``torch.`` function: the int list one argument, positional
    or by keyword (``torch.flip(t, (0,))``, ``torch.flip(t, dims=[0])``); ``torch.flip(t, 0)`` is
    a TypeError, as in PyTorch. Other functions are returned unchanged."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return fn
    if (
        len(params) != 2
        or params[0].annotation != "Tensor"
        or params[1].kind is not params[1].VAR_POSITIONAL
    ):
        return fn
    first, listed = params[0].name, params[1].name

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        a = kwargs.pop(first) if first in kwargs and not args else None
        args = (a, *args) if a is not None else args
        if listed in kwargs and len(args) == 1:
            args = (*args, kwargs.pop(listed))
        if kwargs:
            raise TypeError(f"{name}() got an unexpected keyword argument '{next(iter(kwargs))}'")
        if len(args) < 2:
            raise TypeError(f'{name}() missing 1 required positional arguments: "{listed}"')
        if len(args) > 2:
            raise TypeError(f"{name}() takes 2 positional arguments but {len(args)} were given")
        return fn(args[0], int_list(name, listed, args[1], 2))

    return call


def pytorch_keywords(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` also taking its first two operands as PyTorch names them: ``input=``, ``other=``.

    ``torch.add(input=x, other=y)`` is valid PyTorch; our functions name them ``a``, ``b``.
    """
    try:
        params = [
            p
            for p in inspect.signature(fn).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        return fn
    if not params or params[0].name == "input":
        return fn
    takes_other = len(params) > 1 and params[1].name != "other"

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        if kwargs:
            if "input" in kwargs and not args:
                args = (kwargs.pop("input"),)
            if takes_other and "other" in kwargs and len(args) == 1:
                args = (*args, kwargs.pop("other"))
        return fn(*args, **kwargs)

    return call


_torch_forms: dict[tuple[str, Callable[..., Any]], Callable[..., Any]] = {}


def inplace_function(d: Declaration) -> Callable[..., Any] | None:
    """The in-place variant of ``d`` as a callable (generated ones are made once and cached)."""
    if not d.inplace:
        return None
    made = _generated.get(id(d))
    if made is None:
        name = d.names[0] + "_"
        fn = _unary_inplace[0](d.nodes[0], name) if d.inplace is True else d.inplace
        made = _generated[id(d)] = gate(fn, name)
    return made


_generated: dict[int, Callable[..., Any]] = {}


# PyTorch's binary dunders turn the argument parser's TypeError into NotImplemented, so Python
# has its say: ``t == None`` is False, ``t < [1]`` and ``t += [1]`` are Python's TypeErrors.
# ``a += b`` must hand back ``a`` itself (the in-place functions return their first input).
_COMPARISONS = frozenset({"__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"})
_BINARY = frozenset({"__add__", "__sub__", "__mul__", "__truediv__", "__floordiv__", "__mod__",
                     "__pow__", "__matmul__", "__and__", "__or__", "__xor__"})  # fmt: skip


def _dunder(fn: Callable[..., Any], swap: bool = False) -> Callable[..., Any]:
    """``fn`` as a binary dunder (``swap``: a reflected one), made once and cached."""
    key = (fn, swap)
    made = _dunders.get(key)
    if made is None:

        def made(self: Any, other: Any) -> Any:
            try:
                return fn(other, self) if swap else fn(self, other)
            except TypeError:
                return NotImplemented

        _dunders[key] = made
    return made


_dunders: dict[tuple[Callable[..., Any], bool], Callable[..., Any]] = {}


def tensor_attributes() -> Iterator[tuple[str, Any, Declaration]]:
    """Every Tensor attribute the declarations ask for: ``(name, attribute, declaration)``."""
    for d in DECLARATIONS:
        if d.method:
            for n in d.names:
                yield n, (property(d.fn) if d.is_property else _method(n, d.fn)), d
        ip = inplace_function(d)
        if ip is not None:
            for n in d.inplace_names:
                yield n, _method(n, ip), d
        for op in d.operators:
            if op in REFLECTED:
                yield op, _dunder(d.fn, swap=True), d
            elif op in AUGMENTED:
                if ip is None:
                    raise TypeError(f"{op} declared on {d.fn.__name__} without an in-place variant")
                yield op, _dunder(ip), d
            elif op in _COMPARISONS or op in _BINARY:
                yield op, _dunder(d.fn), d
            else:
                yield op, d.fn, d


def _method(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` as the Tensor method ``name`` (made once and cached)."""
    key = (name, fn)
    made = _methods.get(key)
    if made is None:
        made = _methods[key] = parsed(name, refusing_none(name, fn, method=True), "tensor")
    return made


_methods: dict[tuple[str, Callable[..., Any]], Callable[..., Any]] = {}


def namespace(which: str) -> dict[str, Callable[..., Any]]:
    """The functions of namespace ``which`` ("torch", "functional" or "linalg"), by name."""
    if which not in NAMESPACES:
        raise ValueError(f"unknown namespace {which!r}; expected one of {NAMESPACES}")
    out: dict[str, Callable[..., Any]] = {}
    for d in DECLARATIONS:
        if which == "torch" and d.torch:
            for n in d.names:
                _put(out, n, torch_function(n, d.fn), d)
            if d.torch_inplace:
                ip = inplace_function(d)
                for n in d.inplace_names:
                    _put(out, n, parsed(n, ip, "torch"), d)
        elif which == "functional" and d.functional:
            for n in d.names:
                _put(out, n, parsed(n, d.fn, "functional"), d)
        if which == "linalg":
            for n in d.linalg:
                _put(out, n, d.fn, d)
    return out


def _put(out: dict[str, Any], name: str, value: Any, d: Declaration) -> None:
    if name in out and out[name] is not value:
        raise TypeError(f"{name!r} is declared twice (again in {d.module})")
    out[name] = value


def install(cls: type) -> None:
    """Set every declared attribute on ``cls`` (Tensor).

    A name declared twice, or one that ``cls`` defines itself (``Tensor.numel``), is an error:
    the registry never silently replaces a method.
    """
    seen: dict[str, Declaration] = {}
    done = _installed.setdefault(cls, set())
    for name, attr, d in tensor_attributes():
        if name in seen and seen[name] is not d:
            raise TypeError(f"Tensor.{name} is declared twice ({seen[name].module}, {d.module})")
        if name not in seen and name in cls.__dict__ and name not in done:
            raise TypeError(f"Tensor.{name} is declared in {d.module} and defined by Tensor")
        seen[name] = d
        setattr(cls, name, attr)
    done.update(seen)


# Names already installed on each class (installing again is not a clash).
_installed: dict[type, set[str]] = {}


def export(into: dict[str, Any], which: str) -> list[str]:
    """Put namespace ``which`` into a module's globals; a clash with a name there is an error."""
    ns = namespace(which)
    for name, fn in ns.items():
        if name in into and into[name] is not fn:
            raise TypeError(f"declared op {name!r} clashes with {into[name]!r}")
    into.update(ns)
    return sorted(ns)
