"""PyTorch's float sums, NaN-skipping sums, means, variances and standard deviations to the last bit: its CPU kernel
adds in a cascade of blocks, in vector lanes, in an order set by the tensor's layout, and splits a
large whole-tensor sum per thread; var/std take a two-pass or Welford path in double. Writes ``tests/fixtures/torch/cascade_sums.json``: for each case, how to build the input
(seeded ``randn`` times powers of two, so the test rebuilds it with visgrad's PyTorch streams), the
reduction, and the result's bytes in hex. The recipes below take the library as an argument: the
test loads this file and runs them on visgrad (torch is imported only by ``main``)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "torch" / "cascade_sums.json.gz"

SHAPES = [
    (7,), (16,), (31,), (257,), (4097,), (32768,), (32769,), (100003,),
    (3, 5), (64, 10), (37, 271), (271, 37), (64, 256), (2, 3, 4), (8, 17, 33), (33, 17, 8),
]  # fmt: skip


def build(lib, seed: int, shape: list[int], dtype: str, view: str):  # type: ignore[no-untyped-def]
    """The case's input; the test calls this same recipe on visgrad."""
    lib.manual_seed(seed)
    dt = getattr(lib, dtype)
    x = lib.randn(*shape, dtype=dt) * lib.pow(2.0, lib.randint(-6, 7, shape).to(dt))
    if view == "transposed":
        return x.transpose(0, len(shape) - 1)
    if view == "sliced":
        return x[..., 1:-1]
    return x


def cases():  # type: ignore[no-untyped-def]
    seed = 0
    for dtype in ("float32", "float64"):
        for shape in SHAPES:
            nd = len(shape)
            dims: list[list[int] | None] = [None] + [[d] for d in range(nd)]
            if nd == 3:
                dims += [[0, 2], [1, 2]]
            for view in ("contiguous", "transposed", "sliced"):
                if view == "transposed" and nd < 2:
                    continue
                if nd == 2:
                    seed += 1
                    yield {"seed": seed, "shape": list(shape), "dtype": dtype, "view": view,
                           "dim": None, "keepdim": False, "op": "bias_grad"}  # fmt: skip
                for dim in dims:
                    ops = ("sum", "mean", "var", "std") + (("nansum",) if view == "sliced" else ())
                    for op in ops:
                        seed += 1
                        yield {"seed": seed, "shape": list(shape), "dtype": dtype, "view": view,
                               "dim": dim, "keepdim": bool(seed % 2), "op": op}  # fmt: skip


def run(lib, case):  # type: ignore[no-untyped-def]
    x = build(lib, case["seed"], case["shape"], case["dtype"], case["view"])
    if case["op"] == "bias_grad":  # backward sums a broadcast gradient back (sum_to_size)
        b = lib.ones(x.shape[-1], dtype=x.dtype, requires_grad=True)
        (x * b).sum().backward()
        return b.grad
    if case["op"] == "nansum":  # a NaN wherever |x| > 1.5
        x = lib.where(x.abs() > 1.5, lib.tensor(float("nan"), dtype=x.dtype), x)
    f = getattr(x, case["op"])
    if case["op"] in ("var", "std"):
        correction = case["seed"] % 3  # 0, 1 (Bessel's) and 2
        if case["dim"] is None:
            return f(correction=correction)
        return f(case["dim"], keepdim=case["keepdim"], correction=correction)
    return f() if case["dim"] is None else f(case["dim"], keepdim=case["keepdim"])


def main() -> None:
    import torch

    out = []
    for threads in (1, 2):
        torch.set_num_threads(threads)
        for case in cases():
            if threads == 2 and (case["dim"] is not None or case["view"] != "contiguous"):
                continue  # only whole-tensor reductions split per thread
            case = dict(case, threads=threads)
            r = run(torch, case)
            case["result"] = r.numpy().tobytes().hex()
            case["result_shape"] = list(r.shape)
            out.append(case)
    OUT.write_bytes(
        gzip.compress(json.dumps({"torch": torch.__version__, "cases": out}).encode(), mtime=0)
    )


if __name__ == "__main__":
    main()
