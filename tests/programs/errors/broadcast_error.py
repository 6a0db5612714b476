import torch

a = torch.ones(3, 4, requires_grad=True)
b = torch.ones(5)
c = a * 2
d = c + b
