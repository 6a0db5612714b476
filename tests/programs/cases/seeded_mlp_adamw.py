"""A seeded MLP classifier: AdamW, cosine annealing, clipping, cross-entropy, accuracy."""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(6)
n = 256
angles = torch.rand(n) * 3.14159
labels = torch.randint(0, 2, (n,))
radius = 1.0 + 0.5 * labels.float()
X = torch.stack([radius * torch.cos(angles), radius * torch.sin(angles)], dim=1)
X = X + 0.1 * torch.randn(n, 2)

model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.SiLU(), nn.Linear(32, 2))
print(model[0].weight[:2], model[4].bias)
opt = torch.optim.AdamW(model.parameters(), lr=3e-2, weight_decay=1e-2)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=40, eta_min=1e-4)
for step in range(40):
    idx = torch.randint(0, n, (64,))
    logits = model(X[idx])
    loss = F.cross_entropy(logits, labels[idx])
    opt.zero_grad()
    loss.backward()
    norm = nn.utils.clip_grad_norm_(model.parameters(), 5.0)
    opt.step()
    sched.step()
    if step % 8 == 0 or step == 39:
        with torch.no_grad():
            acc = (model(X).argmax(1) == labels).float().mean().item()
        print(
            f"{step:2d} loss {loss.item():.4f} norm {norm.item():.3f} acc {acc:.3f} lr {sched.get_last_lr()[0]:.5f}"
        )
print(model(torch.tensor([[0.0, 1.0], [0.0, 1.5]])).softmax(-1))
