"""makemore, part 2: a Bengio-style MLP over characters, with an embedding table, minibatches,
a learning-rate sweep, train/dev/test splits and sampling from a seeded Generator."""

import random

import torch
import torch.nn.functional as F

words = (
    "emma olivia ava isabella sophia charlotte mia amelia harper evelyn abigail emily "
    "elizabeth mila ella avery sofia camila aria scarlett victoria madison luna grace chloe "
    "penelope layla riley zoey nora lily eleanor hannah lillian addison aubrey ellie stella "
    "natalie zoe leah hazel violet aurora savannah audrey brooklyn bella claire skylar lucy "
    "paisley everly anna caroline nova genesis emilia kennedy samantha maya willow kinsley "
    "naomi aaliyah elena sarah ariana allison gabriella alice madelyn cora ruby eva serenity "
    "autumn adeline hailey gianna valentina isla eliana quinn nevaeh ivy sadie piper lydia "
    "alexa josephine emery julia delilah arianna vivian kaylee sophie brielle madeline"
).split()
print(len(words), max(len(w) for w in words))
chars = sorted(list(set("".join(words))))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
itos = {i: s for s, i in stoi.items()}
vocab_size = len(itos)
print(itos)
print(vocab_size)
block_size = 3


def build_dataset(words):
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + ".":
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]
    X = torch.tensor(X)
    Y = torch.tensor(Y)
    print(X.shape, Y.shape)
    return X, Y


random.seed(42)
random.shuffle(words)
n1 = int(0.8 * len(words))
n2 = int(0.9 * len(words))
Xtr, Ytr = build_dataset(words[:n1])
Xdev, Ydev = build_dataset(words[n1:n2])
Xte, Yte = build_dataset(words[n2:])
print(Xtr[:5], Ytr[:5])

g = torch.Generator().manual_seed(2147483647)
C = torch.randn((vocab_size, 10), generator=g)
W1 = torch.randn((30, 200), generator=g)
b1 = torch.randn(200, generator=g)
W2 = torch.randn((200, vocab_size), generator=g)
b2 = torch.randn(vocab_size, generator=g)
parameters = [C, W1, b1, W2, b2]
print(sum(p.nelement() for p in parameters))
for p in parameters:
    p.requires_grad = True

emb = C[Xtr[:4]]
print(emb.shape, emb.view(-1, 30).shape, torch.cat(torch.unbind(emb, 1), 1).shape)
h = torch.tanh(emb.view(-1, 30) @ W1 + b1)
logits = h @ W2 + b2
counts = logits.exp()
prob = counts / counts.sum(1, keepdims=True)
manual = -prob[torch.arange(4), Ytr[:4]].log().mean()
print(f"{manual.item():.4f} {F.cross_entropy(logits, Ytr[:4]).item():.4f}")

lre = torch.linspace(-3, -1, 30)
lrs = 10**lre
lri, lossi, stepi = [], [], []
for i in range(300):
    ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)
    emb = C[Xtr[ix]]
    h = torch.tanh(emb.view(-1, 30) @ W1 + b1)
    logits = h @ W2 + b2
    loss = F.cross_entropy(logits, Ytr[ix])
    for p in parameters:
        p.grad = None
    loss.backward()
    lr = lrs[i // 10] if i < 300 else 0.01
    for p in parameters:
        p.data += -lr * p.grad
    stepi.append(i)
    lossi.append(loss.log10().item())
    if i % 50 == 0:
        print(f"{i:4d} lr={lr.item():.5f} loss={loss.item():.3f}")


@torch.no_grad()
def split_loss(X, Y):
    emb = C[X]
    h = torch.tanh(emb.view(-1, 30) @ W1 + b1)
    logits = h @ W2 + b2
    return F.cross_entropy(logits, Y)


print(f"train {split_loss(Xtr, Ytr).item():.3f} dev {split_loss(Xdev, Ydev).item():.3f}")
print(f"mean log10 loss {sum(lossi) / len(lossi):.3f}")

g = torch.Generator().manual_seed(2147483647 + 10)
for _ in range(8):
    out = []
    context = [0] * block_size
    while True:
        emb = C[torch.tensor([context])]
        h = torch.tanh(emb.view(1, -1) @ W1 + b1)
        logits = h @ W2 + b2
        probs = F.softmax(logits, dim=1)
        ix = torch.multinomial(probs, num_samples=1, generator=g).item()
        context = context[1:] + [ix]
        out.append(ix)
        if ix == 0 or len(out) > 20:
            break
    print("".join(itos[i] for i in out))
