"""Regression with the pieces tutorials add one at a time: a custom torch.autograd.Function
(ctx.save_for_backward, ctx.needs_input_grad, mark_non_differentiable), activation checkpointing
with torch.utils.checkpoint, gradient accumulation over micro-batches, gradcheck in float64, and
model / optimizer state_dicts saved and reloaded through an io.BytesIO."""

import io

import torch
import torch.nn as nn
from torch.utils.checkpoint import checkpoint, checkpoint_sequential

torch.manual_seed(11)


class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input**3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input**2 - 1)


class ClampWithMask(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, lo, hi):
        mask = (x >= lo) & (x <= hi)
        ctx.save_for_backward(mask)
        ctx.mark_non_differentiable(mask)
        return x.clamp(lo, hi), mask

    @staticmethod
    def backward(ctx, grad_out, grad_mask):
        (mask,) = ctx.saved_tensors
        grad_x = grad_out * mask if ctx.needs_input_grad[0] else None
        return grad_x, None, None


x = torch.linspace(-1, 1, 200).unsqueeze(1)
y = torch.sin(3 * x) + 0.05 * torch.randn_like(x)
print(x.shape, y.shape)

P3 = LegendrePolynomial3.apply
a = torch.tensor(0.0, requires_grad=True)
b = torch.tensor(-1.0, requires_grad=True)
c = torch.tensor(0.0, requires_grad=True)
d = torch.tensor(0.3, requires_grad=True)
learning_rate = 5e-4
for t in range(300):
    y_pred = a + b * P3(c + d * x)
    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        print(t, f"{loss.item():.4f}")
    loss.backward()
    with torch.no_grad():
        for p in (a, b, c, d):
            p -= learning_rate * p.grad
            p.grad = None
print(f"Result: y = {a.item():.4f} + {b.item():.4f} * P3({c.item():.4f} + {d.item():.4f} x)")
print(
    y_pred.grad_fn.name(), type(y_pred.grad_fn.next_functions[1][0].next_functions[1][0]).__name__
)

inp = torch.randn(6, dtype=torch.double, requires_grad=True)
print(torch.autograd.gradcheck(LegendrePolynomial3.apply, (inp,), eps=1e-6, atol=1e-4))
clamped, mask = ClampWithMask.apply(inp, -0.5, 0.5)
print(mask.requires_grad, clamped.requires_grad, clamped.grad_fn.name())
clamped.sum().backward()
print(torch.equal(inp.grad, mask.double()))


class Block(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(width, width), nn.Tanh(), nn.Linear(width, width))

    def forward(self, h):
        return h + self.net(h)


class Regressor(nn.Module):
    def __init__(self, width=16, depth=3, use_checkpoint=True):
        super().__init__()
        self.inp = nn.Linear(1, width)
        self.blocks = nn.ModuleList([Block(width) for _ in range(depth)])
        self.out = nn.Linear(width, 1)
        self.use_checkpoint = use_checkpoint

    def forward(self, x):
        h = torch.tanh(self.inp(x))
        for block in self.blocks:
            if self.use_checkpoint and self.training:
                h = checkpoint(block, h, use_reentrant=False)
            else:
                h = block(h)
        return self.out(h)


model = Regressor()
plain = Regressor(use_checkpoint=False)
plain.load_state_dict(model.state_dict())
out_ckpt = model(x[:8])
out_plain = plain(x[:8])
out_ckpt.sum().backward()
out_plain.sum().backward()
print(torch.allclose(out_ckpt, out_plain), out_ckpt.grad_fn.name())
print(all(torch.allclose(p.grad, q.grad) for p, q in zip(model.parameters(), plain.parameters())))
model.zero_grad(set_to_none=True)
h0 = torch.randn(5, 16, requires_grad=True)
drop = nn.Sequential(nn.Linear(16, 16), nn.Dropout(0.5), nn.Tanh())
torch.manual_seed(1)
r = checkpoint(drop, h0, use_reentrant=True)
r.sum().backward()
torch.manual_seed(1)
h1 = h0.detach().requires_grad_()
drop(h1).sum().backward()
print(r.grad_fn.name(), torch.allclose(h0.grad, h1.grad), f"{torch.rand(1).item():.4f}")
seq = nn.Sequential(*[Block(4) for _ in range(4)])
h = torch.randn(3, 4, requires_grad=True)
out = checkpoint_sequential(seq, 2, h, use_reentrant=False)
out.pow(2).mean().backward()
print(out.shape, f"{h.grad.abs().sum():.4f}")

optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=40)
loss_fn = nn.MSELoss()
accumulation_steps = 4
perm = torch.randperm(200)
for epoch in range(10):
    model.train()
    optimizer.zero_grad()
    running = 0.0
    for i, idx in enumerate(perm.split(25)):
        loss = loss_fn(model(x[idx]), y[idx]) / accumulation_steps
        loss.backward()
        running += loss.item()
        if (i + 1) % accumulation_steps == 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
    if epoch % 3 == 0:
        print(f"epoch {epoch} loss {running / 2:.4f} lr {scheduler.get_last_lr()[0]:.6f}")

buffer = io.BytesIO()
torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 10}, buffer)
print(buffer.tell() > 0)
buffer.seek(0)
checkpoint_data = torch.load(buffer, weights_only=True)
print(sorted(checkpoint_data), checkpoint_data["epoch"], len(checkpoint_data["optimizer"]["state"]))
restored = Regressor()
print(restored.load_state_dict(checkpoint_data["model"]))
opt2 = torch.optim.AdamW(restored.parameters(), lr=3e-3, weight_decay=0.01)
opt2.load_state_dict(checkpoint_data["optimizer"])
print(
    opt2.state_dict()["param_groups"][0]["lr"] == optimizer.state_dict()["param_groups"][0]["lr"],
    opt2.state[restored.out.bias]["step"],
)
restored.eval()
model.eval()
with torch.no_grad():
    print(torch.equal(restored(x), model(x)), f"{loss_fn(model(x), y).item():.4f}")
    print(restored(torch.tensor([[-0.5], [0.0], [0.5]])).squeeze(1))
missing = restored.load_state_dict(
    {k: v for k, v in checkpoint_data["model"].items() if not k.startswith("out")}, strict=False
)
print(missing.missing_keys, missing.unexpected_keys)
weights = io.BytesIO()
torch.save(model.out.weight.detach(), weights)
weights.seek(0)
print(torch.load(weights).shape)
