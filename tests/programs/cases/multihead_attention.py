"""nn.MultiheadAttention as programs use it: seeded weights, masks, padding, the weights it
returns, gradients, and a small self-attention block trained for a few steps."""

import torch
import torch.nn as nn

torch.manual_seed(0)
attn = nn.MultiheadAttention(8, 2, batch_first=True)
print(attn)
print([(name, tuple(p.shape)) for name, p in attn.named_parameters()])
print(list(attn.state_dict()))
x = torch.randn(2, 5, 8, requires_grad=True)
causal = torch.triu(torch.ones(5, 5, dtype=torch.bool), 1)
out, weights = attn(x, x, x, attn_mask=causal)
print(out[0, :2])
print(weights[0])
print(out.grad_fn.name(), weights.grad_fn.name())
out.sum().backward()
print(x.grad[0, :2])
print(attn.in_proj_weight.grad[:2])
print(attn.out_proj.bias.grad)

fast, none = attn(x, x, x, attn_mask=causal, need_weights=False)
print(fast[1, -1], none)
hinted, _ = attn(x, x, x, attn_mask=causal, is_causal=True, need_weights=False)
print(torch.allclose(hinted, fast, atol=1e-6))
padding = torch.tensor([[False] * 5, [False] * 3 + [True] * 2])
out, per_head = attn(x, x, x, key_padding_mask=padding, average_attn_weights=False)
print(out[1, 0], per_head.shape)
print(per_head[1, 1])

cross = nn.MultiheadAttention(
    8, 4, kdim=3, vdim=6, add_bias_kv=True, add_zero_attn=True, bias=False
)
print(cross, [name for name, _ in cross.named_parameters()])
q, k, v = torch.randn(4, 2, 8), torch.randn(6, 2, 3), torch.randn(6, 2, 6)
out, weights = cross(q, k, v)
print(out[0], weights.shape, weights[0, 0])
out, weights = cross(q[:, 0], k[:, 0], v[:, 0])
print(out.shape, weights.shape)

attn.eval()
with torch.no_grad():
    out, weights = attn(x, x, x)
print(out[0, 0], weights[0, 0])
try:
    attn(x, x, x[:, :, :4])
except AssertionError as e:
    print("AssertionError:", e)


class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.ln = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.head = nn.Linear(dim, 1)

    def forward(self, x):
        h = self.ln(x)
        mask = torch.triu(torch.ones(x.shape[1], x.shape[1], dtype=torch.bool), 1)
        a, _ = self.attn(h, h, h, attn_mask=mask, need_weights=False)
        return self.head(x + a).squeeze(-1)


torch.manual_seed(3)
block = Block(8, 2)
print(block)
data = torch.randn(16, 6, 8)
target = data.sum(-1).cumsum(1) / 6
opt = torch.optim.Adam(block.parameters(), lr=0.01)
for step in range(5):
    opt.zero_grad()
    loss = nn.functional.mse_loss(block(data), target)
    loss.backward()
    opt.step()
    print(f"step {step} loss {loss.item():.5f}")
