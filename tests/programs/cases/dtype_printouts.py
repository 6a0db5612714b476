"""Tensor printouts of every dtype: scalars, vectors, matrices, summaries and special values."""

import torch

torch.manual_seed(3)
dtypes = [
    torch.bool,
    torch.uint8,
    torch.int8,
    torch.int16,
    torch.int32,
    torch.int64,
    torch.float16,
    torch.float32,
    torch.float64,
]
base = torch.tensor([[0, 1, -2, 3], [4, -5, 6, 7]])
for dt in dtypes:
    t = base.to(dt)
    print(dt, t.dtype.is_floating_point, t.element_size(), t.dtype.itemsize)
    print(t)
    print(repr(t[0, 1]), t.sum().dtype)
for dt in [torch.float16, torch.float32, torch.float64]:
    r = torch.randn(3, 3, dtype=torch.float64).to(dt) * 100
    print(r)
    print(torch.tensor([1.5, float("inf"), float("-inf"), float("nan")], dtype=dt))
    print(torch.tensor([1e-8, 1.0, 1e8], dtype=torch.float32).to(dt))
print(torch.tensor(3.0), torch.tensor(True), torch.tensor(7, dtype=torch.int8))
print(torch.tensor([]), torch.tensor([], dtype=torch.int64), torch.zeros(0, 3))
print(torch.tensor([[1e-5, 2.5], [3.0, 4e5]]))
print(torch.tensor([123456789.0, 1.0]))
print(torch.tensor([0.1, 0.25, 100.0], dtype=torch.float64))
print(torch.arange(2000).reshape(40, 50))
print(torch.linspace(0, 1, 1500))
print(torch.randn(2, 3, 4))
print(torch.ones(2, 2, requires_grad=True) * 2)
print(torch.tensor([1, 2], dtype=torch.uint8) + 255)
print(torch.tensor([100, 120], dtype=torch.int8) + torch.tensor([100, 10], dtype=torch.int8))
print(torch.tensor([1, 2]) / 2, torch.tensor([5, -5]) // 2, torch.tensor([5, -5]) % 3)
print(torch.tensor([1, 2], dtype=torch.int32) * 1.5)
print(torch.tensor([True, False]) + torch.tensor([True, True]))
print(torch.tensor([1.0], dtype=torch.float16) + torch.tensor([1.0], dtype=torch.float64))
print(torch.full((2, 2), 7, dtype=torch.int16).float().half())
print(torch.tensor([65504.0, 70000.0]).half(), torch.tensor([3.14159265]).double().half())
torch.set_printoptions(precision=2)
print(torch.tensor([1.23456, 2.34567]))
torch.set_printoptions(sci_mode=True)
print(torch.tensor([1.23456, 2.34567]))
torch.set_printoptions(profile="default")
print(torch.tensor([1.23456, 2.34567]))
print(torch.iinfo(torch.int16), torch.finfo(torch.float16).eps)
