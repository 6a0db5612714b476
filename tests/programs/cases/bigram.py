"""makemore, part 1: a bigram character model, counted and then learnt by gradient descent."""

import torch
import torch.nn.functional as F

words = """
emma olivia ava isabella sophia charlotte mia amelia harper evelyn abigail emily elizabeth mila
ella avery sofia camila aria scarlett victoria madison luna grace chloe penelope layla riley
zoey nora lily eleanor hannah lillian addison aubrey ellie stella natalie zoe leah hazel violet
aurora savannah audrey brooklyn bella claire skylar lucy paisley everly anna caroline nova genesis
emilia kennedy samantha maya willow kinsley naomi aaliyah elena sarah ariana allison gabriella
alice madelyn cora ruby eva serenity autumn adeline hailey gianna valentina isla eliana quinn
nevaeh ivy sadie piper lydia alexa josephine emery julia delilah arianna vivian kaylee sophie
brielle madeline peyton rylee clara hadley melanie mackenzie reagan adalynn liliana aubree jade
katherine isabelle natalia raelynn maria athena ximena arya leilani taylor faith rose kylie
alexandra mary margaret lyla ashley amaya eliza brianna bailey andrea khloe jasmine melody iris
isabel norah annabelle valeria emerson adalyn ryleigh eden emersyn anastasia kayla alyssa juliana
""".split()
print(len(words), min(len(w) for w in words), max(len(w) for w in words))

chars = sorted(set("".join(words)))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
itos = {i: s for s, i in stoi.items()}
V = len(stoi)
print(V, "".join(chars))

N = torch.zeros((V, V), dtype=torch.int32)
for w in words:
    chs = ["."] + list(w) + ["."]
    for ch1, ch2 in zip(chs, chs[1:]):
        N[stoi[ch1], stoi[ch2]] += 1
print(N[0, :10])
print(N.sum(), N.max(), N.argmax())

P = (N + 1).float()
P /= P.sum(1, keepdims=True)
print(P.shape, P.dtype)

g = torch.Generator().manual_seed(2147483647)
for _ in range(8):
    out = []
    ix = 0
    while True:
        p = P[ix]
        ix = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()
        out.append(itos[ix])
        if ix == 0:
            break
    print("".join(out))

log_likelihood = 0.0
n = 0
for w in words:
    chs = ["."] + list(w) + ["."]
    for ch1, ch2 in zip(chs, chs[1:]):
        prob = P[stoi[ch1], stoi[ch2]]
        log_likelihood += torch.log(prob)
        n += 1
nll = -log_likelihood
print(f"{log_likelihood=}")
print(f"{nll=}")
print(f"{nll / n:.4f}")

xs, ys = [], []
for w in words:
    chs = ["."] + list(w) + ["."]
    for ch1, ch2 in zip(chs, chs[1:]):
        xs.append(stoi[ch1])
        ys.append(stoi[ch2])
xs = torch.tensor(xs)
ys = torch.tensor(ys)
num = xs.nelement()
print("number of examples:", num, xs.dtype)

g = torch.Generator().manual_seed(2147483647)
W = torch.randn((V, V), generator=g, requires_grad=True)
print(W[0, :4])
for k in range(30):
    xenc = F.one_hot(xs, num_classes=V).float()
    logits = xenc @ W
    counts = logits.exp()
    probs = counts / counts.sum(1, keepdims=True)
    loss = -probs[torch.arange(num), ys].log().mean() + 0.01 * (W**2).mean()
    if k % 5 == 0:
        print(f"step {k} loss {loss.item():.4f}")
    W.grad = None
    loss.backward()
    W.data += -50 * W.grad
print(f"final loss {loss.item():.4f}", loss.grad_fn.name())

g = torch.Generator().manual_seed(2147483647)
for _ in range(5):
    out = []
    ix = 0
    while True:
        xenc = F.one_hot(torch.tensor([ix]), num_classes=V).float()
        logits = xenc @ W
        counts = logits.exp()
        p = counts / counts.sum(1, keepdims=True)
        ix = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()
        out.append(itos[ix])
        if ix == 0:
            break
    print("".join(out))
