"""Autograd as the tutorials teach it: grad_fn chains, vector-Jacobian products, no_grad, detach,
retain_grad, accumulation, higher-order gradients and torch.autograd.grad."""

import torch

torch.manual_seed(0)
x = torch.ones(5)
y = torch.zeros(3)
w = torch.randn(5, 3, requires_grad=True)
b = torch.randn(3, requires_grad=True)
z = torch.matmul(x, w) + b
loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
print(f"Gradient function for z = {type(z.grad_fn).__name__}")
print(f"Gradient function for loss = {type(loss.grad_fn).__name__}")
print([(f.name() if f else None, i) for f, i in loss.grad_fn.next_functions])
loss.backward()
print(w.grad)
print(b.grad)
z = torch.matmul(x, w) + b
print(z.requires_grad)
with torch.no_grad():
    z = torch.matmul(x, w) + b
print(z.requires_grad)
z_det = (torch.matmul(x, w) + b).detach()
print(z_det.requires_grad, z_det.is_leaf)

inp = torch.eye(4, 5, requires_grad=True)
out = (inp + 1).pow(2).t()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"First call\n{inp.grad}")
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\nSecond call\n{inp.grad}")
inp.grad.zero_()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\nCall after zeroing gradients\n{inp.grad}")

a = torch.tensor([2.0, 3.0], requires_grad=True)
b = torch.tensor([6.0, 4.0], requires_grad=True)
Q = 3 * a**3 - b**2
external_grad = torch.tensor([1.0, 1.0])
Q.backward(gradient=external_grad)
print(9 * a**2 == a.grad)
print(-2 * b == b.grad)

x = torch.randn(3, requires_grad=True)
y = x * 2
while y.data.norm() < 1000:
    y = y * 2
print(y)
v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
y.backward(v)
print(x.grad)
print(x.requires_grad, (x**2).requires_grad)
with torch.no_grad():
    print((x**2).requires_grad)
print(x.requires_grad, x.detach().requires_grad, x.eq(x.detach()).all())

h = torch.randn(4, requires_grad=True)
mid = h.tanh()
mid.retain_grad()
(mid * mid).sum().backward()
print(mid.grad, h.grad, mid.is_leaf, mid.grad_fn.name())

t = torch.tensor(1.5, requires_grad=True)
f = t**4 + torch.sin(t)
(g1,) = torch.autograd.grad(f, t, create_graph=True)
(g2,) = torch.autograd.grad(g1, t, create_graph=True)
(g3,) = torch.autograd.grad(g2, t)
print(g1, g2, g3)
p = torch.randn(3, 3, dtype=torch.float64, requires_grad=True)
q = torch.randn(3, dtype=torch.float64, requires_grad=True)
r = (p @ q).exp().sum()
gp, gq = torch.autograd.grad(r, [p, q])
print(gp, gq)
print(torch.autograd.gradcheck(lambda a, b: (a @ b).sin(), (p, q)))
try:
    r.backward()
    r.backward()
except RuntimeError as e:
    print("RuntimeError:", str(e).splitlines()[0])
leaf = torch.zeros(2, requires_grad=True)
try:
    leaf.add_(1)
except RuntimeError as e:
    print("RuntimeError:", e)
with torch.enable_grad():
    with torch.no_grad():
        print(torch.is_grad_enabled())
    print(torch.is_grad_enabled())
with torch.inference_mode():
    k = torch.ones(2) * 3
print(k.requires_grad, k)
torch.set_grad_enabled(False)
print((leaf * 2).requires_grad)
torch.set_grad_enabled(True)
print((leaf * 2).grad_fn.name())
