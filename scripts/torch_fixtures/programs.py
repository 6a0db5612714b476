"""PyTorch's printed output of each whole program in ``tests/programs/cases/``.

Each program is plain PyTorch code (``import torch``); it runs here in its own PyTorch process and
its stdout is stored in ``tests/fixtures/torch/programs.json``. The test suite runs the same file
with ``import torch`` meaning visgrad and compares what it prints.

``programs.py NAME...`` records only the named programs and keeps the other recordings: PyTorch's
float32 matrix kernels pick their code path by CPU, so re-recording an old program on another
machine can move its last printed digit.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "programs" / "cases"
OUT = ROOT / "tests" / "fixtures" / "torch" / "programs.json"


def main(names: list[str]) -> None:
    import torch  # only to record the version; each program runs in its own process

    programs: dict[str, str] = {}
    paths = sorted(CASES.glob("*.py"))
    if names:
        programs = json.loads(OUT.read_text())["programs"]
        paths = [CASES / f"{name}.py" for name in names]
    for path in paths:
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
        programs[path.stem] = run.stdout
    out = {"torch": torch.__version__, "programs": programs}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
