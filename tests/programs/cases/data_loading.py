"""torch.utils.data: orders for a seed, splits, collation, samplers, lengths and errors."""

from collections import namedtuple

import numpy as np
import torch
from torch.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    random_split,
)

torch.manual_seed(0)
x = torch.arange(20.0).reshape(10, 2)
y = torch.arange(10)
ds = TensorDataset(x, y)
print(len(ds), ds[3])

for kw in ({}, {"shuffle": True}, {"shuffle": True, "drop_last": True}, {"batch_size": 4}):
    loader = DataLoader(ds, **({"batch_size": 3} | kw))
    print(kw, len(loader), [b[1].tolist() for b in loader])
print("after loops", torch.randn(2))

g = torch.Generator().manual_seed(42)
loader = DataLoader(ds, batch_size=4, shuffle=True, generator=g)
for epoch in range(2):
    print(epoch, [b[1].tolist() for b in loader])
print("generator state moves on", torch.randint(0, 100, (3,), generator=g))

print(
    [list(s) for s in random_split(range(10), [3, 7], generator=torch.Generator().manual_seed(1))]
)
print(
    [
        list(s)
        for s in random_split(
            range(11), [0.5, 0.3, 0.2], generator=torch.Generator().manual_seed(2)
        )
    ]
)
print([len(s) for s in random_split(ds, [0.7, 0.3])])
print(list(RandomSampler(range(5), replacement=True, num_samples=40))[:12])
print(list(RandomSampler(range(4), num_samples=10)))
print(list(SubsetRandomSampler([10, 20, 30, 40])))
print(list(WeightedRandomSampler([0.1, 0.9, 0.4], 6)))
print(list(WeightedRandomSampler([0.1, 0.9, 0.4, 0.2], 3, replacement=False)))
print(list(BatchSampler(SequentialSampler(range(7)), 3, drop_last=False)))
print(list(BatchSampler(SequentialSampler(range(7)), 3, drop_last=True)))
print(len(BatchSampler(range(7), 3, False)), len(BatchSampler(range(7), 3, True)))


class Pairs(Dataset):
    Point = namedtuple("Point", ["u", "v"])

    def __len__(self):
        return 5

    def __getitem__(self, i):
        return {
            "id": i,
            "score": i / 2,
            "name": f"s{i}",
            "flag": i % 2 == 0,
            "vec": np.arange(3) * i,
            "pair": (i, torch.tensor([i, -i])),
            "pt": self.Point(i, float(i)),
            "lst": [i, i + 1],
        }


for batch in DataLoader(Pairs(), batch_size=2):
    print(batch)
print(next(iter(DataLoader(Pairs(), batch_size=None))))
print(list(DataLoader(list(range(5)), batch_size=2, collate_fn=lambda b: sum(b))))
print(list(DataLoader(ConcatDataset([range(3), range(10, 12)]), batch_size=2)))
print(list(DataLoader(Subset(ds, [9, 0, 4]), batch_size=2))[0])
sampler = BatchSampler(
    RandomSampler(range(6), generator=torch.Generator().manual_seed(3)), 4, False
)
print([b.tolist() for b in DataLoader(range(6), batch_sampler=sampler)])
for bad in (
    lambda: DataLoader(ds, sampler=SequentialSampler(ds), shuffle=True),
    lambda: DataLoader(ds, batch_sampler=BatchSampler(range(3), 1, False), batch_size=2),
    lambda: DataLoader(ds, batch_size=None, drop_last=True),
    lambda: DataLoader(ds, num_workers=-1),
    lambda: TensorDataset(torch.zeros(3), torch.zeros(4)),
    lambda: random_split(range(5), [2, 2]),
    lambda: list(DataLoader([torch.zeros(2), torch.zeros(3)], batch_size=2)),
    lambda: list(DataLoader([object(), object()], batch_size=2)),
    lambda: BatchSampler(range(3), 0, False),
    lambda: RandomSampler(range(3), num_samples=0),
):
    try:
        bad()
        print("no error")
    except (ValueError, RuntimeError, TypeError, AssertionError) as e:
        print(type(e).__name__, e)
loader = DataLoader(ds)
try:
    loader.batch_size = 5
except ValueError as e:
    print(e)
