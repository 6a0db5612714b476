"""Engine calls with hostile arguments, and what PyTorch does with each.

The ops come from the op registry's generated stubs (``visgrad/_api.pyi``,
``visgrad/nn/_functional_api.pyi``: every namespace function, functional and Tensor method the
registry declares) plus the factories. Each op gets a call that PyTorch accepts (guessed from the
signature, or written below where a guess cannot work), then that call with one argument replaced
by a hostile value (scalars where tensors go, wrong dtypes, None, strings, huge or negative dims,
empty tensors, NaN, mismatched shapes), with a keyword PyTorch does not know, and with its input
tensor in every dtype and in awkward shapes. The calls are deterministic (no random numbers: tensor
values come from a formula of their shape), so the suite rebuilds each one exactly.

Each row records PyTorch's outcome: the exception's class (the builtin one it derives from) and
message, or a summary of the value (shape, dtype, values, and for a float output that requires
grad, the gradients of ``out.sum().backward()``). ``tests/engine/test_engine_fuzz.py`` replays
every row against visgrad. The fixture is written gzip-compressed.

Run with ``/work/torchenv/bin/python scripts/torch_fixtures/engine_fuzz.py``; with op names after
it (``... engine_fuzz.py fmax take``), only those ops' calls are recorded again and merged into the
existing fixture.
"""

from __future__ import annotations

import ast
import builtins
import gzip
import json
import math
import operator
import resource
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812 - PyTorch's own alias

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "torch" / "engine_fuzz.json.gz"
STUBS = {
    "torch": ROOT / "visgrad" / "_api.pyi",
    "F": ROOT / "visgrad" / "nn" / "_functional_api.pyi",
}
SMALL = 16  # outputs with at most this many elements are recorded value by value
BIG = 1 << 20  # outputs with more elements are recorded by shape only

# Ops whose values depend on a random stream: only the outcome class, shape and dtype are compared.
RANDOM = {
    "rand", "randn", "randint", "randperm", "rand_like", "randn_like", "randint_like", "normal",
    "bernoulli", "multinomial", "dropout", "dropout1d", "dropout2d", "uniform_", "normal_",
    "random_", "exponential_", "geometric_", "cauchy_", "log_normal_", "bernoulli_", "empty",
    "empty_like", "new_empty", "rrelu", "alpha_dropout", "feature_alpha_dropout",
}  # fmt: skip
# Never called: they do not compute on their arguments, or they leave the process.
SKIP = {"cuda", "type", "__setitem__", "set_", "share_memory_", "pin_memory", "data_ptr"}
# Calls that crash PyTorch itself (a segmentation fault inside its kernels): not recorded.
CRASHES: set[str] = {
    "torch:pdist:var8",
    # These _weight_norm calls stop PyTorch with a floating-point exception (SIGFPE).
    "torch:_weight_norm:var7",
    "torch:_weight_norm:var8",
    "torch:_weight_norm:arg0h17",
    "torch:_weight_norm:arg0h18",
    "torch:_weight_norm:arg1h13",
}


# -- values: how a call's arguments are written in the fixture ----------------------------------
def T(  # noqa: N802 - reads as a type in the tables below
    shape: tuple[int, ...] = (2, 3), dtype: str = "float32", fill: str = "n", rg: bool = False
) -> dict:
    """A tensor argument: ``{"T": [shape, dtype, fill, requires_grad]}``."""
    return {"T": [list(shape), dtype, fill, rg]}


def fill_array(shape: list[int], dtype: str, fill: str) -> np.ndarray:
    """The values of a tensor argument (the suite has the same formula)."""
    n = int(np.prod(shape)) if shape else 1
    i = np.arange(n, dtype=np.float64)
    if fill == "idx":  # valid indices into a dim of size 2
        v = i % 2
    elif fill == "b":
        v = (i % 3 != 0).astype(np.float64)
    elif fill == "p":
        v = np.abs(np.sin(i * 1.3 + 0.5)) * 0.8 + 0.1
    else:
        v = np.sin(i * 1.3 + 0.5) * 2.5
        if fill == "nan" and n:
            v[0] = np.nan
            v[-1] = np.inf
            if n > 2:
                v[1] = -np.inf
    if dtype == "bool":
        return (v != 0).reshape(shape)
    if dtype.startswith(("int", "uint")):
        if fill == "nan":
            v = np.nan_to_num(v, nan=0.0, posinf=7, neginf=-7)
        v = np.round(v * (1 if fill == "idx" else 2))
        if dtype == "uint8":
            v = np.abs(v)
    return v.astype(dtype).reshape(shape)


def encode(x: Any) -> Any:
    """A value written in our own terms (tensors are already specs)."""
    if isinstance(x, float) and not math.isfinite(x):
        return {"f": repr(x)}
    if isinstance(x, tuple):
        return {"U": [encode(v) for v in x]}
    if isinstance(x, list):
        return [encode(v) for v in x]
    if isinstance(x, dict) and not ({"T", "dt", "f", "U", "sl", "E"} & set(x)):
        raise TypeError(f"cannot encode {x!r}")
    return x


def decode(x: Any, made: list) -> Any:
    if isinstance(x, list):
        return [decode(v, made) for v in x]
    if isinstance(x, dict):
        if "T" in x:
            shape, dtype, fill, rg = x["T"]
            t = torch.tensor(fill_array(shape, dtype, fill))
            if rg:
                t.requires_grad_(True)
            made.append(t)
            return t
        if "U" in x:
            return tuple(decode(v, made) for v in x["U"])
        if "f" in x:
            return float(x["f"])
        if "dt" in x:
            return getattr(torch, x["dt"])
        if "sl" in x:
            return slice(*x["sl"])
        if "E" in x:
            return Ellipsis
    return x


# -- the ops ------------------------------------------------------------------------------------
def stub_ops() -> list[tuple[str, str, list[tuple[str, str, bool, bool]]]]:
    """``(form, name, params)`` for every op in the stubs; a param is (name, annotation,
    has_default, keyword_only); the method form's params leave out ``self``."""
    ops = []
    for form, path in STUBS.items():
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                ops.append((form, node.name, _params(node.args, False)))
            elif isinstance(node, ast.ClassDef) and node.name == "TensorMethods":
                for fn in node.body:
                    if isinstance(fn, ast.FunctionDef):
                        prop = any(
                            isinstance(d, ast.Name) and d.id == "property"
                            for d in fn.decorator_list
                        )
                        ops.append(("prop" if prop else "method", fn.name, _params(fn.args, True)))
    return ops


def _params(args: ast.arguments, method: bool) -> list[tuple[str, str, bool, bool]]:
    pos = args.posonlyargs + args.args
    defaults = [False] * (len(pos) - len(args.defaults)) + [True] * len(args.defaults)
    out = [
        (a.arg, ast.unparse(a.annotation) if a.annotation else "Any", d, False)
        for a, d in zip(pos, defaults, strict=True)
    ]
    if args.vararg is not None:
        out.append(("*" + args.vararg.arg, "Any", True, False))
    for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        out.append(
            (a.arg, ast.unparse(a.annotation) if a.annotation else "Any", d is not None, True)
        )
    if method:
        out = out[1:]
    return [p for p in out if p[0] != "out"]


FACTORIES = {
    "tensor": ([[1.0, 2.0]], {}),
    "as_tensor": ([[1, 2]], {}),
    "zeros": ([2, 3], {}),
    "ones": ([2, 3], {}),
    "empty": ([2, 3], {}),
    "full": ([(2, 3), 1.5], {}),
    "eye": ([3], {}),
    "arange": ([0, 5, 1], {}),
    "linspace": ([0.0, 1.0, 5], {}),
    "logspace": ([0.0, 1.0, 5], {}),
    "zeros_like": ([T()], {}),
    "ones_like": ([T()], {}),
    "empty_like": ([T()], {}),
    "full_like": ([T(), 2.0], {}),
}

X = T((2, 3), rg=True)
SQ = T((3, 3), rg=True)
IMG = T((1, 2, 5, 5), rg=True)
SEQ = T((1, 2, 6), rg=True)
VOL = T((1, 2, 4, 4, 4), rg=True)
LBL = T((2,), "int64", "idx")
# Calls PyTorch accepts, where the signature alone does not say what to pass.
BASE: dict[str, tuple[list, dict]] = {
    "torch:reshape": ([X, (3, 2)], {}),
    "torch:permute": ([X, (1, 0)], {}),
    "torch:flip": ([X, (0,)], {}),
    "torch:embedding": ([T((4, 2), rg=True), T((3,), "int64", "idx")], {}),
    "torch:batch_norm": (
        [X, T((3,)), T((3,)), T((3,)), T((3,), fill="p"), False, 0.1, 1e-5, False],
        {},
    ),
    "method:where": ([X, T((2, 3), "bool", "b"), T()], {}),
    "__matmul__": ([X, T((3, 2))], {}),
    "reshape": ([X, 3, 2], {}),
    "view": ([X, 3, 2], {}),
    "permute": ([X, 1, 0], {}),
    "expand": ([T((3, 1), rg=True), 3, 4], {}),
    "repeat": ([X, 2, 1], {}),
    "tile": ([X, (2, 1)], {}),
    "flip": ([X, 0], {}),
    "transpose": ([X, 0, 1], {}),
    "swapaxes": ([X, 0, 1], {}),
    "swapdims": ([X, 0, 1], {}),
    "movedim": ([X, 0, 1], {}),
    "moveaxis": ([X, 0, 1], {}),
    "unflatten": ([X, 1, (3, 1)], {}),
    "broadcast_to": ([T((3,), rg=True), (2, 3)], {}),
    "view_as": ([X, T((3, 2))], {}),
    "reshape_as": ([X, T((3, 2))], {}),
    "expand_as": ([T((1, 3), rg=True), T((2, 3))], {}),
    "type_as": ([X, T((2,), "float64")], {}),
    "select": ([X, 0, 1], {}),
    "narrow": ([X, 1, 0, 2], {}),
    "split": ([X, 1, 1], {}),
    "unsafe_split": ([X, 1, 1], {}),
    "chunk": ([X, 2, 1], {}),
    "unsafe_chunk": ([X, 2, 1], {}),
    "cat": ([[X, T((1, 3))], 0], {}),
    "concat": ([[X, T((1, 3))], 0], {}),
    "concatenate": ([[X, T((1, 3))], 0], {}),
    "stack": ([[X, T((2, 3))], 0], {}),
    "meshgrid": ([T((2,)), T((3,))], {"indexing": "ij"}),
    "einsum": (["ij,jk->ik", X, T((3, 2))], {}),
    "dot": ([T((3,), rg=True), T((3,))], {}),
    "mv": ([X, T((3,))], {}),
    "mm": ([X, T((3, 2))], {}),
    "bmm": ([T((2, 2, 3), rg=True), T((2, 3, 2))], {}),
    "matmul": ([X, T((3, 2))], {}),
    "outer": ([T((2,), rg=True), T((3,))], {}),
    "ger": ([T((2,), rg=True), T((3,))], {}),
    "addmm": ([T((2, 2)), X, T((3, 2))], {}),
    "linear": ([X, T((4, 3)), T((4,))], {}),
    "bilinear": ([X, T((2, 3)), T((4, 3, 3))], {}),
    "where": ([T((2, 3), "bool", "b"), X, T((2, 3))], {}),
    "masked_fill": ([X, T((2, 3), "bool", "b"), 0.5], {}),
    "masked_scatter": ([X, T((2, 3), "bool", "b"), T((2, 3))], {}),
    "masked_select": ([X, T((2, 3), "bool", "b")], {}),
    "gather": ([X, 1, T((2, 2), "int64", "idx")], {}),
    "index_select": ([X, 1, T((2,), "int64", "idx")], {}),
    "scatter": ([X, 1, T((2, 2), "int64", "idx"), T((2, 2))], {}),
    "scatter_add": ([X, 1, T((2, 2), "int64", "idx"), T((2, 2))], {}),
    "index_add": ([X, 1, T((2,), "int64", "idx"), T((2, 2))], {}),
    "index_copy": ([X, 1, T((2,), "int64", "idx"), T((2, 2))], {}),
    "index_fill": ([X, 1, T((2,), "int64", "idx"), 0.5], {}),
    "scatter_": ([T(), 1, T((2, 2), "int64", "idx"), T((2, 2))], {}),
    "scatter_add_": ([T(), 1, T((2, 2), "int64", "idx"), T((2, 2))], {}),
    "index_add_": ([T(), 1, T((2,), "int64", "idx"), T((2, 2))], {}),
    "index_copy_": ([T(), 1, T((2,), "int64", "idx"), T((2, 2))], {}),
    "index_fill_": ([T(), 1, T((2,), "int64", "idx"), 0.5], {}),
    "masked_fill_": ([T(), T((2, 3), "bool", "b"), 0.5], {}),
    "masked_scatter_": ([T(), T((2, 3), "bool", "b"), T((2, 3))], {}),
    "copy_": ([T(), T((2, 3), "float64")], {}),
    "fill_": ([T(), 1.5], {}),
    "zero_": ([T()], {}),
    "embedding": ([T((3,), "int64", "idx"), T((4, 2), rg=True)], {}),
    "one_hot": ([T((3,), "int64", "idx")], {}),
    "bincount": ([T((5,), "int64", "idx")], {}),
    "histc": ([X], {}),
    "histogram": ([X], {"bins": 3}),
    "conv1d": ([SEQ, T((3, 2, 3), rg=True)], {}),
    "conv2d": ([IMG, T((3, 2, 3, 3), rg=True)], {}),
    "conv3d": ([VOL, T((3, 2, 2, 2, 2), rg=True)], {}),
    "conv_transpose1d": ([SEQ, T((2, 3, 3), rg=True)], {}),
    "conv_transpose2d": ([IMG, T((2, 3, 3, 3), rg=True)], {}),
    "conv_transpose3d": ([VOL, T((2, 3, 2, 2, 2), rg=True)], {}),
    "max_pool1d": ([SEQ, 2], {}),
    "max_pool2d": ([IMG, 2], {}),
    "max_pool3d": ([VOL, 2], {}),
    "avg_pool1d": ([SEQ, 2], {}),
    "avg_pool2d": ([IMG, 2], {}),
    "avg_pool3d": ([VOL, 2], {}),
    "adaptive_avg_pool1d": ([SEQ, 3], {}),
    "adaptive_max_pool1d": ([SEQ, 3], {}),
    "adaptive_avg_pool2d": ([IMG, 2], {}),
    "adaptive_max_pool2d": ([IMG, 2], {}),
    "pad": ([X, (1, 1)], {}),
    "batch_norm": ([X, T((3,)), T((3,), fill="p")], {}),
    "layer_norm": ([X, (3,)], {}),
    "group_norm": ([T((2, 4), rg=True), 2], {}),
    "instance_norm": ([SEQ], {}),
    "scaled_dot_product_attention": ([T((1, 2, 3), rg=True), T((1, 2, 3)), T((1, 2, 3))], {}),
    "cross_entropy": ([X, LBL], {}),
    "nll_loss": ([X, LBL], {}),
    "mse_loss": ([X, T()], {}),
    "l1_loss": ([X, T()], {}),
    "smooth_l1_loss": ([X, T()], {}),
    "huber_loss": ([X, T()], {}),
    "kl_div": ([X, T(fill="p")], {}),
    "binary_cross_entropy": ([T(fill="p", rg=True), T(fill="p")], {}),
    "binary_cross_entropy_with_logits": ([X, T(fill="p")], {}),
    "cosine_similarity": ([X, T()], {}),
    "pairwise_distance": ([X, T()], {}),
    "topk": ([X, 2], {}),
    "cumsum": ([X, 1], {}),
    "logsumexp": ([X, 1], {}),
    "softmax": ([X, 1], {}),
    "log_softmax": ([X, 1], {}),
    "softmin": ([X, 1], {}),
    "glu": ([T((2, 4), rg=True)], {}),
    "threshold": ([X, 0.1, 0.0], {}),
    "threshold_": ([T(), 0.1, 0.0], {}),
    "multinomial": ([T((3,), fill="p"), 2], {}),
    "bernoulli": ([T(fill="p")], {}),
    "randint": ([0, 5, (2, 3)], {}),
    "randint_like": ([T(), 5], {}),
    "randperm": ([4], {}),
    "rand": ([2, 3], {}),
    "randn": ([2, 3], {}),
    "normal": ([T(), T(fill="p")], {}),
    "geometric_": ([T(), 0.5], {}),
    "new_full": ([T(), (2,), 1.5], {}),
    "new_tensor": ([T(), [1.0, 2.0]], {}),
    "new_zeros": ([T(), 2, 3], {}),
    "new_ones": ([T(), 2, 3], {}),
    "new_empty": ([T(), 2, 3], {}),
    "to": ([X, {"dt": "float64"}], {}),
    "trace": ([SQ], {}),
    "diag": ([SQ], {}),
    "diagonal": ([SQ], {}),
    "tril": ([SQ], {}),
    "triu": ([SQ], {}),
    "roll": ([X, 1, 1], {}),
    "repeat_interleave": ([X, 2], {}),
    "unbind": ([X, 0], {}),
    "maximum": ([X, T()], {}),
    "minimum": ([X, T()], {}),
    "equal": ([X, T()], {}),
    "allclose": ([X, T()], {}),
    "isclose": ([X, T()], {}),
    "xlogy": ([X, T(fill="p")], {}),
    "clamp_min": ([X, 0.0], {}),
    "clamp_max": ([X, 0.0], {}),
    "clamp": ([X, -1.0, 1.0], {}),
    "clip": ([X, -1.0, 1.0], {}),
    "pow": ([X, 2], {}),
    "__getitem__": ([X, 0], {}),
    "is_tensor": ([X], {}),
    "numel": ([X], {}),
}
TENSOR_ANNOT = ("Tensor",)
INT_DEFAULTS = {
    "dim": 1, "dim0": 0, "dim1": 1, "k": 1, "chunks": 2, "split_size": 1, "index": 0, "start": 0,
    "length": 1, "num_samples": 1, "n": 4, "num_groups": 1, "p": 0.5, "value": 0.5,
    "threshold": 0.1, "axis0": 0, "axis1": 1, "output_size": 2, "kernel_size": 2,
    "size": (2,), "sizes": (3, 1), "source": 0, "destination": 1, "shifts": 1, "repeats": 2,
    "min": 0.0, "max": 1.0, "other": 0.5, "exponent": 2, "b": 0.5, "fill_value": 1.5,
    "normalized_shape": (3,), "split_size_or_sections": 1, "weight": None, "data": [1.0],
    "mean": 0.0, "std": 1.0, "src": 1.0,
}  # fmt: skip
TENSOR_PARAMS = {"input", "a", "self", "t", "x1", "x2", "m", "v", "mat1", "mat2", "tensor"}


def inplace(name: str) -> bool:
    return name.endswith("_") or name.startswith("__i")


def no_grad(args: list) -> list:
    """In-place ops on a leaf that requires grad only raise: their inputs do not require it."""
    return [{"T": [*a["T"][:3], False]} if isinstance(a, dict) and "T" in a else a for a in args]


def baseline(form: str, name: str, params: list) -> tuple[list, dict] | None:
    got = _baseline(form, name, params)
    if got is not None and inplace(name):
        got = (no_grad(got[0]), got[1])
    return got


def _baseline(form: str, name: str, params: list) -> tuple[list, dict] | None:
    if f"{form}:{name}" in BASE:
        args, kwargs = BASE[f"{form}:{name}"]
        return list(args), dict(kwargs)
    if name in BASE:
        args, kwargs = BASE[name]
        if form in ("method", "prop"):
            if not args or not isinstance(args[0], dict) or "T" not in args[0]:
                return None
        return list(args), dict(kwargs)
    args: list = [X] if form in ("method", "prop") else []
    for pname, annot, has_default, kwonly in params:
        if has_default or kwonly or pname.startswith("*"):
            continue
        if annot in TENSOR_ANNOT or pname in TENSOR_PARAMS:
            args.append(X if not args else T())
        elif pname in INT_DEFAULTS:
            args.append(INT_DEFAULTS[pname])
        elif annot in ("Tensor | None", "Any") and pname in ("target", "other", "mask", "weight"):
            args.append(T())
        else:
            args.append(1)
    return args, {}


# Hostile values for an argument.
HOSTILE: list[Any] = [
    None, 1.5, 3, -1, True, "a", [1, 2], (), [], 2**62, -(2**62), {"f": "nan"}, {"f": "inf"},
    {"dt": "float64"}, T((2, 3), "int64"), T((2, 3), "bool", "b"), T(()), T((0,)), T((0, 3)),
    T((2, 3), fill="nan"), T((4, 5)), T((2, 3), "float64"), [T(), 1], T((1,)), 10, -5, 0,
    T((2, 3), "uint8"), T((3,), "int64", "idx"), [[1.0, 2.0], [3.0]], {"sl": [0, 2]},
]  # fmt: skip
# For arguments after the first, the ones most likely to show something new.
HOSTILE_LATER: list[Any] = [
    None, 1.5, -1, True, "a", [1, 2], (), 2**62, {"f": "nan"}, {"dt": "float64"},
    T((2, 3), "int64"), T((2, 3), "bool", "b"), T(()), T((0, 3)), T((4, 5)), 10, -5, 0,
]  # fmt: skip
# The input tensor in every dtype and in awkward shapes.
VARIANTS: list[dict] = [
    T((2, 3), "float64", rg=True), T((2, 3), "float16"), T((2, 3), "int64"), T((3,), "int32"),
    T((2, 3), "bool", "b"), T((4,), "uint8"), T((), rg=True), T((0,), rg=True),
    T((0, 3), rg=True), T((1,), rg=True), T((2, 3, 4), rg=True), T((2, 3), fill="nan", rg=True),
    T((3, 1), rg=True), T((2, 3), "int8"),
]  # fmt: skip
SECONDARY_VARIANTS = {2, 4, 7, 11}  # int64, bool, empty, NaN
KEYWORD_HOSTILE: list[Any] = [None, "a", 1.5, -1, 2**62, True, (), T(())]
OPERATORS = {
    "__add__": operator.add, "__sub__": operator.sub, "__mul__": operator.mul,
    "__truediv__": operator.truediv, "__floordiv__": operator.floordiv, "__mod__": operator.mod,
    "__pow__": operator.pow, "__matmul__": operator.matmul, "__eq__": operator.eq,
    "__ne__": operator.ne, "__lt__": operator.lt, "__le__": operator.le, "__gt__": operator.gt,
    "__ge__": operator.ge, "__iadd__": operator.iadd, "__isub__": operator.isub,
    "__imul__": operator.imul, "__itruediv__": operator.itruediv, "__ipow__": operator.ipow,
    "__neg__": operator.neg, "__pos__": operator.pos, "__abs__": operator.abs,
}  # fmt: skip


def cases() -> list[dict]:
    out: list[dict] = []
    seen: set[str] = set()

    def add(form: str, name: str, args: list, kwargs: dict, tag: str, bw: bool = False) -> None:
        row = {
            "form": form,
            "op": name,
            "args": encode(args),
            "kwargs": {k: encode(v) for k, v in kwargs.items()},
        }
        key = json.dumps(row, sort_keys=True)
        if key in seen:
            return
        seen.add(key)
        row["id"] = f"{form}:{name}:{tag}"
        if bw:
            row["bw"] = True
        out.append(row)

    ops = stub_ops()
    ops += [("torch", n, []) for n in FACTORIES]
    done_primary: set[str] = set()
    for form, name, params in ops:
        if name in SKIP or (
            name.startswith("__") and name not in OPERATORS and name != "__getitem__"
        ):
            continue
        if name in FACTORIES and form == "torch":
            args, kwargs = FACTORIES[name]
            args, kwargs = list(args), dict(kwargs)
        else:
            got = baseline(form, name, params)
            if got is None:
                continue
            args, kwargs = got
        if name in OPERATORS:
            form = "operator"
        add(form, name, args, kwargs, "base", bw=True)
        tensor_at = [i for i, a in enumerate(args) if isinstance(a, dict) and "T" in a]
        primary = name not in done_primary and form != "prop"
        # Variants of the first tensor argument: all of them in the op's first form, a few in its
        # other forms (the same kernels run).
        if tensor_at:
            i = tensor_at[0]
            variants = no_grad(VARIANTS) if inplace(name) else VARIANTS
            for k, v in enumerate(variants):
                if primary or k in SECONDARY_VARIANTS:
                    add(form, name, args[:i] + [v] + args[i + 1 :], kwargs, f"var{k}", bw=True)
        if not primary:
            continue
        done_primary.add(name)
        # Each argument replaced by a hostile value.
        first = 1 if form in ("method", "operator") else 0
        for i in range(first, min(len(args), 4)):
            pool = HOSTILE if i == first else HOSTILE_LATER
            for k, h in enumerate(pool):
                add(form, name, args[:i] + [h] + args[i + 1 :], kwargs, f"arg{i}h{k}")
        if form not in ("operator",):
            add(form, name, args, {**kwargs, "bogus": 1}, "kwbogus")
            # A missing argument, and one too many.
            if args:
                add(form, name, args[:-1], kwargs, "fewer")
            add(form, name, [*args, 1], kwargs, "extra")
            # Keyword parameters with defaults given hostile values.
            kws = [p for p in params if p[2] and not p[0].startswith("*")]
            for pname, _annot, _d, _kwonly in kws[:4]:
                if pname in kwargs or pname in ("generator", "device", "_stacklevel", "out"):
                    continue
                for k, h in enumerate(KEYWORD_HOSTILE):
                    add(form, name, args, {**kwargs, pname: h}, f"kw:{pname}h{k}")
    # Python operators with a number on the left (the reflected dunders).
    for name in ("__add__", "__sub__", "__mul__", "__truediv__", "__floordiv__", "__mod__",
                 "__pow__", "__matmul__"):  # fmt: skip
        for k, h in enumerate([2, 1.5, True, "a", None, [1, 2], {"f": "nan"}, 0]):
            add("operator", name, [h, X], {}, f"left{k}")
    # Integer arithmetic PyTorch defines (division by zero, wrapping).
    for name in ("__floordiv__", "__mod__", "__truediv__", "__mul__", "__add__", "__sub__"):
        for dt in ("int64", "int32", "uint8", "int8"):
            for k, h in enumerate([0, -1, 300, T((2, 3), dt, "idx"), 2.5]):
                add("operator", name, [T((2, 3), dt), h], {}, f"int:{dt}h{k}")
    return out


# -- outcomes -------------------------------------------------------------------------------------
def builtin_class(e: BaseException) -> str:
    for c in type(e).__mro__:
        if getattr(builtins, c.__name__, None) is c:
            return c.__name__
    return type(e).__name__


def summary(x: Any, random: bool) -> Any:
    if isinstance(x, torch.Tensor):
        return tensor_summary(x, random)
    if isinstance(x, (tuple, list)):
        return {"seq": [summary(v, random) for v in x]}
    if isinstance(x, torch.Size):
        return {"size": list(x)}
    if isinstance(x, (bool, int)):
        return {"py": x}
    if isinstance(x, float):
        return {"py": x if math.isfinite(x) else repr(x)}
    if x is None:
        return {"none": True}
    if isinstance(x, torch.dtype):
        return {"dtype": str(x).removeprefix("torch.")}
    return {"obj": type(x).__name__}


def tensor_summary(t: torch.Tensor, random: bool) -> dict:
    t = t.detach()
    out: dict[str, Any] = {"s": list(t.shape), "d": str(t.dtype).removeprefix("torch.")}
    if random or t.numel() > BIG:
        return out
    a = (t if t.dtype != torch.bfloat16 else t.float()).numpy(force=True)
    out["v"] = values(a)
    return out


def values(a: np.ndarray) -> Any:
    if a.dtype == np.bool_:
        a = a.astype(np.int64)
    if a.size <= SMALL:
        return [
            v if not isinstance(v, float) or math.isfinite(v) else repr(v)
            for v in a.ravel().tolist()
        ]
    f = a.astype(np.float64)
    fin = np.isfinite(f)
    return {
        "sum": float(f[fin].sum()),
        "abs": float(np.abs(f[fin]).sum()),
        "nan": int(np.isnan(f).sum()),
        "inf": int(np.isposinf(f).sum()),
        "ninf": int(np.isneginf(f).sum()),
    }


def call(row: dict) -> Any:
    made: list = []
    args = decode(row["args"], made)
    kwargs = {k: decode(v, made) for k, v in row["kwargs"].items()}
    form, name = row["form"], row["op"]
    if form == "torch":
        fn = getattr(torch, name)
    elif form == "F":
        fn = getattr(F, name)
    elif form == "operator":
        fn = OPERATORS[name]
    elif form == "prop":
        return getattr(args[0], name), made
    else:
        fn = getattr(args[0], name)
        args = args[1:]
    return fn(*args, **kwargs), made


def outcome(row: dict) -> dict:
    torch.manual_seed(0)
    random = row["op"] in RANDOM
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value, made = call(row)
            got: dict[str, Any] = {"ok": summary(value, random)}
            first = value[0] if isinstance(value, (tuple, list)) and value else value
            if (
                row.get("bw")
                and isinstance(first, torch.Tensor)
                and first.requires_grad
                and not random
            ):
                try:
                    first.sum().backward()
                    got["grads"] = [
                        tensor_summary(t.grad, False) if t.grad is not None else None
                        for t in made
                        if t.requires_grad
                    ]
                except Exception as e:  # noqa: BLE001 - recorded
                    got["grads_error"] = builtin_class(e)
    except Exception as e:  # noqa: BLE001 - the outcome we record
        msg = str(e).strip().splitlines()
        return {"e": builtin_class(e), "m": (msg[0] if msg else "")[:160]}
    return got


def main(only: set[str] | None = None) -> None:
    """Record every call; with ``only`` (op names on the command line), record just those ops'
    calls and merge them into the existing fixture, keeping every other row as it was."""
    resource.setrlimit(resource.RLIMIT_AS, (6 << 30, resource.RLIM_INFINITY))
    rows, unstable = [], []
    counts: dict[str, int] = {}
    for row in cases():
        if row["id"] in CRASHES or (only is not None and row["op"] not in only):
            continue
        row["torch"] = outcome(row)
        # A call whose outcome PyTorch itself does not repeat (conv3d with a huge stride reads
        # memory it never wrote) cannot be compared: it is left out, and named.
        if outcome(row) != row["torch"]:
            unstable.append(row["id"])
            continue
        rows.append(row)
        k = row["torch"].get("e", "ok")
        counts[k] = counts.get(k, 0) + 1
    if unstable:
        print(f"left out, not repeatable in PyTorch: {unstable}", file=sys.stderr)
    if only is not None:
        kept = json.loads(gzip.decompress(OUT.read_bytes()))["cases"]
        rows = [r for r in kept if r["op"] not in only] + rows
    data = {"torch_version": torch.__version__, "cases": rows}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    blob = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
    OUT.write_bytes(gzip.compress(blob, 9, mtime=0))
    print(f"wrote {OUT}: {len(rows)} calls, {OUT.stat().st_size} bytes; {counts}", file=sys.stderr)


if __name__ == "__main__":
    main(set(sys.argv[1:]) or None)
