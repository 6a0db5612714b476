"""A tiny GPT (4 transformer blocks) learns to continue a short text, two AdamW steps.

Token and position embeddings, four pre-norm blocks of causal self-attention and an MLP, a final
LayerNorm and a linear head over the characters: nanoGPT's shape at toy size. The graph opens with
each top-level module collapsed: open ``blocks`` (the four identical blocks fold into one ×4),
then a block, then its attention, module by module.
"""

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    import visgrad as torch
    import visgrad.nn as nn
    import visgrad.nn.functional as F

torch.manual_seed(0)

TEXT = "hello world, hello autograd. "
chars = sorted(set(TEXT))
stoi = {c: i for i, c in enumerate(chars)}
VOCAB, BLOCK, EMBED, HEADS, LAYERS = len(chars), 8, 16, 2, 4


class CausalSelfAttention(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.c_attn = nn.Linear(EMBED, 3 * EMBED)
        self.c_proj = nn.Linear(EMBED, EMBED)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(EMBED, dim=2)
        q = q.view(B, T, HEADS, C // HEADS).transpose(1, 2)
        k = k.view(B, T, HEADS, C // HEADS).transpose(1, 2)
        v = v.view(B, T, HEADS, C // HEADS).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))


class MLP(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.c_fc = nn.Linear(EMBED, 4 * EMBED)
        self.c_proj = nn.Linear(4 * EMBED, EMBED)

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(EMBED)
        self.attn = CausalSelfAttention()
        self.ln_2 = nn.LayerNorm(EMBED)
        self.mlp = MLP()

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.wte = nn.Embedding(VOCAB, EMBED)
        self.wpe = nn.Embedding(BLOCK, EMBED)
        self.blocks = nn.ModuleList([Block() for _ in range(LAYERS)])
        self.ln_f = nn.LayerNorm(EMBED)
        self.lm_head = nn.Linear(EMBED, VOCAB, bias=False)

    def forward(self, idx):
        x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
        for block in self.blocks:
            x = block(x)
        return self.lm_head(self.ln_f(x))


data = torch.tensor([stoi[c] for c in TEXT])
starts = [0, 9]  # two windows of the text
xb = torch.stack([data[s : s + BLOCK] for s in starts])
yb = torch.stack([data[s + 1 : s + BLOCK + 1] for s in starts])

model = GPT()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
for step in range(2):
    logits = model(xb)
    loss = F.cross_entropy(logits.view(-1, VOCAB), yb.view(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print(f"step {step}: loss {loss.item():.4f}")
