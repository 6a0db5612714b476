"""A program that uses much of what the debugger draws: hooks, retain_grad, in-place updates,
no_grad, a NaN, a zero-size tensor, printing, and an error at the end."""

import torch

x = torch.randn(3, 4, requires_grad=True)
w = torch.nn.Parameter(torch.ones(4, 2))
y = x @ w
y.retain_grad()
z = y.relu().sum() + (y * 2).mean()
h = x.register_hook(lambda g: g * 2)
z.backward(retain_graph=True)
z.backward()
with torch.no_grad():
    w -= 0.1 * w.grad
    w.grad.zero_()
a = torch.zeros(3, requires_grad=True)
b = a.clone()
b.add_(1)
b[0] = 5.0
(b * torch.tensor([1.0, float("nan"), 2.0])).sum().backward()
x.grad = None
print("done", x.shape)
c = torch.arange(6).reshape(2, 3).float()
d = torch.tensor([True, False])
e = torch.zeros(0, 3, requires_grad=True)
(e.sum() * 1).backward()
raise ValueError("the end")
