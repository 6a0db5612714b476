"""A program whose backward nodes cover the chain-rule view's kinds of step (run by the tests)."""

import visgrad as torch

x = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], requires_grad=True)
w = torch.tensor([[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]], requires_grad=True)
h = x @ w
flat = h.reshape(4)
rows = h.sum(1)
avg = h.mean(0)
probs = torch.softmax(h, 1)
first = h[0]
loss = flat.sum() + rows.sum() + avg.sum() + (probs * probs).sum() + first.sum()
loss.backward()

r = torch.tensor([0.0, 4.0], requires_grad=True)
bad = torch.sqrt(r).sum()  # the gradient of sqrt at 0 is inf
bad.backward()
