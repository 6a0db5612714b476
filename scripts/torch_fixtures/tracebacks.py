"""PyTorch's exception for each failing program in ``tests/programs/errors/``.

Each program is plain PyTorch code that raises. It runs here, in its own PyTorch process, and what
its user is told is stored in ``tests/fixtures/torch/tracebacks.json``: the exception's class and
message, and the traceback's frames in the program's own file (line, function, source text),
outermost first. The test suite runs the same programs through visgrad's runner and compares.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = ROOT / "tests" / "programs" / "errors"
OUT = ROOT / "tests" / "fixtures" / "torch" / "tracebacks.json"

# Runs in the program's process: the program as __main__, its exception as one JSON line.
_DRIVER = """
import json, runpy, sys, traceback
path = sys.argv[1]
sys.argv = [path]
try:
    runpy.run_path(path, run_name="__main__")
except Exception as e:
    frames = [
        [f.lineno, f.name, f.line]
        for f in traceback.extract_tb(e.__traceback__)
        if f.filename == path
    ]
    print(json.dumps({"type": type(e).__name__, "message": str(e), "frames": frames}))
else:
    print(json.dumps(None))
"""


def main() -> None:
    import torch  # only to record the version; each program runs in its own process

    out: dict[str, object] = {"torch": torch.__version__, "programs": {}}
    for path in sorted(p for p in PROGRAMS.glob("*.py") if p.name != "conftest.py"):
        run = subprocess.run(
            [sys.executable, "-c", _DRIVER, str(path)],
            cwd=PROGRAMS,
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
        result = json.loads(run.stdout.strip().splitlines()[-1])
        if result is None:
            raise SystemExit(f"{path.name} did not raise under PyTorch")
        out["programs"][path.stem] = result  # type: ignore[index]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
