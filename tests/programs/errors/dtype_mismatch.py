import torch

x = torch.ones(2, 3, dtype=torch.float64)
w = torch.ones(3, 2, requires_grad=True)
y = torch.mm(x, w)
