"""A training script written for torchrun, run as one process: the single-rank path.

Process-group errors before init, env:// rendezvous errors, a world of one (collectives are
identities), DistributedDataParallel around a model with gradient accumulation through
require_backward_grad_sync / no_sync, and DistributedSampler orders per epoch and per rank.
"""

import os

import torch
import torch.distributed as dist
import torch.nn as nn
from torch.distributed import destroy_process_group, init_process_group
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler


def show(label, fn):
    try:
        print(label, "->", repr(fn()))
    except Exception as e:
        print(label, "!!", type(e).__name__, str(e).splitlines()[0])


show("available", dist.is_available)
show("initialized", dist.is_initialized)
show("rank", dist.get_rank)
show("world", dist.get_world_size)
show("all_reduce", lambda: dist.all_reduce(torch.ones(2)))
show("barrier", dist.barrier)
show("nccl", dist.is_nccl_available)
show("ops", lambda: (dist.ReduceOp.SUM, dist.ReduceOp.AVG))
show("DDP without a group", lambda: DDP(nn.Linear(2, 2)))
show("destroy without a group", dist.destroy_process_group)
show("sampler without a group", lambda: DistributedSampler(list(range(4))))
for k in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
    os.environ.pop(k, None)
show("init from a bare env", lambda: init_process_group(backend="gloo"))
os.environ["RANK"] = "0"
show("init without WORLD_SIZE", lambda: init_process_group(backend="gloo"))
os.environ["WORLD_SIZE"] = "1"
show("init without MASTER_ADDR", lambda: init_process_group(backend="gloo"))
show(
    "init nccl",
    lambda: init_process_group("nccl", init_method="tcp://127.0.0.1:29512", rank=0, world_size=1),
)
ddp = int(os.environ.get("RANK", -1)) != -1
print("ddp run", ddp)
init_process_group("gloo", init_method="tcp://127.0.0.1:29513", rank=0, world_size=1)
print(dist.is_initialized(), dist.get_rank(), dist.get_world_size(), dist.get_backend())
show(
    "init twice",
    lambda: init_process_group("gloo", init_method="tcp://127.0.0.1:29514", rank=0, world_size=1),
)
t = torch.tensor([1.0, 2.0])
print(dist.all_reduce(t, op=dist.ReduceOp.AVG), t)
gathered = [torch.zeros(2)]
dist.all_gather(gathered, t)
print(gathered)
print(type(dist.all_reduce(t, async_op=True)).__name__)

torch.manual_seed(0)
raw = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 1))
model = DDP(raw)
print(model)
print(list(model.state_dict().keys()), model.require_backward_grad_sync, model.module is raw)
data = TensorDataset(torch.randn(10, 3), torch.randn(10, 1))
sampler = DistributedSampler(data, shuffle=True, seed=3)
loader = DataLoader(data, batch_size=4, sampler=sampler)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
accum = 2
for epoch in range(2):
    sampler.set_epoch(epoch)
    print("epoch order", list(sampler), len(sampler))
    for i, (x, y) in enumerate(loader):
        model.require_backward_grad_sync = (i + 1) % accum == 0
        loss = nn.functional.mse_loss(model(x), y) / accum
        loss.backward()
        if (i + 1) % accum == 0:
            opt.step()
            opt.zero_grad(set_to_none=True)
        print(
            f"epoch {epoch} batch {i} loss {loss.item():.6f} sync {model.require_backward_grad_sync}"
        )
with model.no_sync():
    print("no_sync", model.require_backward_grad_sync)
print("after", model.require_backward_grad_sync)
print(list(DistributedSampler(list(range(10)), num_replicas=3, rank=1, shuffle=False)))
print(
    list(DistributedSampler(list(range(10)), num_replicas=3, rank=1, shuffle=True, drop_last=True))
)
print(list(DistributedSampler(list(range(2)), num_replicas=5, rank=4, shuffle=False)))
show("bad rank", lambda: DistributedSampler(list(range(4)), num_replicas=2, rank=2))
frozen = nn.Linear(2, 2).requires_grad_(False)
show("DDP of a frozen module", lambda: DDP(frozen))
dp = nn.DataParallel(nn.Linear(2, 2))
print(dp, list(dp.state_dict()), type(dp.module).__name__)
destroy_process_group()
print(dist.is_initialized())
