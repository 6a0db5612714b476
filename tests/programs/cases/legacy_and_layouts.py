"""Old-tutorial and reproducibility idioms: Variable, typename, deterministic algorithms, the
math constants, dtype shorthands, memory formats (channels_last) and the NumPy-style joins."""

import random

import numpy as np
import torch
import torch.nn as nn
from torch.autograd import Variable


def show(label, fn):
    try:
        print(label, "->", fn())
    except Exception as e:  # noqa: BLE001 - the error is what is shown
        print(label, "!!", type(e).__name__, str(e).splitlines()[0])


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    torch.use_deterministic_algorithms(True)


seed_everything(42)
print(
    torch.are_deterministic_algorithms_enabled(),
    torch.is_deterministic_algorithms_warn_only_enabled(),
)
show("deterministic 'yes'", lambda: torch.use_deterministic_algorithms("yes"))
print(torch.pi, torch.e, torch.inf, torch.nan, torch.newaxis)
print(torch.sin(torch.tensor([torch.pi / 2])), torch.tensor([1.0])[torch.newaxis].shape)

# The pre-0.4 style: Variables and .data updates.
x = Variable(torch.randn(4, 3), requires_grad=False)
y = Variable(torch.randn(4, 2), requires_grad=False)
w = Variable(torch.randn(3, 2), requires_grad=True)
print(isinstance(w, Variable), isinstance(x, torch.Tensor), w.is_leaf, w.requires_grad)
for step in range(3):
    loss = (x.mm(w) - y).pow(2).sum()
    loss.backward()
    w.data -= 0.01 * w.grad.data
    w.grad.data.zero_()
    print(step, f"{loss.item():.4f}")
show("Variable of a list", lambda: Variable([1, 2]))
print(torch.typename(w), torch.typename(torch.ones(2, dtype=torch.int64)), torch.typename([]))
print(torch.is_storage(w), w.layout, torch.strided, torch.sparse_coo)
print(w.byte(), w.char(), w.short(), w.detach().byte().dtype)

# channels_last: the same values, another memory order.
img = torch.randn(2, 3, 5, 5)
cl = img.contiguous(memory_format=torch.channels_last)
print(cl.stride(), cl.is_contiguous(), cl.is_contiguous(memory_format=torch.channels_last))
print(torch.equal(cl, img), cl.contiguous().stride(), cl.clone().stride(), (cl * 2).stride())
print(
    img.to(memory_format=torch.channels_last).stride(),
    img.t().clone().stride() if img.dim() == 2 else "",
)
print(
    torch.ones(2, 3).t().clone().stride(),
    torch.ones(2, 3).is_contiguous(memory_format=torch.channels_last),
)
show(
    "channels_last of a matrix",
    lambda: torch.ones(2, 3).contiguous(memory_format=torch.channels_last),
)
show("memory_format 3", lambda: torch.ones(2, 3).contiguous(memory_format=3))
show(
    "preserve on a transposed",
    lambda: torch.ones(2, 3).t().contiguous(memory_format=torch.preserve_format),
)
model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(36, 2))
model = model.to(memory_format=torch.channels_last)
print(model[0].weight.stride(), model[3].weight.stride())
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(2):
    out = model(cl)
    loss = out.pow(2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    print("channels_last step", step, f"{loss.item():.5f}")

# NumPy-style joins.
a, v = torch.arange(6.0).reshape(2, 3), torch.arange(3.0)
print(torch.hstack([a, a]).shape, torch.vstack([a, v]), torch.dstack([v, v]).shape)
print(torch.column_stack([v, v * 2]), torch.atleast_2d(v).shape, torch.atleast_3d(a).shape)
print(a.t().ravel(), torch.fliplr(a), torch.flipud(a))

# Memory and callback methods.
m = torch.arange(6.0).reshape(2, 3).requires_grad_()
print(m.is_signed(), torch.ones(2, dtype=torch.uint8).is_signed(), m.is_pinned(), m.is_shared())
print(m.share_memory_() is m, m.is_shared(), m.dim_order(), m.t().dim_order(), m.to_dense() is m)
print(m.data_ptr() == m.view(-1).data_ptr(), m.data_ptr() == m[1].data_ptr())
print(m.sum_to_size(1, 3), m.sum_to_size(3), m.sum_to_size(2, 3) is m)
show("sum_to_size 4", lambda: m.sum_to_size(4))
print(m.mH, m.H, torch.adjoint(m), torch.ones(2, 3, 4).mH.shape)
show("mH of a vector", lambda: torch.ones(3).mH)
show("H of a batch", lambda: torch.ones(2, 2, 2).H)
show("apply_ with grad", lambda: m.apply_(lambda v: v * 2))
d = m.detach()
d.apply_(lambda v: v * 2 + 1)
print(m)
print(d.map_(torch.tensor([10.0, 20.0, 30.0]), lambda x, y: x + y), m._version)
