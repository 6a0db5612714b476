"""Linear regression from a shuffled DataLoader, with a validation split and a checkpoint."""

import io

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split

torch.manual_seed(0)
X = torch.randn(200, 3)
true_w = torch.tensor([[2.0], [-3.4], [1.5]])
y = X @ true_w + 4.2 + 0.1 * torch.randn(200, 1)
train_set, val_set = random_split(TensorDataset(X, y), [0.8, 0.2])
print(len(train_set), len(val_set), train_set.indices[:8])
train = DataLoader(train_set, batch_size=16, shuffle=True)
val = DataLoader(val_set, batch_size=40)

model = nn.Linear(3, 1)
print(model.weight, model.bias)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
loss_fn = nn.MSELoss()
for epoch in range(6):
    model.train()
    total = 0.0
    for xb, yb in train:
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        total += loss.item() * len(xb)
    sched.step()
    model.eval()
    with torch.no_grad():
        val_loss = sum(loss_fn(model(xb), yb).item() * len(xb) for xb, yb in val) / len(val_set)
    print(
        f"epoch {epoch} train {total / len(train_set):.4f} val {val_loss:.4f} lr {sched.get_last_lr()[0]}"
    )
print(model.weight.data, model.bias.data)

buf = io.BytesIO()
torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 6}, buf)
buf.seek(0)
ckpt = torch.load(buf, weights_only=True)
fresh = nn.Linear(3, 1)
print(fresh.load_state_dict(ckpt["model"]), ckpt["epoch"])
print(torch.equal(fresh.weight, model.weight), ckpt["optimizer"]["param_groups"][0]["lr"])
print(fresh(torch.tensor([[1.0, 0.0, -1.0]])))
