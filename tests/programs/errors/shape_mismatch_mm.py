import torch

x = torch.ones(2, 3)
w = torch.ones(4, 5, requires_grad=True)


def layer(inputs, weight):
    return inputs @ weight


h = layer(x, w)
