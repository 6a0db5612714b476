"""Engine calls with hostile arguments give PyTorch's outcome (``engine_fuzz.json.gz``).

``scripts/torch_fixtures/engine_fuzz.py`` recorded what PyTorch does with each call: an exception
(its builtin class and message) or a value (shape, dtype, values, gradients). Replayed here:

- no call ever raises one of NumPy's or Python's internal exceptions (``AxisError``,
  ``AttributeError``, ``KeyError``, ``ZeroDivisionError``, ...) unless PyTorch raises that class too;
- every call raises the class PyTorch raises, or succeeds where PyTorch does with the same values,
  except the calls listed in ``engine_fuzz_known.txt``. That list only shrinks: a call that starts
  to differ fails the test, and so does a listed call that now matches (take it off the list);
- where both raise the same class, the message (its first line, as recorded) is PyTorch's too,
  except the calls listed in ``engine_fuzz_messages_known.txt``, a list that only shrinks as well.
"""

from __future__ import annotations

import gzip
import json
import math
import operator
import resource
import signal
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import visgrad
import visgrad.nn.functional as F  # noqa: N812 - PyTorch's alias
from visgrad.tensor import Size, Tensor

HERE = Path(__file__).resolve().parent
FIXTURE = HERE.parent / "fixtures" / "torch" / "engine_fuzz.json.gz"
KNOWN = HERE / "engine_fuzz_known.txt"
KNOWN_MESSAGES = HERE / "engine_fuzz_messages_known.txt"
SMALL = 16
BIG = 1 << 20
# Classes a user may see: PyTorch's own. Anything else (NumPy's classes, AttributeError, KeyError,
# ZeroDivisionError, OverflowError, MemoryError, ...) is an internal error leaking out, unless
# PyTorch raises that very class for the call.
ALLOWED = {"TypeError", "RuntimeError", "IndexError", "ValueError", "NotImplementedError"}
RANDOM = {
    "rand", "randn", "randint", "randperm", "rand_like", "randn_like", "randint_like", "normal",
    "bernoulli", "multinomial", "dropout", "dropout1d", "dropout2d", "uniform_", "normal_",
    "random_", "exponential_", "geometric_", "cauchy_", "log_normal_", "bernoulli_", "empty",
    "empty_like", "new_empty", "rrelu", "alpha_dropout", "feature_alpha_dropout",
}  # fmt: skip
OPERATORS = {
    "__add__": operator.add, "__sub__": operator.sub, "__mul__": operator.mul,
    "__truediv__": operator.truediv, "__floordiv__": operator.floordiv, "__mod__": operator.mod,
    "__pow__": operator.pow, "__matmul__": operator.matmul, "__eq__": operator.eq,
    "__ne__": operator.ne, "__lt__": operator.lt, "__le__": operator.le, "__gt__": operator.gt,
    "__ge__": operator.ge, "__iadd__": operator.iadd, "__isub__": operator.isub,
    "__imul__": operator.imul, "__itruediv__": operator.itruediv, "__ipow__": operator.ipow,
    "__neg__": operator.neg, "__pos__": operator.pos, "__abs__": operator.abs,
}  # fmt: skip
SECONDS_PER_CALL = 10


class Hang(BaseException):
    """A call ran past ``SECONDS_PER_CALL`` (a BaseException: ``except Exception`` in the engine
    must not swallow it)."""


def fill_array(shape: list[int], dtype: str, fill: str) -> np.ndarray:
    """The values of a tensor argument (the same formula as the fixture script's)."""
    n = int(np.prod(shape)) if shape else 1
    i = np.arange(n, dtype=np.float64)
    if fill == "idx":
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


def decode(x: Any, made: list) -> Any:
    if isinstance(x, list):
        return [decode(v, made) for v in x]
    if isinstance(x, dict):
        if "T" in x:
            shape, dtype, fill, rg = x["T"]
            t = visgrad.from_numpy(fill_array(shape, dtype, fill))
            if rg:
                t.requires_grad_(True)
            made.append(t)
            return t
        if "U" in x:
            return tuple(decode(v, made) for v in x["U"])
        if "f" in x:
            return float(x["f"])
        if "dt" in x:
            return getattr(visgrad, x["dt"])
        if "sl" in x:
            return slice(*x["sl"])
        if "E" in x:
            return Ellipsis
    return x


def call(row: dict) -> tuple[Any, list]:
    made: list = []
    args = decode(row["args"], made)
    kwargs = {k: decode(v, made) for k, v in row["kwargs"].items()}
    form, name = row["form"], row["op"]
    if form == "prop":
        return getattr(args[0], name), made
    if form == "torch":
        fn = getattr(visgrad, name)
    elif form == "F":
        fn = getattr(F, name)
    elif form == "operator":
        fn = OPERATORS[name]
    else:
        fn = getattr(args[0], name)
        args = args[1:]
    return fn(*args, **kwargs), made


def builtin_class(e: BaseException) -> str:
    import builtins

    for c in type(e).__mro__:
        if getattr(builtins, c.__name__, None) is c:
            return c.__name__
    return type(e).__name__


def user_facing(e: BaseException, torch_class: str | None) -> bool:
    """Whether ``e`` is an error PyTorch could raise: one of its classes, or visgrad's own."""
    cls = type(e)
    if cls.__module__.startswith("visgrad"):
        return builtin_class(e) in ALLOWED
    return cls.__module__ == "builtins" and (cls.__name__ in ALLOWED or cls.__name__ == torch_class)


def tensor_summary(t: Tensor, random: bool) -> dict:
    out: dict[str, Any] = {"s": list(t.shape), "d": str(t.dtype).removeprefix("torch.")}
    if random or t.numel() > BIG:
        return out
    out["v"] = values(np.asarray(t.detach()._data))
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


def summary(x: Any, random: bool) -> Any:
    if isinstance(x, Tensor):
        return tensor_summary(x, random)
    if isinstance(x, Size):
        return {"size": list(x)}
    if isinstance(x, (tuple, list)):
        return {"seq": [summary(v, random) for v in x]}
    if isinstance(x, (bool, int)):
        return {"py": x}
    if isinstance(x, float):
        return {"py": x if math.isfinite(x) else repr(x)}
    if x is None:
        return {"none": True}
    if isinstance(x, visgrad.dtype):
        return {"dtype": str(x).removeprefix("torch.")}
    return {"obj": type(x).__name__}


def outcome(row: dict) -> tuple[dict, BaseException | None]:
    """Our outcome for ``row``, in the fixture's terms, and the exception raised (if any)."""
    visgrad.manual_seed(0)
    random = row["op"] in RANDOM
    try:
        value, made = call(row)
        got: dict[str, Any] = {"ok": summary(value, random)}
        first = value[0] if isinstance(value, (tuple, list)) and value else value
        if row.get("bw") and isinstance(first, Tensor) and first.requires_grad and not random:
            try:
                first.sum().backward()
                got["grads"] = [
                    tensor_summary(t.grad, False) if t.grad is not None else None
                    for t in made
                    if t.requires_grad
                ]
            except Exception as e:  # noqa: BLE001 - compared with PyTorch's outcome
                got["grads_error"] = builtin_class(e)
                return got, e
    except Exception as e:  # noqa: BLE001 - compared with PyTorch's outcome
        lines = str(e).strip().splitlines()
        return {"e": builtin_class(e), "m": (lines[0] if lines else "")[:160]}, e
    return got, None


def _close(a: Any, b: Any, rtol: float) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return a == b  # "nan", "inf", "-inf"
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    return math.isclose(a, b, rel_tol=rtol, abs_tol=rtol)


def same(theirs: Any, ours: Any, dtype: str = "") -> bool:
    """Whether two summaries agree (values within the dtype's precision)."""
    if type(theirs) is not type(ours):
        return False
    if isinstance(theirs, dict):
        if set(theirs) != set(ours):
            return False
        dt = theirs.get("d", dtype)
        return all(same(theirs[k], ours[k], dt) for k in theirs)
    if isinstance(theirs, list):
        return len(theirs) == len(ours) and all(
            same(x, y, dtype) for x, y in zip(theirs, ours, strict=True)
        )
    if isinstance(theirs, (int, float)) and not isinstance(theirs, bool):
        rtol = 1e-6 if dtype == "float64" else (1e-2 if dtype in ("float16", "bfloat16") else 1e-4)
        return _close(theirs, ours, rtol)
    return theirs == ours


def verdict(row: dict, ours: dict) -> str | None:
    """None when our outcome matches PyTorch's, else what differs ("class", "value", "grad")."""
    theirs = row["torch"]
    if "e" in theirs or "e" in ours:
        return None if theirs.get("e") == ours.get("e") else "class"
    if not same(theirs["ok"], ours["ok"]):
        return "value"
    if theirs.get("grads_error") != ours.get("grads_error"):
        return "grad"
    if not same(theirs.get("grads"), ours.get("grads")):
        return "grad"
    return None


def message_differs(row: dict, ours: dict) -> bool:
    """Whether both raise the same class with different messages (first lines)."""
    theirs = row["torch"]
    return "e" in theirs and theirs["e"] == ours.get("e") and theirs["m"] != ours["m"]


def load_cases() -> list[dict]:
    return json.loads(gzip.decompress(FIXTURE.read_bytes()))["cases"]


def known_messages() -> set[str]:
    lines = KNOWN_MESSAGES.read_text().splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def known() -> dict[str, str]:
    out = {}
    for line in KNOWN.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, kind = line.rsplit(" ", 1)
            out[key] = kind
    return out


def _alarm(_sig: int, _frame: Any) -> None:
    raise Hang


def replay(cases: list[dict]) -> Iterator[tuple[dict, dict, BaseException | None]]:
    """Each case with our outcome, under a time limit per call and a bound on memory."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    status = Path("/proc/self/status").read_text()
    vm = next(int(x.split()[1]) * 1024 for x in status.splitlines() if x.startswith("VmSize:"))
    limit = vm + (4 << 30)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    old = signal.signal(signal.SIGALRM, _alarm)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    caught = warnings.catch_warnings()
    caught.__enter__()
    warnings.simplefilter("ignore")  # the fixture was recorded with warnings ignored too
    try:
        for row in cases:
            signal.setitimer(signal.ITIMER_REAL, SECONDS_PER_CALL)
            try:
                ours, exc = outcome(row)
            except Hang:
                ours, exc = {"e": "Hang", "m": f"over {SECONDS_PER_CALL} s"}, None
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            yield row, ours, exc
    finally:
        caught.__exit__(None, None, None)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        signal.signal(signal.SIGALRM, old)
        visgrad.set_grad_enabled(True)


@pytest.fixture(scope="module")
def results() -> list[tuple[dict, dict, BaseException | None]]:
    return list(replay(load_cases()))


def test_fixture_is_deterministic_and_covers_the_registry() -> None:
    cases = load_cases()
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids))
    assert len(cases) > 10_000
    ops = {c["op"] for c in cases}
    declared = set(visgrad.ops.registry.namespace("torch"))
    assert len(declared & ops) / len(declared) > 0.9


def test_no_internal_exception_reaches_the_user(results: list) -> None:
    leaks = []
    for row, ours, exc in results:
        if ours.get("e") == "Hang":
            leaks.append(f"{row['id']}: hangs")
        elif exc is not None and not user_facing(exc, row["torch"].get("e")):
            leaks.append(f"{row['id']}: {type(exc).__module__}.{type(exc).__name__}: {exc}"[:200])
    assert not leaks, f"{len(leaks)} internal exceptions:\n" + "\n".join(leaks[:40])


def test_outcomes_match_pytorch_except_the_known_list(results: list) -> None:
    listed = known()
    now = {}
    for row, ours, _exc in results:
        kind = verdict(row, ours)
        if kind is not None:
            now[row["id"]] = kind
    new = sorted(k for k in now if k not in listed)
    fixed = sorted(k for k in listed if k not in now)
    changed = sorted(k for k in now if k in listed and listed[k] != now[k])
    by_id = {row["id"]: (row, ours) for row, ours, _ in results}

    def show(k: str) -> str:
        row, ours = by_id[k]
        return f"{k} ({now[k]}): torch {row['torch']} / visgrad {ours}"[:300]

    assert not new, f"{len(new)} calls newly differ from PyTorch:\n" + "\n".join(
        show(k) for k in new[:40]
    )
    assert not fixed, (
        f"{len(fixed)} listed calls now match PyTorch; take them off {KNOWN.name}:\n"
        + ("\n".join(fixed[:40]))
    )
    assert not changed, "\n".join(show(k) for k in changed[:40])


def test_messages_match_pytorch_except_the_known_list(results: list) -> None:
    listed = known_messages()
    now = {row["id"]: (row, ours) for row, ours, _exc in results if message_differs(row, ours)}
    new = sorted(k for k in now if k not in listed)
    fixed = sorted(k for k in listed if k not in now)

    def show(k: str) -> str:
        row, ours = now[k]
        return f"{k}:\n  torch:   {row['torch']['m']}\n  visgrad: {ours['m']}"

    assert not new, f"{len(new)} messages newly differ from PyTorch's:\n" + "\n".join(
        show(k) for k in new[:40]
    )
    assert not fixed, (
        f"{len(fixed)} listed messages now match PyTorch's; take them off "
        f"{KNOWN_MESSAGES.name}:\n" + "\n".join(fixed[:40])
    )


def test_the_comparison_can_fail() -> None:
    row = {"torch": {"ok": {"s": [2], "d": "float32", "v": [1.0, "nan"]}}}
    assert verdict(row, {"ok": {"s": [2], "d": "float32", "v": [1.0, "nan"]}}) is None
    assert verdict(row, {"ok": {"s": [2], "d": "float32", "v": [1.1, "nan"]}}) == "value"
    assert verdict(row, {"ok": {"s": [2], "d": "float64", "v": [1.0, "nan"]}}) == "value"
    assert verdict(row, {"e": "TypeError", "m": "x"}) == "class"
    raised = {"torch": {"e": "TypeError", "m": "sum(): argument 'dim' must be int, not bool"}}
    assert not message_differs(raised, dict(raised["torch"]))
    assert message_differs(raised, {"e": "TypeError", "m": "sum(): dim must be an int"})
    assert not message_differs(raised, {"e": "RuntimeError", "m": "x"})  # a class difference
    assert not user_facing(np.exceptions.AxisError(1, 1), None)
    assert not user_facing(AttributeError("x"), "TypeError")
    assert user_facing(AttributeError("x"), "AttributeError")
    assert user_facing(RuntimeError("x"), None)
