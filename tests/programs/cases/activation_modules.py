"""Activation modules: printouts, values, grad_fn names and gradients (float64, fixed input)."""

import torch
import torch.nn as nn

x = torch.linspace(-3, 3, 7, dtype=torch.float64)
mods = [
    nn.GELU(), nn.GELU("tanh"), nn.SiLU(), nn.LeakyReLU(), nn.LeakyReLU(0.2), nn.Softplus(),
    nn.Softplus(2, 1), nn.ELU(), nn.ELU(0.5), nn.CELU(2.0), nn.SELU(), nn.Mish(),
    nn.Hardtanh(), nn.Hardtanh(-2, 2), nn.ReLU6(), nn.Threshold(0.5, -1.0), nn.Hardswish(),
    nn.Hardsigmoid(), nn.Softsign(), nn.Tanhshrink(), nn.LogSigmoid(), nn.ReLU(), nn.Tanh(),
    nn.Sigmoid(), nn.Softmin(0), nn.Softmax(0), nn.LogSoftmax(0),
]  # fmt: skip

for m in mods:
    xi = x.clone().requires_grad_(True)
    y = m(xi)
    (y * torch.arange(7, dtype=torch.float64)).sum().backward()
    print(m, y.grad_fn.name())
    print(" ", y.detach())
    print(" ", xi.grad)

glu = nn.GLU(dim=1)
print(glu, glu(torch.arange(8.0).reshape(2, 4)))
un = nn.Unflatten(1, (2, 3))
print(un, un(torch.zeros(4, 6)).shape)
print(nn.Softmax2d()(torch.zeros(1, 2, 1, 1)))
seq = nn.Sequential(
    nn.Linear(2, 3), nn.GELU(), nn.Dropout(0.1), nn.SiLU(inplace=True), nn.Linear(3, 1)
)
print(seq)
print(nn.Mish(True), nn.SELU(True), nn.ELU(inplace=True), nn.Hardtanh(inplace=True), nn.ReLU6(True))
