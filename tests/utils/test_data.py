"""torch.utils.data beyond the recorded programs: iterable datasets, workers, events, batching."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import visgrad as torch
from visgrad import events
from visgrad.utils.data import (
    ChainDataset,
    ConcatDataset,
    DataLoader,
    IterableDataset,
    StackDataset,
    TensorDataset,
    default_convert,
)


class Count(IterableDataset):
    def __init__(self, n: int) -> None:
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self) -> int:
        return self.n


def test_iterable_datasets_batch_and_drop_the_short_tail():
    assert [b.tolist() for b in DataLoader(Count(7), batch_size=3)] == [[0, 1, 2], [3, 4, 5], [6]]
    loader = DataLoader(Count(7), batch_size=3, drop_last=True)
    assert [b.tolist() for b in loader] == [[0, 1, 2], [3, 4, 5]] and len(loader) == 2
    assert list(DataLoader(Count(3), batch_size=None)) == [0, 1, 2]
    assert [b.tolist() for b in DataLoader(ChainDataset([Count(2), Count(1)]), batch_size=2)] == [
        [0, 1],
        [0],
    ]
    with pytest.raises(
        ValueError, match="expected unspecified shuffle option, but got shuffle=True"
    ):
        DataLoader(Count(3), shuffle=True)


def test_stack_and_concat_datasets():
    a, b = TensorDataset(torch.arange(3)), [10, 11, 12]
    pair = StackDataset(a, b)[1]
    assert pair[0][0].item() == 1 and pair[1] == 11
    assert StackDataset(x=a, y=b)[2]["y"] == 12
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        StackDataset(a, [1])
    c = ConcatDataset([b, [20, 21]])
    assert (len(c), c[-1], c[3]) == (5, 21, 20)


def test_workers_take_turns_without_a_warning_and_keep_their_own_random_state():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loader = DataLoader(list(range(5)), batch_size=2, num_workers=2, persistent_workers=True)
    assert [b.tolist() for b in loader] == [[0, 1], [2, 3], [4]]
    seen = []

    class Draws(torch.utils.data.Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            info = torch.utils.data.get_worker_info()
            seen.append((info.id, info.seed - torch.initial_seed()))
            return torch.rand(1)

    torch.manual_seed(0)
    draws = [b.item() for b in DataLoader(Draws(), num_workers=2)]
    after = torch.rand(1).item()
    # Worker i fetches every other batch, drawing from its own stream seeded base + i...
    assert [w for w, _ in seen] == [0, 1, 0, 1] and all(d == 0 for _, d in seen)
    assert len(set(draws)) == 4 and torch.utils.data.get_worker_info() is None
    # ...and the main stream moved only by the base seed's one draw.
    torch.manual_seed(0)
    torch.empty((), dtype=torch.int64).random_()
    assert torch.rand(1).item() == after
    with pytest.raises(ValueError, match="persistent_workers option needs num_workers > 0"):
        DataLoader([1], persistent_workers=True)


def test_shuffling_draws_publish_no_events_but_collation_is_recorded():
    ds = TensorDataset(torch.arange(6.0).reshape(3, 2))
    with events.Recorder() as rec:
        batches = list(DataLoader(ds, batch_size=2, shuffle=True))
    assert len(batches) == 2
    assert {e.op for e in rec.of(events.ForwardOp)} <= {"select", "stack"}
    assert not rec.of(events.TensorCreated)


def test_default_convert_turns_arrays_into_tensors_and_tuples_into_lists():
    out = default_convert({"a": np.ones(2), "b": (np.int64(3), "s")})
    assert isinstance(out["a"], torch.Tensor) and out["b"][1] == "s"
    assert isinstance(out["b"], list) and out["b"][0].item() == 3


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 40),
    batch=st.integers(1, 12),
    drop_last=st.booleans(),
    shuffle=st.booleans(),
    seed=st.integers(0, 2**31),
)
def test_batches_partition_the_dataset(n, batch, drop_last, shuffle, seed):
    g = torch.Generator().manual_seed(seed)
    loader = DataLoader(
        list(range(n)), batch_size=batch, drop_last=drop_last, shuffle=shuffle, generator=g
    )
    got = [b.tolist() for b in loader]
    assert len(got) == len(loader)
    flat = [i for b in got for i in b]
    assert len(set(flat)) == len(flat)
    assert all(len(b) == batch for b in got[: len(got) - (0 if drop_last else 1)])
    assert len(flat) == (n // batch * batch if drop_last else n)
    if not shuffle:
        assert flat == list(range(len(flat)))
