"""Record PyTorch's outputs into ``tests/fixtures/torch/``: run every ``scripts/torch_fixtures/*.py``.

Run with an interpreter that has PyTorch (the test suite never imports it)::

    python scripts/record_torch_fixtures.py            # every topic
    python scripts/record_torch_fixtures.py grads      # topics whose name contains "grads"

Each topic script writes ``tests/fixtures/torch/<topic>.json`` (or ``.npz``) itself.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent / "torch_fixtures"


def main(argv: list[str]) -> int:
    scripts = sorted(p for p in HERE.glob("*.py") if not p.name.startswith("_"))
    if argv:
        scripts = [p for p in scripts if any(a in p.stem for a in argv)]
    failed = 0
    for p in scripts:
        print(f"recording {p.stem} ...", flush=True)
        rc = subprocess.run([sys.executable, str(p)], check=False).returncode
        if rc:
            print(f"  {p.stem} failed (exit code {rc})", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
