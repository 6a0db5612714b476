"""float32/float64 sums, nansums, means, var/std and backward's broadcast reductions add as PyTorch's CPU kernel adds,
bit for bit (fixture: scripts/torch_fixtures/cascade_sums.py, whose input recipes this test runs
on visgrad): NumPy's pairwise sum rounds differently, and a seeded program printing
``loss.item()`` would show other digits."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import visgrad as torch
from tests.scripts_loader import load_script
from visgrad import _threads as threads_module
from visgrad.ops.sum_cascade import row_sum
from visgrad.ops.sum_kernel import VECTOR_BYTES, _small_row_sum, _walked, reduce_sum

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "torch" / "cascade_sums.json.gz"
CASES = json.loads(gzip.decompress(FIXTURE.read_bytes()))["cases"]


RECIPES = load_script("scripts/torch_fixtures/cascade_sums.py")


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


@st.composite
def _layouts(draw):  # type: ignore[no-untyped-def]
    """An array in any layout PyTorch or NumPy makes: permuted, sliced, stepped, flipped,
    broadcast (stride 0), with size-0 and size-1 dims, and some dims to reduce."""
    shape = draw(st.lists(st.integers(0, 9), min_size=0, max_size=4))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = (rng.standard_normal(shape) * 2.0 ** rng.integers(-20, 20, shape)).astype(dtype)
    if x.ndim:
        x = x.transpose(draw(st.permutations(range(x.ndim))))
        d = draw(st.integers(0, x.ndim - 1))
        step = draw(st.sampled_from([1, 2, -1]))
        x = x[(slice(None),) * d + (slice(None, None, step),)]
        if x.shape[-1] and draw(st.booleans()):
            x = np.broadcast_to(x[..., :1], x.shape[:-1] + (draw(st.integers(0, 40)),))
    dims = tuple(sorted(draw(st.sets(st.integers(0, max(x.ndim - 1, 0)))))) if x.ndim else ()
    return x, dims, draw(st.booleans()), draw(st.sampled_from([1, 2, 3]))


@given(_layouts())
@settings(max_examples=300, deadline=None)
def test_any_layout_sums_to_numpys_shape_dtype_and_value(case) -> None:  # type: ignore[no-untyped-def]
    x, dims, keepdim, nthreads = case
    before = threads_module.get_num_threads()
    threads_module.set_num_threads(nthreads)
    try:
        got = reduce_sum(x, dims, keepdim)
    finally:
        threads_module.set_num_threads(before)
    want = np.add.reduce(x.astype(np.float64), axis=dims, keepdims=keepdim)
    assert got.shape == want.shape and got.dtype == x.dtype
    scale = np.add.reduce(np.abs(x.astype(np.float64)), axis=dims, keepdims=keepdim)
    eps = np.finfo(x.dtype).eps
    assert np.all(np.abs(got - want) <= 4 * eps * (scale + 1e-300) * max(1, x.size))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_short_row_sum_adds_as_the_general_cascade(dtype) -> None:  # type: ignore[no-untyped-def]
    # _flat_sum's shortcut for cascades of at most one block level must add in the same order as
    # the general row_sum, for every count of rows (0 to 255) and of leftover vectors (0 to 3).
    lanes = VECTOR_BYTES // np.dtype(dtype).itemsize
    rng = np.random.default_rng(5)
    for nvec in range(1, 256 * 4):
        v = (rng.standard_normal(nvec * lanes) * 10.0 ** rng.integers(-4, 5, nvec * lanes)).astype(
            dtype
        )
        want = row_sum(v.reshape(nvec, lanes))
        got = _small_row_sum(v, nvec, nvec // 4, lanes)
        assert got.tobytes() == want.tobytes(), f"{nvec} vectors"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_whole_sum_shortcut_adds_as_the_general_walk(dtype) -> None:  # type: ignore[no-untyped-def]
    # A contiguous whole-tensor sum takes a shortcut (scalar additions below one vector, a few
    # reductions up to 256 rows of four vectors): for every length it covers, and past it, the
    # bits must be the general walk's (which the fixture checks against PyTorch), zeros' signs
    # included.
    lanes = VECTOR_BYTES // np.dtype(dtype).itemsize
    rng = np.random.default_rng(11)
    for n in [*range(1, 256 * 4 * lanes + 2 * 4 * lanes), 12289, 32767]:
        v = (rng.standard_normal(n) * 10.0 ** rng.integers(-4, 5, n)).astype(dtype)
        if n % 7 == 0:
            v[:] = -0.0
        want, got = _walked(v, (0,), False), reduce_sum(v, (0,), False)
        assert got.shape == () and got.dtype == dtype
        assert got.tobytes() == want.tobytes(), f"{n} elements"
    m = rng.standard_normal((5, 3, 7)).astype(dtype)
    for keepdim in (False, True):
        want, got = _walked(m, (0, 1, 2), keepdim), reduce_sum(m, (0, 1, 2), keepdim)
        assert got.shape == want.shape and got.tobytes() == want.tobytes()
