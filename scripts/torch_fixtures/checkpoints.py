"""Checkpoints both ways: files PyTorch wrote for visgrad to read, and what PyTorch reads from
files visgrad wrote.

1. visgrad (run in a child process with this interpreter) saves each case of
   ``tests/serialization/checkpoint_cases.py`` into ``tests/fixtures/visgrad/checkpoints/``;
2. PyTorch saves the same cases, plus files visgrad must refuse (a pickled module, the legacy
   format), into ``tests/fixtures/torch/checkpoints/``;
3. PyTorch loads visgrad's files with ``weights_only=True``; what it read, and its own objects,
   go to ``tests/fixtures/torch/checkpoints.json``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "serialization"))

import checkpoint_cases as cases  # noqa: E402

THEIRS = ROOT / "tests" / "fixtures" / "torch" / "checkpoints"
OURS = ROOT / "tests" / "fixtures" / "visgrad" / "checkpoints"
OUT = ROOT / "tests" / "fixtures" / "torch" / "checkpoints.json"

WRITE_OURS = f"""
import sys
sys.path.insert(0, {str(ROOT / "tests" / "serialization")!r})
import checkpoint_cases as cases
import visgrad
for name, obj in cases.objects(visgrad).items():
    visgrad.save(obj, {str(OURS)!r} + "/" + name + ".pt")
"""


def main() -> None:
    OURS.mkdir(parents=True, exist_ok=True)
    THEIRS.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-c", WRITE_OURS], check=True, env=env)
    objs = cases.objects(torch)
    for name, obj in objs.items():
        torch.save(obj, THEIRS / f"{name}.pt")
    torch.save(objs["nested"], THEIRS / "protocol4.pt", pickle_protocol=4)
    torch.save(objs["tensor"], THEIRS / "legacy.pt", _use_new_zipfile_serialization=False)
    torch.save(cases._model(torch), THEIRS / "module.pt")
    read_ours = {
        p.stem: cases.describe(torch.load(p, weights_only=True)) for p in sorted(OURS.glob("*.pt"))
    }
    shared = torch.load(OURS / "views.pt", weights_only=True)
    shared["base"][1, 2] = -1.0  # visible through every view of that element
    out = {
        "torch": torch.__version__,
        "objects": {name: cases.describe(obj) for name, obj in objs.items()},
        "torch_read_visgrad": read_ours,
        "views_after_write": cases.describe(shared),
    }
    OUT.write_text(json.dumps(out, indent=None, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
