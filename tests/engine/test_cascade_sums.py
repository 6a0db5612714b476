"""float32/float64 sums, means, var/std and backward's broadcast reductions add as PyTorch's CPU kernel adds,
bit for bit (fixture: scripts/torch_fixtures/cascade_sums.py, whose input recipes this test runs
on visgrad): NumPy's pairwise sum rounds differently, and a seeded program printing
``loss.item()`` would show other digits."""

from __future__ import annotations

import gzip
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

import visgrad as torch

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "torch" / "cascade_sums.json.gz"
CASES = json.loads(gzip.decompress(FIXTURE.read_bytes()))["cases"]


def _load_recipes():  # type: ignore[no-untyped-def]
    path = ROOT / "scripts" / "torch_fixtures" / "cascade_sums.py"
    spec = importlib.util.spec_from_file_location("cascade_sums_recipes", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


RECIPES = _load_recipes()


def _id(case: dict) -> str:
    shape = "x".join(map(str, case["shape"]))
    return (
        f"{case['op']}-{case['dtype']}-{shape}-{case['view']}-dim{case['dim']}-t{case['threads']}"
    )


@pytest.fixture
def threads(request):  # type: ignore[no-untyped-def]
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_sum_matches_pytorch_bit_for_bit(case: dict, threads: None) -> None:
    torch.set_num_threads(case["threads"])
    got = RECIPES.run(torch, case)
    assert list(got.shape) == case["result_shape"]
    assert str(got.dtype) == f"torch.{case['dtype']}"
    assert got.numpy().tobytes().hex() == case["result"], "the last bits differ from PyTorch's"


def test_numpy_pairwise_sum_would_fail_most_cases() -> None:
    # The fixture discriminates: summing the same inputs with NumPy gives other bits for most.
    differ = 0
    sums = [c for c in CASES if c["op"] == "sum" and c["threads"] == 1]
    for case in sums:
        x = RECIPES.build(torch, case["seed"], case["shape"], case["dtype"], case["view"]).numpy()
        axis = None if case["dim"] is None else tuple(case["dim"])
        ours = np.add.reduce(x, axis=axis, keepdims=case["dim"] is not None and case["keepdim"])
        differ += np.asarray(ours).tobytes().hex() != case["result"]
    assert differ > len(sums) // 2


def test_whole_sum_depends_on_the_thread_count_as_in_pytorch(threads: None) -> None:
    both = [c for c in CASES if c["threads"] == 2 and c["op"] == "sum" and c["dtype"] == "float32"]
    assert any(np.prod(c["shape"]) > 32768 for c in both)
    split = [c for c in both if np.prod(c["shape"]) > 32768]
    one = {(c["seed"]): c["result"] for c in CASES if c["threads"] == 1}
    assert any(one[c["seed"]] != c["result"] for c in split)  # the split changes the bits


@pytest.mark.parametrize(
    "bad, message", [(0, "positive integer"), (2.5, "expects an int, but got float")]
)
def test_set_num_threads_checks_as_pytorch(bad: object, message: str, threads: None) -> None:
    with pytest.raises(RuntimeError, match=message):
        torch.set_num_threads(bad)


def test_cpu_capability_is_reported() -> None:
    assert torch.backends.cpu.get_cpu_capability() in ("DEFAULT", "AVX2", "AVX512")
