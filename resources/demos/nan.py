"""A backward pass that produces NaN: sqrt's derivative at 0 is infinite, and 0 * inf is NaN."""

try:
    import torch
except ImportError:
    import visgrad as torch

x = torch.tensor([4.0, 0.0, 1.0], requires_grad=True)
r = torch.sqrt(x)  # fine forward: [2, 0, 1]
scaled = r * torch.tensor([1.0, 0.0, 1.0])  # the zero weight hides x[1] from the loss
loss = scaled.sum()
loss.backward()  # d sqrt(x)/dx at 0 is inf; inf * 0 = nan
print(f"loss: {loss.item()}")
print(f"x.grad: {x.grad}")
