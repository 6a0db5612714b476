"""Max-pool backward without overlapping windows writes each gradient once: the same bits as the
summing scatter (``_MaxPoolScatter``, a float64 bincount) that overlapping windows need."""

import numpy as np
import pytest

import visgrad as torch
import visgrad.nn.functional as F
from visgrad.ops import pool
from visgrad.ops.base import apply


@pytest.mark.parametrize(
    ("shape", "kw"),
    [
        ((2, 3, 8, 8), {"kernel_size": 2}),
        ((2, 3, 9, 7), {"kernel_size": 3, "padding": 1}),
        ((1, 2, 9, 9), {"kernel_size": 2, "ceil_mode": True}),
        ((1, 2, 11, 11), {"kernel_size": 2, "stride": 3, "dilation": 2}),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_disjoint_windows_scatter_the_same_bits_as_the_summing_scatter(shape, kw, dtype):
    rng = np.random.default_rng(0)
    x = torch.tensor(rng.standard_normal(shape).astype(dtype), requires_grad=True)
    y = F.max_pool2d(x, **kw)
    node = y.grad_fn
    index, k = node.saved("result1")._data, len(node.saved("kernel_size"))
    g = rng.standard_normal(y.shape).astype(dtype)
    g.flat[::3] = -0.0  # a sum starting from +0.0 gives +0.0 here: so must the shortcut
    g.flat[1] = np.nan
    fast = pool._scatter_disjoint(g, index, shape, k)
    summed = apply(pool._MaxPoolScatter, torch.tensor(g), index=index, shape=shape, k=k)._data
    assert fast.dtype == summed.dtype and fast.shape == summed.shape
    assert fast.tobytes() == summed.tobytes()
    y.backward(torch.tensor(g))
    assert x.grad.numpy().tobytes() == summed.tobytes()


def test_an_index_outside_its_plane_is_left_to_the_summing_scatter():
    index = np.array([[[[0, -1]]]])
    assert pool._scatter_disjoint(np.ones((1, 1, 1, 2)), index, (1, 1, 2, 2), 2) is None
