"""A small MLP fit with AdamW, a one-cycle schedule and gradient clipping.

Weights and data come from fixed formulas, so the run needs no random numbers.
"""

import math

import torch
import torch.nn as nn

x = torch.linspace(-2, 2, 64).reshape(-1, 1)
y = torch.sin(2 * x) + 0.3 * x * x


class MLP(nn.Module):
    def __init__(self, hidden=16):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(1, hidden),
            nn.Tanh(),
            nn.Linear(hidden, hidden),
            nn.Tanh(),
            nn.Linear(hidden, 1),
        )

    def forward(self, x):
        return self.net(x)


model = MLP()
with torch.no_grad():
    for k, p in enumerate(model.parameters()):
        n = p.numel()
        vals = torch.tensor([math.sin(1.7 * i + k) for i in range(n)]).reshape(p.shape)
        p.copy_(vals / math.sqrt(max(p.shape[-1], 1)))
print(model)
print(sum(p.numel() for p in model.parameters()), "parameters")

opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.05)
steps = 60
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.05, total_steps=steps)
loss_fn = nn.MSELoss()
for step in range(steps):
    opt.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    opt.step()
    sched.step()
    if step % 10 == 0 or step == steps - 1:
        lr = sched.get_last_lr()[0]
        print(f"step {step:2d} loss {loss.item():.4f} grad norm {norm.item():.4f} lr {lr:.6f}")

model.eval()
with torch.no_grad():
    pred = model(torch.tensor([[-1.0], [0.0], [1.5]]))
print(pred)
print(opt.state_dict()["param_groups"][0]["betas"])
print(sorted(opt.state_dict()["state"][0].keys()))
print(opt.state_dict()["state"][0]["step"])

# A plateau schedule on SGD for a few epochs of the same problem.
opt2 = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt2, factor=0.5, patience=2)
model.train()
for epoch in range(12):
    opt2.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    opt2.step()
    plateau.step(round(loss.item(), 2))
    print(epoch, f"{loss.item():.4f}", plateau.get_last_lr())
