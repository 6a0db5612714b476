"""Samplers on hypothesis-drawn arguments: ranges, permutations, generator equivalence, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import visgrad as torch
import visgrad.nn.functional as F
from visgrad import events

shapes = st.lists(st.integers(0, 40), min_size=0, max_size=3).map(tuple)
seeds = st.integers(0, 2**64 - 1)


@settings(max_examples=30, deadline=None)
@given(seed=seeds, shape=shapes, double=st.booleans())
def test_a_generator_draws_what_the_default_generator_draws_after_the_same_seed(
    seed: int, shape: tuple[int, ...], double: bool
) -> None:
    dtype = torch.float64 if double else torch.float32
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    for make in (torch.randn, torch.rand):
        a = make(*shape, dtype=dtype, generator=g)
        b = make(*shape, dtype=dtype)
        assert a.shape == torch.Size(shape) and a.dtype == dtype
        assert torch.equal(a, b)
    assert torch.equal(g.get_state()[8:], torch.get_rng_state()[8:])  # all but the seed field


@settings(max_examples=30, deadline=None)
@given(
    seed=seeds,
    low=st.floats(-1e6, 1e6),
    width=st.floats(1e-3, 1e6),
    n=st.integers(1, 300),
    double=st.booleans(),
)
def test_uniform_stays_in_its_half_open_range(
    seed: int, low: float, width: float, n: int, double: bool
) -> None:
    torch.manual_seed(seed)
    dtype = torch.float64 if double else torch.float32
    t = torch.empty(n, dtype=dtype).uniform_(low, low + width)
    lo, hi = (
        (np.float64 if double else np.float32)(low),
        (np.float64 if double else np.float32)(low + width),
    )
    assert ((t.numpy() >= lo) & (t.numpy() < hi)).all() or lo == hi


@settings(max_examples=30, deadline=None)
@given(
    seed=seeds, low=st.integers(-(2**62), 2**62), span=st.integers(1, 2**62), n=st.integers(0, 50)
)
def test_randint_stays_in_range(seed: int, low: int, span: int, n: int) -> None:
    torch.manual_seed(seed)
    v = torch.randint(low, low + span, (n,)).tolist()
    assert all(low <= x < low + span for x in v)


@settings(max_examples=30, deadline=None)
@given(seed=seeds, n=st.integers(0, 500))
def test_randperm_is_a_permutation(seed: int, n: int) -> None:
    torch.manual_seed(seed)
    assert sorted(torch.randperm(n).tolist()) == list(range(n))


@settings(max_examples=30, deadline=None)
@given(
    seed=seeds,
    # No subnormal weights: with 1.4e-45 the only positive weight, PyTorch itself draws a
    # zero-weight category without replacement (its race underflows), and so do we.
    weights=st.lists(
        st.floats(0, 10, width=32, allow_subnormal=False), min_size=1, max_size=30
    ).filter(lambda w: sum(w) > 0),
    k=st.integers(1, 30),
)
def test_multinomial_without_replacement_draws_distinct_possible_categories(
    seed: int, weights: list[float], k: int
) -> None:
    torch.manual_seed(seed)
    p = torch.tensor(weights)
    nonzero = sum(w > 0 for w in weights)
    k = min(k, nonzero)
    picks = torch.multinomial(p, k).tolist()
    assert len(set(picks)) == k and all(weights[i] > 0 for i in picks)
    with_rep = torch.multinomial(p, 40, replacement=True).tolist()
    assert all(weights[i] > 0 for i in with_rep)


@settings(max_examples=20, deadline=None)
@given(seed=seeds, p=st.floats(0, 1), n=st.integers(0, 200))
def test_dropout_keeps_values_scaled_or_zero(seed: int, p: float, n: int) -> None:
    torch.manual_seed(seed)
    x = torch.ones(n, requires_grad=True)
    y = F.dropout(x, p)
    if p in (0.0,) or n == 0:
        assert y is x
        return
    values = set(y.detach().tolist())
    scale = float(np.float32(1) / np.float32(1 - p)) if p < 1 else 0.0
    assert values <= {0.0, scale}
    assert type(y.grad_fn).__name__ == "MulBackward0"


@pytest.mark.parametrize(
    "make, error, text",
    [
        (lambda: torch.empty(3, dtype=torch.long).uniform_(), NotImplementedError,
         "\"check_uniform_bounds\" not implemented for 'Long'"),
        (lambda: torch.empty(3, dtype=torch.long).normal_(), NotImplementedError,
         "\"normal_kernel_cpu\" not implemented for 'Long'"),
        (lambda: torch.empty(3).uniform_(2, 1), RuntimeError,
         "uniform_ expects to return a [from, to) range, but found from=2 > to=1"),
        (lambda: torch.empty(3).normal_(0, -1), RuntimeError, "normal expects std >= 0.0, but found std -1"),
        (lambda: torch.empty(3).exponential_(0), RuntimeError,
         "exponential_ expects lambda > 0.0, but found lambda=0"),
        (lambda: torch.empty(3).geometric_(1), RuntimeError, "geometric_ expects p to be in (0, 1), but got p=1"),
        (lambda: torch.empty(3).bernoulli_(1.5), RuntimeError, "bernoulli_ expects p to be in [0, 1], but got p=1.5"),
        (lambda: torch.empty(3).random_(5, 2), RuntimeError,
         "random_ expects 'from' to be less than 'to', but got from=5 >= to=2"),
        (lambda: torch.empty(3, dtype=torch.uint8).random_(0, 300), RuntimeError,
         "to - 1 is out of bounds for unsigned char"),
        (lambda: torch.randperm(-1), RuntimeError, "Trying to create tensor with negative dimension -1: [-1]"),
        (lambda: torch.multinomial(torch.tensor([0.1, -0.2]), 1), RuntimeError,
         "probability tensor contains either `inf`, `nan` or element < 0"),
        (lambda: torch.multinomial(torch.tensor([0.0, 0.0]), 1), RuntimeError,
         "invalid multinomial distribution (sum of probabilities <= 0)"),
        (lambda: torch.multinomial(torch.tensor([1.0, 2.0]), 3), RuntimeError,
         "cannot sample n_sample > prob_dist.size(-1) samples without replacement"),
        (lambda: torch.multinomial(torch.tensor(1.0), 1), RuntimeError, "prob_dist must be 1 or 2 dim"),
        (lambda: torch.multinomial(torch.tensor([1, 2]), 1), RuntimeError,
         "multinomial only supports floating-point dtypes for input, got: Long"),
        (lambda: torch.normal(torch.zeros(2), -torch.ones(2)), RuntimeError,
         "normal expects all elements of std >= 0.0"),
        (lambda: F.dropout(torch.ones(2), 1.5), ValueError,
         "dropout probability has to be between 0 and 1, but got 1.5"),
        (lambda: F.dropout(torch.tensor([1, 2]), 0.5), RuntimeError,
         "result type Float can't be cast to the desired output type Long"),
        (lambda: torch.nn.init.kaiming_uniform_(torch.empty(3, 2), mode="fan"), ValueError,
         "Mode fan not supported, please use one of ['fan_in', 'fan_out']"),
        (lambda: torch.nn.init.calculate_gain("leaky_relu", True), ValueError,
         "negative_slope True not a valid number"),
        (lambda: torch.nn.init.xavier_uniform_(torch.empty(3)), ValueError,
         "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"),
    ],
)  # fmt: skip
def test_errors_are_pytorchs(make, error, text) -> None:
    with pytest.raises(error) as info:
        make()
    assert text in str(info.value)


def test_random_fill_of_a_leaf_that_requires_grad_raises() -> None:
    x = torch.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        x.uniform_()
    with torch.no_grad():
        x.normal_()  # nn.init's way: allowed


@pytest.mark.parametrize(
    "make",
    [
        lambda: torch.randint(0, 10, (8,)),
        lambda: torch.randint(5, (3, 2), dtype=torch.float32),
        lambda: torch.bernoulli(torch.full((6,), 0.5)),
    ],
    ids=["randint", "randint-float", "bernoulli"],
)
def test_the_creation_event_carries_the_drawn_values(make) -> None:
    # The debugger shows what the event carries: the values, not the memory they were drawn into.
    with events.Recorder() as rec:
        t = make()
    created = [e for e in rec.of(events.TensorCreated) if e.tensor == t._id]
    assert len(created) == 1
    np.testing.assert_array_equal(created[0].value, t._data)
