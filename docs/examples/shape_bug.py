"""A two-layer network with a shape bug: the second weight has the wrong number of rows.

Run it with ``visgrad docs/examples/shape_bug.py`` and press F5: the failing matmul is drawn in
red with its inputs, the banner above the graph names the line, and the Call Stack panel shows
``forward()`` called from the script.
"""

import torch

torch.manual_seed(0)
x = torch.randn(8, 4)
y = torch.randn(8, 1)
w1 = torch.randn(4, 16, requires_grad=True)
b1 = torch.zeros(16, requires_grad=True)
w2 = torch.randn(8, 1, requires_grad=True)  # the bug: h has 16 features, so w2 needs 16 rows


def forward(inputs):
    h = torch.relu(inputs @ w1 + b1)
    return h @ w2


pred = forward(x)
loss = ((pred - y) ** 2).mean()
loss.backward()
