"""Intel MKL's ``viRngBernoulli(VSL_RNG_METHOD_BERNOULLI_ICDF)`` on ``VSL_BRNG_MCG31`` streams.

PyTorch's ``bernoulli_(p)`` (and dropout) on Intel CPUs is this MKL call seeded with one word of
the generator, so the tests check ``visgrad.random.mkl_bernoulli`` against MKL itself on any CPU.
Needs MKL's runtime library: ``pip install mkl`` into the recording interpreter, or point
``MKL_RT`` at ``libmkl_rt.so``. Writes ``tests/fixtures/torch/mkl_bernoulli.json``.
"""

from __future__ import annotations

import ctypes
import glob
import json
import os
import sys
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "torch" / "mkl_bernoulli.json"
VSL_BRNG_MCG31 = 1 << 20
VSL_RNG_METHOD_BERNOULLI_ICDF = 0


def _library() -> ctypes.CDLL | None:
    found = [os.environ["MKL_RT"]] if "MKL_RT" in os.environ else []
    found += sorted(glob.glob(os.path.join(sys.prefix, "lib", "libmkl_rt.so*")))
    return ctypes.CDLL(found[0]) if found else None


def bernoulli(lib: ctypes.CDLL, seed: int, n: int, p: float) -> list[int]:
    stream = ctypes.c_void_p()
    if lib.vslNewStream(ctypes.byref(stream), VSL_BRNG_MCG31, ctypes.c_uint(seed)) != 0:
        raise RuntimeError("vslNewStream failed")
    out = np.zeros(n, np.int32)
    lib.viRngBernoulli.argtypes = [
        ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_double
    ]  # fmt: skip
    if lib.viRngBernoulli(VSL_RNG_METHOD_BERNOULLI_ICDF, stream, n, out.ctypes.data, p) != 0:
        raise RuntimeError("viRngBernoulli failed")
    lib.vslDeleteStream(ctypes.byref(stream))
    return out.tolist()


def main() -> None:
    lib = _library()
    if lib is None:
        # PyTorch's wheels link MKL statically, so this interpreter may have none to call.
        print(f"MKL's libmkl_rt not found (pip install mkl, or set MKL_RT): kept {OUT.name}")
        return
    rng = np.random.default_rng(0)
    cases = []
    for i in range(60):
        seed = [0, 1, 2**31 - 1, 2**31, 2**32 - 1][i] if i < 5 else int(rng.integers(0, 2**32))
        n = int(rng.integers(1, 2500))
        p = [0.0, 1.0, 0.5, 0.7, 0.8][i % 5] if i % 3 == 0 else float(rng.uniform())
        cases.append(
            {"seed": seed, "n": n, "p": p, "mask": "".join(map(str, bernoulli(lib, seed, n, p)))}
        )
    OUT.write_text(json.dumps({"cases": cases}, indent=1) + "\n")
    print(f"wrote {OUT} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
