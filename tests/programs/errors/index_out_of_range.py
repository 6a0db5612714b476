import torch

x = torch.arange(5.0, requires_grad=True)
y = x * 3


def pick(t, i):
    return t[i]


z = pick(y, 7)
