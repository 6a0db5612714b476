"""PyTorch's printed output of each whole program in ``tests/programs/cases/``.

Each program is plain PyTorch code (``import torch``); it runs here in its own PyTorch process and
its stdout is stored in ``tests/fixtures/torch/programs.json``. The test suite runs the same file
with ``import torch`` meaning visgrad and compares what it prints.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "programs" / "cases"
OUT = ROOT / "tests" / "fixtures" / "torch" / "programs.json"


def main() -> None:
    import torch  # only to record the version; each program runs in its own process

    out: dict[str, object] = {"torch": torch.__version__, "programs": {}}
    for path in sorted(CASES.glob("*.py")):
        run = subprocess.run(
            [sys.executable, path.name],
            cwd=CASES,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if run.returncode:
            print(run.stderr, file=sys.stderr)
            raise SystemExit(f"{path.name} failed under PyTorch (exit code {run.returncode})")
        out["programs"][path.stem] = run.stdout  # type: ignore[index]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
