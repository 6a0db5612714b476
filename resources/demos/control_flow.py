"""Data-dependent control flow: the graph depends on the values, and autograd follows it."""

try:
    import torch
except ImportError:
    import visgrad as torch

torch.manual_seed(0)

x = torch.randn(3, requires_grad=True)

# Keep doubling until the norm passes 10: how many multiplications happen depends on x.
y = x * 2
doublings = 1
while y.norm() < 10:
    y = y * 2
    doublings += 1

# Take a different branch depending on the sign of the sum.
if y.sum() > 0:
    out = y.sum()
else:
    out = (y * y).sum()

out.backward()
print(f"doublings: {doublings}")
print(f"x.grad: {x.grad}")
