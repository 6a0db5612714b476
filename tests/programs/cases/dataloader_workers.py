"""DataLoader workers as PyTorch runs them: each worker seeds torch, random and NumPy from the
base seed plus its id, fetches every N-th batch, and sees its own get_worker_info(); an iterable
dataset is iterated by every worker (sharded or duplicated); persistent workers keep their
streams across epochs; the main process's streams move only by the base seed's draw."""

import math
import random

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, IterableDataset, TensorDataset, get_worker_info


class Augmented(Dataset):
    def __len__(self):
        return 6

    def __getitem__(self, i):
        info = get_worker_info()
        noise = torch.rand(1).item()
        return (
            torch.tensor([float(i)]),
            round(noise, 6),
            random.randint(0, 99),
            int(np.random.randint(0, 99)),
            info.id if info else -1,
        )


def seed_worker(worker_id):
    # The reproducibility recipe of PyTorch's documentation.
    worker_seed = torch.initial_seed() % 2**32
    np.random.seed(worker_seed)
    random.seed(worker_seed)


class Range(IterableDataset):
    def __init__(self, start, end, shard):
        self.start, self.end, self.shard = start, end, shard

    def __iter__(self):
        info = get_worker_info()
        if info is None or not self.shard:
            return iter(range(self.start, self.end))
        per = int(math.ceil((self.end - self.start) / float(info.num_workers)))
        lo = self.start + info.id * per
        return iter(range(lo, min(lo + per, self.end)))


torch.manual_seed(0)
random.seed(1)
np.random.seed(2)
for nw in (0, 2, 3):
    loader = DataLoader(
        Augmented(),
        batch_size=2,
        shuffle=True,
        num_workers=nw,
        worker_init_fn=seed_worker if nw == 3 else None,
    )
    for x, noise, r, n, wid in loader:
        print(nw, x.flatten().tolist(), noise.tolist(), r.tolist(), n.tolist(), wid.tolist())
    print("main after", torch.rand(1).item(), random.random(), np.random.rand())
for nw in (0, 2):
    print(
        "sharded",
        nw,
        [b.tolist() for b in DataLoader(Range(3, 10, True), batch_size=2, num_workers=nw)],
    )
    print(
        "copies",
        nw,
        [b.tolist() for b in DataLoader(Range(0, 5, False), batch_size=2, num_workers=nw)],
    )
    print(
        "unbatched",
        nw,
        [int(b) for b in DataLoader(Range(0, 3, False), batch_size=None, num_workers=nw)],
    )
persistent = DataLoader(
    Augmented(), batch_size=3, shuffle=True, num_workers=2, persistent_workers=True
)
for epoch in range(3):
    print(
        "epoch", epoch, [(x.flatten().tolist(), noise.tolist()) for x, noise, _, _, _ in persistent]
    )
    print("main", torch.rand(1).item())
print(get_worker_info())
try:
    for _ in DataLoader(TensorDataset(torch.ones(2)), num_workers=1):
        get_worker_info().id = 3
except Exception as e:
    print(type(e).__name__)
