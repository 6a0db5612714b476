"""A graph convolutional network on a toy graph, as in the GCN tutorials: self loops, symmetric
degree normalisation (scatter_add_ for degrees, index_add_ for message passing, and the dense
D^-1/2 (A + I) D^-1/2 as a check), a two-layer GCN trained semi-supervised on a node mask."""

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(12345)
num_nodes, num_features, num_classes = 12, 6, 3
communities = torch.tensor([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2])
edges = [
    (0, 1),
    (0, 2),
    (1, 2),
    (2, 3),
    (1, 3),
    (3, 4),
    (4, 5),
    (4, 6),
    (5, 6),
    (6, 7),
    (5, 7),
    (7, 8),
    (8, 9),
    (8, 10),
    (9, 10),
    (10, 11),
    (9, 11),
    (0, 11),
]
edge_index = torch.tensor(edges, dtype=torch.long).t().contiguous()
edge_index = torch.cat([edge_index, edge_index.flip(0)], dim=1)
print(edge_index.shape, edge_index.dtype, edge_index[:, :5])
x = torch.randn(num_nodes, num_features) + F.one_hot(communities, num_features).float() * 2
train_mask = torch.zeros(num_nodes, dtype=torch.bool)
train_mask[[0, 4, 8]] = True
test_mask = ~train_mask
print(f"Number of nodes: {num_nodes}")
print(f"Number of edges: {edge_index.size(1)}")
print(f"Average node degree: {edge_index.size(1) / num_nodes:.2f}")
print(f"Number of training nodes: {train_mask.sum()}")
print(f"Training node label rate: {int(train_mask.sum()) / num_nodes:.2f}")


def add_self_loops(edge_index, num_nodes):
    loop = torch.arange(num_nodes, dtype=edge_index.dtype).unsqueeze(0).repeat(2, 1)
    return torch.cat([edge_index, loop], dim=1)


def gcn_norm(edge_index, num_nodes):
    edge_index = add_self_loops(edge_index, num_nodes)
    row, col = edge_index[0], edge_index[1]
    edge_weight = torch.ones(edge_index.size(1))
    deg = torch.zeros(num_nodes).scatter_add_(0, col, edge_weight)
    deg_inv_sqrt = deg.pow(-0.5)
    deg_inv_sqrt[deg_inv_sqrt == float("inf")] = 0
    norm = deg_inv_sqrt[row] * edge_weight * deg_inv_sqrt[col]
    return edge_index, norm


ei, norm = gcn_norm(edge_index, num_nodes)
print(ei.shape, norm[:4], norm.sum())

A = torch.zeros(num_nodes, num_nodes)
A[edge_index[0], edge_index[1]] = 1.0
A_tilde = A + torch.eye(num_nodes)
D_inv_sqrt = torch.diag(A_tilde.sum(dim=1).pow(-0.5))
A_hat = D_inv_sqrt @ A_tilde @ D_inv_sqrt
dense = torch.zeros(num_nodes, num_nodes).index_put_((ei[1], ei[0]), norm, accumulate=True)
print(torch.allclose(A_hat, dense), A_hat.is_contiguous(), A_hat[0, :4])


class GCNConv(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.lin = nn.Linear(in_channels, out_channels, bias=False)
        self.bias = nn.Parameter(torch.zeros(out_channels))

    def forward(self, x, edge_index):
        edge_index, norm = gcn_norm(edge_index, x.size(0))
        x = self.lin(x)
        row, col = edge_index
        messages = x.index_select(0, row) * norm.view(-1, 1)
        out = torch.zeros_like(x).index_add_(0, col, messages)
        return out + self.bias


class GCN(nn.Module):
    def __init__(self, hidden_channels):
        super().__init__()
        self.conv1 = GCNConv(num_features, hidden_channels)
        self.conv2 = GCNConv(hidden_channels, num_classes)

    def forward(self, x, edge_index):
        x = self.conv1(x, edge_index)
        x = x.relu()
        x = F.dropout(x, p=0.5, training=self.training)
        x = self.conv2(x, edge_index)
        return x


model = GCN(hidden_channels=8)
print(model)
optimizer = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=5e-4)
criterion = torch.nn.CrossEntropyLoss()


def train():
    model.train()
    optimizer.zero_grad()
    out = model(x, edge_index)
    loss = criterion(out[train_mask], communities[train_mask])
    loss.backward()
    optimizer.step()
    return loss


def test():
    model.eval()
    out = model(x, edge_index)
    pred = out.argmax(dim=1)
    test_correct = pred[test_mask] == communities[test_mask]
    test_acc = int(test_correct.sum()) / int(test_mask.sum())
    return test_acc


for epoch in range(1, 101):
    loss = train()
    if epoch % 20 == 0:
        print(f"Epoch: {epoch:03d}, Loss: {loss:.4f}")
test_acc = test()
print(f"Test Accuracy: {test_acc:.4f}")

model.eval()
with torch.no_grad():
    h = model.conv1(x, edge_index)
    dense_h = A_hat @ model.conv1.lin(x) + model.conv1.bias
    print(torch.allclose(h, dense_h, atol=1e-6), h.shape)
    out = F.log_softmax(model(x, edge_index), dim=1)
    print(out.exp().sum(dim=1)[:3], out.argmax(1))

x_req = x.clone().requires_grad_()
scores = model(x_req, edge_index)
scores[0, communities[0]].backward()
print(x_req.grad.abs().sum(dim=1).nonzero().view(-1))
msg = torch.ones(4, 2)
print(torch.zeros(3, 2).index_add(0, torch.tensor([0, 2, 2, 1]), msg, alpha=0.5))
print(torch.zeros(3).scatter_add(0, torch.tensor([2, 2, 0]), torch.tensor([1.0, 2.0, 3.0])))
print(
    torch.zeros(2, 3).scatter_reduce(
        1,
        torch.tensor([[0, 0, 2], [1, 1, 1]]),
        torch.arange(6.0).view(2, 3),
        reduce="amax",
        include_self=False,
    )
)
