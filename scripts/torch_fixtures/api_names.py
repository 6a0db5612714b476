"""PyTorch's public names: functions in ``torch``, ``torch.nn.functional`` and ``torch.linalg``,
Tensor attributes.

The op registry's completeness test reads this to check that every op declares the Tensor method,
the in-place variant and the namespace function PyTorch has for it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "torch" / "api_names.json"


def _public_callables(module: object) -> list[str]:
    return sorted(
        n for n in dir(module) if not n.startswith("__") and callable(getattr(module, n, None))
    )


def main() -> None:
    data = {
        "torch_version": torch.__version__,
        "torch": _public_callables(torch),
        "functional": _public_callables(F),
        "linalg": _public_callables(torch.linalg),
        "tensor": sorted(
            n for n in dir(torch.Tensor) if not n.startswith("_") or n.startswith("__")
        ),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, indent=0) + "\n")
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
