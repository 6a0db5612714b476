"""Forward and full backward hooks on modules: order, arguments, replacements, removal."""

import torch
import torch.nn as nn

torch.set_default_dtype(torch.float64)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(3, 2)
        self.b = nn.Linear(2, 1)

    def forward(self, x, scale=1.0):
        return self.b(torch.tanh(self.a(x))) * scale


def show(t):
    return None if t is None else [round(v, 6) for v in t.flatten().tolist()]


net = Net()
with torch.no_grad():
    for p in net.parameters():
        p.copy_(torch.arange(p.numel(), dtype=torch.float64).reshape(p.shape) * 0.1 - 0.2)

log = []
net.a.register_forward_pre_hook(lambda m, args: log.append(("pre a", len(args))))
net.a.register_forward_pre_hook(lambda m, args: log.append(("pre a first",)), prepend=True)
net.a.register_forward_hook(lambda m, args, out: log.append(("fwd a", tuple(out.shape))))
net.register_forward_pre_hook(
    lambda m, args, kwargs: log.append(("pre net", sorted(kwargs))), with_kwargs=True
)
net.register_forward_hook(
    lambda m, args, kwargs, out: log.append(("fwd net", kwargs.get("scale"))), with_kwargs=True
)


def bw(name):
    def hook(m, grad_input, grad_output):
        log.append((name, [show(g) for g in grad_input], [show(g) for g in grad_output]))

    return hook


net.a.register_full_backward_hook(bw("bw a"))
net.b.register_full_backward_hook(bw("bw b"))
net.register_full_backward_hook(bw("bw net"))
net.register_full_backward_pre_hook(lambda m, go: log.append(("bwpre net", [show(g) for g in go])))
x = torch.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]], requires_grad=True)
y = net(x, scale=2.0)
print(y.grad_fn.name())
y.sum().backward()
for entry in log:
    print(entry)
print(show(x.grad))

# Replacing: a pre-hook changes the input, a forward hook the output, backward hooks the grads.
log.clear()
h1 = net.a.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
h2 = net.b.register_forward_hook(lambda m, args, out: out + 1)
h3 = net.b.register_full_backward_hook(lambda m, gi, go: tuple(g * 10 for g in gi))
h4 = net.a.register_full_backward_pre_hook(lambda m, go: (go[0] * 0.5,))
x.grad = None
net(x).sum().backward()
print(show(x.grad), show(net.a.weight.grad))
for h in (h1, h2, h3, h4):
    h.remove()
x.grad = None
net.zero_grad()
net(x).sum().backward()
print(show(x.grad), show(net.a.weight.grad))

# A module whose input does not require grad: grad_input is all None.
lin = nn.Linear(3, 1)
lin.register_full_backward_hook(lambda m, gi, go: print("lin", gi, [tuple(g.shape) for g in go]))
lin(torch.ones(2, 3)).sum().backward()

# Hooks that return the wrong number of gradients.
bad = nn.Linear(3, 1)
bad.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
try:
    bad(x).sum().backward()
except RuntimeError as e:
    print(e)
bad2 = nn.Linear(3, 1)
bad2.register_full_backward_pre_hook(lambda m, go: (go[0], go[0]))
try:
    bad2(x).sum().backward()
except RuntimeError as e:
    print(e)
bad3 = nn.Linear(3, 1)
bad3.register_forward_pre_hook(lambda m, a, k: 5, with_kwargs=True)
try:
    bad3(x)
except RuntimeError as e:
    print(e)


# always_call forward hooks also run when forward raises.
class Boom(nn.Module):
    def forward(self, x):
        raise ValueError("boom")


boom = Boom()
boom.register_forward_hook(lambda m, a, out: print("always", out), always_call=True)
boom.register_forward_hook(lambda m, a, out: print("never"))
try:
    boom(x)
except ValueError as e:
    print("raised", e)
