"""An LSTM forecaster of a noisy sine wave, trained on windows from a DataLoader."""

import math

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(1)
t = torch.arange(0, 120, dtype=torch.float32)
series = torch.sin(t * 2 * math.pi / 24) + 0.05 * torch.randn(120)


class Windows(Dataset):
    def __init__(self, s, width):
        self.s, self.width = s, width

    def __len__(self):
        return len(self.s) - self.width

    def __getitem__(self, i):
        return self.s[i : i + self.width].unsqueeze(-1), self.s[i + self.width]


class Forecaster(nn.Module):
    def __init__(self, hidden=16):
        super().__init__()
        self.lstm = nn.LSTM(1, hidden, num_layers=2, batch_first=True, dropout=0.0)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, (h, c) = self.lstm(x)
        return self.head(out[:, -1]).squeeze(-1)


data = Windows(series, 12)
loader = DataLoader(data, batch_size=16, shuffle=True)
model = Forecaster()
print(model)
print(sum(p.numel() for p in model.parameters()))
opt = torch.optim.Adam(model.parameters(), lr=0.01)
for epoch in range(4):
    losses = []
    for xb, yb in loader:
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
    print(f"epoch {epoch} mean loss {sum(losses) / len(losses):.4f} last {losses[-1]:.4f}")

model.eval()
window = series[-12:].reshape(1, 12, 1)
preds = []
with torch.no_grad():
    for _ in range(5):
        nxt = model(window)
        preds.append(round(nxt.item(), 3))
        window = torch.cat([window[:, 1:], nxt.reshape(1, 1, 1)], dim=1)
print(preds)
