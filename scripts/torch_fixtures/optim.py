"""PyTorch's optimizer steps, L-BFGS runs, learning-rate schedules and gradient clipping.

The runs are defined once in ``tests/nn/optim_cases.py`` (the library is passed in); this script
runs them with PyTorch into ``tests/fixtures/torch/optim.json``.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "nn"))

import optim_cases as cases  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "torch" / "optim.json"


def main() -> None:
    warnings.simplefilter("ignore")
    out = {
        "torch": torch.__version__,
        "optimizers": {
            f"{name}/{dt}": cases.run_optimizer(torch, name, getattr(torch, dt))
            for name in cases.OPTIMIZERS
            for dt in ("float32", "float64")
        },
        "lbfgs": {name: cases.run_lbfgs(torch, name) for name in cases.LBFGS_CASES},
        "schedulers": {name: cases.run_scheduler(torch, name) for name in cases.SCHEDULERS},
        "onecycle_adam": cases.run_scheduler(torch, "onecycle", "Adam"),
        "cyclic_adam": cases.run_scheduler(torch, "cyclic_triangular2", "Adam"),
        "scheduler_states": {
            name: cases.run_scheduler_state(torch, name) for name in cases.STATE_SCHEDULERS
        },
        "cyclic_adam_state": cases.run_scheduler_state(torch, "cyclic_triangular", "Adam"),
        "warm_restarts_epochs": cases.run_warm_restarts_epochs(torch),
        "plateau": cases.run_plateau(torch),
        "clip": cases.run_clip(torch),
    }
    OUT.write_text(json.dumps(out, indent=None, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
