"""A makemore-style character MLP: three letters of context predict the next letter of a name.

An embedding table, two tanh hidden layers and a softmax over 27 characters, trained with
minibatch SGD for 300 steps with a learning-rate decay. Open the Training panel to watch the loss
fall, the update-to-data ratios settle near 1e-3, and the tanh layers' histograms.
"""

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    import visgrad as torch
    import visgrad.nn.functional as F

NAMES = """
emma olivia ava isabella sophia charlotte mia amelia harper evelyn abigail emily elizabeth
mila ella avery sofia camila aria scarlett victoria madison luna grace chloe penelope layla
riley zoey nora lily eleanor hannah lillian addison aubrey ellie stella natalie zoe leah hazel
violet aurora savannah audrey brooklyn bella claire skylar lucy paisley everly anna caroline
nova genesis emilia kennedy samantha maya willow kinsley naomi aaliyah elena sarah ariana
allison gabriella alice madelyn cora ruby eva serenity autumn adeline hailey gianna valentina
isla eliana quinn nevaeh ivy sadie piper lydia alexa josephine emery julia delilah arianna
liam noah william james oliver benjamin elijah lucas mason logan alexander ethan jacob michael
daniel henry jackson sebastian aiden matthew samuel david joseph carter owen wyatt john jack
luke jayden dylan grayson levi isaac gabriel julian mateo anthony jaxon lincoln joshua
christopher andrew theodore caleb ryan asher nathan thomas leo isaiah charles josiah hudson
christian hunter connor eli ezra aaron landon adrian jonathan nolan jeremiah easton elias
colton cameron carson robert angel maverick nicholas dominic jaxson greyson adam ian austin
""".split()

BLOCK = 3  # letters of context
chars = sorted(set("".join(NAMES)))
stoi = {c: i + 1 for i, c in enumerate(chars)}
stoi["."] = 0  # start and end of a name
VOCAB = len(stoi)

xs, ys = [], []
for name in NAMES:
    context = [0] * BLOCK
    for ch in name + ".":
        xs.append(context)
        ys.append(stoi[ch])
        context = context[1:] + [stoi[ch]]
X = torch.tensor(xs)
Y = torch.tensor(ys)

torch.manual_seed(42)
N_EMBD, N_HIDDEN = 10, 64
C = torch.randn(VOCAB, N_EMBD)
W1 = torch.randn(BLOCK * N_EMBD, N_HIDDEN) * (5 / 3) / (BLOCK * N_EMBD) ** 0.5
b1 = torch.randn(N_HIDDEN) * 0.01
W2 = torch.randn(N_HIDDEN, N_HIDDEN) * (5 / 3) / N_HIDDEN**0.5
b2 = torch.randn(N_HIDDEN) * 0.01
W3 = torch.randn(N_HIDDEN, VOCAB) * 0.1  # small logits: a confident wrong guess costs a lot
b3 = torch.zeros(VOCAB)
parameters = [C, W1, b1, W2, b2, W3, b3]
for p in parameters:
    p.requires_grad = True
print(f"{len(xs)} examples, {sum(p.numel() for p in parameters)} parameters")

optimizer = torch.optim.SGD(parameters, lr=0.2)
for step in range(300):
    batch = torch.randint(0, X.shape[0], (32,))
    emb = C[X[batch]]  # (32, 3, 10)
    h1 = torch.tanh(emb.view(emb.shape[0], -1) @ W1 + b1)
    h2 = torch.tanh(h1 @ W2 + b2)
    logits = h2 @ W3 + b3
    loss = F.cross_entropy(logits, Y[batch])
    optimizer.zero_grad()
    loss.backward()
    if step == 200:
        for group in optimizer.param_groups:
            group["lr"] = 0.05  # learning-rate decay for the last third
    optimizer.step()
    if step % 50 == 0 or step == 299:
        print(f"step {step:3d}: loss {loss.item():.4f}")
