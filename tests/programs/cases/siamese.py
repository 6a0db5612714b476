"""A siamese embedding network, as in metric-learning tutorials: one shared encoder applied to
anchor / positive / negative triplets mined from labelled synthetic points, trained with
nn.TripletMarginLoss, then fine-tuned on pairs with nn.CosineEmbeddingLoss; distances,
similarities and a nearest-neighbour accuracy are printed."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(3)
num_classes, dim = 4, 10
centers = torch.randn(num_classes, dim) * 2
labels = torch.arange(num_classes).repeat_interleave(24)
points = centers[labels] + torch.randn(len(labels), dim)


class TripletDataset(Dataset):
    def __init__(self, data, targets):
        self.data, self.targets = data, targets
        self.by_label = {int(c): torch.where(targets == c)[0] for c in targets.unique()}

    def __len__(self):
        return len(self.data)

    def __getitem__(self, idx):
        label = int(self.targets[idx])
        same = self.by_label[label]
        pos = same[torch.randint(len(same), (1,))].item()
        neg_label = (label + torch.randint(1, num_classes, (1,)).item()) % num_classes
        others = self.by_label[neg_label]
        neg = others[torch.randint(len(others), (1,))].item()
        return self.data[idx], self.data[pos], self.data[neg]


class EmbeddingNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Sequential(
            nn.Linear(dim, 32), nn.PReLU(), nn.Linear(32, 32), nn.PReLU(), nn.Linear(32, 2)
        )

    def forward(self, x):
        return self.fc(x)


class EmbeddingNetL2(EmbeddingNet):
    def forward(self, x):
        output = super().forward(x)
        output = output / output.pow(2).sum(1, keepdim=True).sqrt()
        return output


class TripletNet(nn.Module):
    def __init__(self, embedding_net):
        super().__init__()
        self.embedding_net = embedding_net

    def forward(self, x1, x2, x3):
        return self.embedding_net(x1), self.embedding_net(x2), self.embedding_net(x3)

    def get_embedding(self, x):
        return self.embedding_net(x)


dataset = TripletDataset(points, labels)
loader = DataLoader(dataset, batch_size=16, shuffle=True)
a, p, n = dataset[0]
print(len(dataset), a.shape, torch.equal(a, points[0]))

model = TripletNet(EmbeddingNetL2())
print(model)
criterion = nn.TripletMarginLoss(margin=0.5, p=2)
print(criterion, criterion.margin, criterion.swap)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 3, gamma=0.5, last_epoch=-1)

for epoch in range(6):
    model.train()
    losses = []
    for anchor, positive, negative in loader:
        optimizer.zero_grad()
        ea, ep, en = model(anchor, positive, negative)
        loss = criterion(ea, ep, en)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    scheduler.step()
    print(f"Epoch: {epoch + 1}/6. Train set: Average loss: {sum(losses) / len(losses):.4f}")

model.eval()
with torch.no_grad():
    emb = model.get_embedding(points)
    d_ap = F.pairwise_distance(emb[:8], emb[8:16])
    d_an = F.pairwise_distance(emb[:8], emb[-8:])
    print(f"{d_ap.mean():.3f} {d_an.mean():.3f}", (d_ap < d_an).all().item())
    dist = torch.cdist(emb, emb)
    dist.fill_diagonal_(float("inf"))
    nn_label = labels[dist.argmin(dim=1)]
    print(f"1-NN accuracy: {(nn_label == labels).float().mean():.4f}")
    print(
        F.triplet_margin_loss(emb[:4], emb[4:8], emb[-4:], margin=0.5, swap=True, reduction="none")
    )
    print(
        nn.TripletMarginWithDistanceLoss(distance_function=nn.PairwiseDistance())(
            emb[:4], emb[4:8], emb[-4:]
        )
    )

cos = nn.CosineEmbeddingLoss(margin=0.2)
print(cos)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for step in range(20):
    i = torch.randint(len(points), (32,))
    j = torch.randint(len(points), (32,))
    target = torch.where(labels[i] == labels[j], 1, -1)
    e1, e2 = model.get_embedding(points[i]), model.get_embedding(points[j])
    loss = cos(e1, e2, target)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 5 == 4:
        print(
            f"step {step + 1:2d} cosine loss {loss.item():.4f} positives {(target == 1).sum().item()}"
        )

with torch.no_grad():
    e = model.get_embedding(points[[0, 1, 30, 60]])
    sim = F.cosine_similarity(e[0:1], e, dim=1)
    print(sim.round(decimals=3))
    print(F.cosine_embedding_loss(e[:2], e[2:], torch.tensor([1, -1]), reduction="none").shape)
    norms = F.normalize(e, dim=1)
    print((norms @ norms.T).diagonal())
