"""Which functions of PyTorch's ``torch`` namespace take ``out=``.

PyTorch's own argument parser is asked: each function is called with ``out=`` and a few plausible
argument lists; it either runs, says ``unexpected keyword argument 'out'``, or lists the signatures
it expected (which name ``out`` or not). Functions it cannot be asked about this way are decided by
their docstring's signature lines. Writes ``tests/fixtures/torch/out_arguments.json``.
"""

from __future__ import annotations

import json
import re
import sys
import warnings
from pathlib import Path

import torch

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "torch" / "out_arguments.json"


def _tries() -> list[tuple]:
    x = torch.rand(3) + 0.1
    m = torch.rand(3, 3) + 0.1
    i = torch.zeros(3, 3, dtype=torch.long)
    return [
        (x,), (x, x), (x, 1), (m, 0), (m, m), (x, 0.5), (m, m, m), ([x, x],), (x > 0.5, x, x),
        (m, 0, i, m), (m, 0, i, m, "sum"),  # scatter_add, scatter_reduce (docstrings omit out=)
    ]  # fmt: skip


def accepts_out(name: str) -> bool | None:
    fn = getattr(torch, name)
    verdict = None
    for args in _tries():
        try:
            for dtype in (torch.float32, torch.int64, torch.bool):
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        fn(*args, out=torch.empty(0, dtype=dtype))
                    return True
                except RuntimeError as e:
                    if "out" not in str(e):  # not "Expected out tensor to have dtype ..."
                        raise
        except TypeError as e:
            msg = str(e)
            if "unexpected keyword argument 'out'" in msg:
                return False
            if "expected one of" in msg:
                sigs = re.findall(r"^ \* \((.*)\)$", msg, flags=re.MULTILINE)
                verdict = any(re.search(r"\bout\b", sig) for sig in sigs)
        except Exception:  # noqa: BLE001, S112 - a wrong guess of the arguments; try the next
            continue
    if verdict is not None:
        return verdict
    doc = fn.__doc__ or ""
    sigs = [ln for ln in doc.splitlines() if re.match(rf"\s*{re.escape(name)}\(", ln)]
    return any("out=" in ln for ln in sigs) if sigs else None


def main() -> None:
    names = sorted(
        n
        for n in dir(torch)
        if not n.startswith("_")
        and not n.endswith("_")
        and callable(getattr(torch, n, None))
        and not isinstance(getattr(torch, n), type)
    )
    out, unknown = [], []
    for n in names:
        v = accepts_out(n)
        (out if v else unknown if v is None else []).append(n)
    data = {"torch_version": torch.__version__, "with_out": out, "unknown": unknown}
    OUT.write_text(json.dumps(data, indent=0) + "\n")
    print(f"wrote {OUT}: {len(out)} with out=, {len(unknown)} unknown", file=sys.stderr)


if __name__ == "__main__":
    main()
