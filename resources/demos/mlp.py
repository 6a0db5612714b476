"""A two-layer MLP learns a toy two-class problem with plain SGD for a handful of steps."""

try:
    import torch
    import torch.nn as nn
except ImportError:
    import visgrad as torch
    import visgrad.nn as nn

torch.manual_seed(0)

# Points above the line x0 + x1 = 0 are class 1, the rest class 0.
inputs = torch.randn(32, 2)
targets = (inputs.sum(dim=1, keepdim=True) > 0).float()


class MLP(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(2, 8)
        self.fc2 = nn.Linear(8, 1)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


model = MLP()
loss_fn = nn.BCEWithLogitsLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)

for step in range(5):
    optimizer.zero_grad()
    logits = model(inputs)
    loss = loss_fn(logits, targets)
    loss.backward()
    optimizer.step()
    print(f"step {step}: loss {loss.item():.4f}")

with torch.no_grad():
    accuracy = ((model(inputs) > 0).float() == targets).float().mean()
print(f"accuracy {accuracy.item():.2f}")
