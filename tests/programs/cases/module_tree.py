"""Containers, traversal, printing and state dicts of a small model (no randomness)."""

from collections import OrderedDict

import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.proj = nn.Linear(d, d)
        self.act = nn.Tanh()
        self.register_buffer("mask", torch.ones(d))
        self.register_buffer("scratch", torch.zeros(1), persistent=False)

    def forward(self, x):
        return self.act(self.proj(x)) * self.mask


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([Block(3) for _ in range(3)])
        self.extra = nn.ModuleList([Block(3), nn.ReLU(), nn.ReLU(), Block(3)])
        self.heads = nn.ModuleDict({"b": nn.Linear(3, 1), "a": nn.Linear(3, 2, bias=False)})
        self.scales = nn.ParameterList([nn.Parameter(torch.ones(3)), torch.zeros(2, 3)])
        self.table = nn.ParameterDict({"z": nn.Parameter(torch.ones(1)), "y": torch.zeros(4)})
        self.seq = nn.Sequential(
            OrderedDict([("fc", nn.Linear(3, 4)), ("relu", nn.ReLU()), ("out", nn.Identity())])
        )
        self.empty = nn.ModuleList()

    def forward(self, x):
        for b in self.blocks:
            x = b(x)
        return self.heads["b"](x) + self.scales[0].sum()


net = Net()
with torch.no_grad():
    for i, p in enumerate(net.parameters()):
        p.copy_(torch.arange(p.numel(), dtype=torch.float32).reshape(p.shape) / (10 + i))
print(net)
print([n for n, _ in net.named_modules()])
print([n for n, _ in net.named_children()])
print([type(m).__name__ for m in net.children()])
print([n for n, _ in net.named_parameters()])
print([(n, tuple(b.shape)) for n, b in net.named_buffers()])
sd = net.state_dict()
print(list(sd.keys()))
print(sorted(sd._metadata.items()))
print(len(net.blocks), len(net.extra), len(net.heads), len(net.scales), len(net.table))
print(net.blocks[-1] is net.blocks[2], type(net.blocks[1:]).__name__, len(net.blocks[1:]))
print(list(net.heads.keys()), "a" in net.heads, list(net.table.keys()))
print(net.seq[0], net.seq[-1], net.seq[1:])
y = net(torch.ones(2, 3))
print(y)
print(y.grad_fn.name())

# load_state_dict: round trip, then strict errors as PyTorch words them.
other = Net()
print(other.load_state_dict(sd))
print(torch.equal(other.blocks[0].proj.weight, net.blocks[0].proj.weight))
bad = OrderedDict(sd)
del bad["blocks.0.proj.bias"]
bad["blocks.9.proj.weight"] = torch.zeros(1)
bad["heads.a.weight"] = torch.zeros(5, 5)
try:
    other.load_state_dict(bad)
except RuntimeError as e:
    print(e)
print(other.load_state_dict({"seq.fc.bias": torch.ones(4), "nope": torch.ones(1)}, strict=False))
try:
    other.load_state_dict([1, 2])
except TypeError as e:
    print(e)
try:
    other.load_state_dict({"seq.fc.bias": 3}, strict=False)
except RuntimeError as e:
    print(e)

# Mutating containers.
net.blocks.append(Block(3))
net.blocks.insert(0, nn.Tanh())
del net.blocks[1]
print(net.blocks)
net.seq[1] = nn.Sigmoid()
net.seq.append(nn.Tanh())
del net.seq[0]
print(net.seq)
net.heads["c"] = nn.Identity()
net.heads.pop("b")
print(net.heads)
for i in (5, -6):
    try:
        net.blocks[i]
    except IndexError as e:
        print(e)
try:
    net.scales()
except RuntimeError as e:
    print(e)
try:
    net.blocks(torch.ones(1))
except NotImplementedError as e:
    print(e)

# apply, train/eval, requires_grad_, zero_grad.
names = []
net.apply(lambda m: names.append(type(m).__name__))
print(names)
net.eval()
print(net.training, net.blocks[0].training, net.seq.training)
net.train()
print(all(m.training for m in net.modules()))
net.requires_grad_(False)
print(any(p.requires_grad for p in net.parameters()))
