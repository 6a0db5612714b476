"""A text-classification data pipeline: a map-style Dataset of variable-length token lists,
random_split with a seeded Generator, a custom collate_fn that pads and sorts, a sampler,
drop_last, an EmbeddingBag-free mean-pooled classifier, and an IterableDataset."""

import torch
from torch import nn
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import DataLoader, Dataset, IterableDataset, RandomSampler, random_split

g = torch.Generator().manual_seed(7)
vocab = ["<pad>", "good", "bad", "great", "awful", "movie", "plot", "fine", "boring", "fun"]
positive = {"good", "great", "fine", "fun"}


class Reviews(Dataset):
    def __init__(self, n):
        lengths = torch.randint(2, 7, (n,), generator=g)
        self.items = []
        for length in lengths.tolist():
            toks = torch.randint(1, len(vocab), (length,), generator=g)
            score = sum(1 if vocab[t] in positive else -1 for t in toks.tolist())
            self.items.append((toks, int(score > 0)))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, idx):
        return self.items[idx]


ds = Reviews(60)
print(len(ds), ds[0], ds[1])
train_ds, val_ds, test_ds = random_split(
    ds, [40, 12, 8], generator=torch.Generator().manual_seed(42)
)
print(len(train_ds), len(val_ds), len(test_ds), train_ds.indices[:8], type(train_ds).__name__)
fr = random_split(range(10), [0.5, 0.3, 0.2], generator=torch.Generator().manual_seed(1))
print([list(s) for s in fr])


def collate_batch(batch):
    batch = sorted(batch, key=lambda item: len(item[0]), reverse=True)
    texts = [item[0] for item in batch]
    labels = torch.tensor([item[1] for item in batch])
    lengths = torch.tensor([len(t) for t in texts])
    padded = pad_sequence(texts, batch_first=True, padding_value=0)
    return padded, lengths, labels


loader = DataLoader(
    train_ds,
    batch_size=8,
    shuffle=True,
    collate_fn=collate_batch,
    generator=torch.Generator().manual_seed(3),
    drop_last=True,
)
print(len(loader))
for padded, lengths, labels in loader:
    print(padded.shape, lengths.tolist(), labels.tolist())
    break
print(padded)


class MeanPool(nn.Module):
    def __init__(self, n, d, c):
        super().__init__()
        self.emb = nn.Embedding(n, d, padding_idx=0)
        self.fc = nn.Linear(d, c)

    def forward(self, x, lengths):
        e = self.emb(x)
        mask = (x != 0).unsqueeze(-1).float()
        pooled = (e * mask).sum(1) / lengths.unsqueeze(1).float()
        return self.fc(pooled)


torch.manual_seed(0)
model = MeanPool(len(vocab), 8, 2)
print(model, model.emb.weight[0])
opt = torch.optim.SGD(model.parameters(), lr=0.5)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(5):
    total, correct, count = 0.0, 0, 0
    for padded, lengths, labels in loader:
        opt.zero_grad()
        logits = model(padded, lengths)
        loss = loss_fn(logits, labels)
        loss.backward()
        opt.step()
        total += loss.item() * len(labels)
        correct += (logits.argmax(1) == labels).sum().item()
        count += len(labels)
    val_loader = DataLoader(val_ds, batch_size=4, collate_fn=collate_batch)
    with torch.no_grad():
        vc = sum((model(p, l).argmax(1) == y).sum().item() for p, l, y in val_loader)
    print(
        f"epoch {epoch} loss {total / count:.4f} acc {correct / count:.3f} val {vc}/{len(val_ds)}"
    )
print(model.emb.weight.grad[0], model.emb.weight[0])
sampler = RandomSampler(
    test_ds, replacement=True, num_samples=5, generator=torch.Generator().manual_seed(5)
)
print(list(sampler))
print(
    [
        b[2].tolist()
        for b in DataLoader(test_ds, batch_size=3, sampler=sampler, collate_fn=collate_batch)
    ]
)


class Counter(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))


print([b.tolist() for b in DataLoader(Counter(7), batch_size=3)])
print(list(DataLoader(Counter(3), batch_size=None)))
print(
    next(
        iter(
            DataLoader([{"x": torch.ones(2), "y": 1}, {"x": torch.zeros(2), "y": 0}], batch_size=2)
        )
    )
)
