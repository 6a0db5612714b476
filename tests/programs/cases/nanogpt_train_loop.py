"""The training-loop boilerplate of nanoGPT-style scripts, on a CPU.

Device and dtype selection, TF32 flags, a GradScaler enabled only for float16, a nullcontext in
place of autocast, weight tying, per-group weight decay for AdamW, a learning rate set on the
param groups each step, gradient clipping through the scaler, top-k sampling, and a checkpoint
saved and loaded back (with the compiled-model prefix stripped).
"""

import inspect
import io
import math
from contextlib import nullcontext

import numpy as np
import torch
import torch.nn as nn
from torch.nn import functional as F

torch.manual_seed(1337)
torch.backends.cuda.matmul.allow_tf32 = True
torch.backends.cudnn.allow_tf32 = True
device_type = "cpu"
ptdtype = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[
    "float32"
]
ctx = (
    nullcontext()
    if device_type == "cpu"
    else torch.amp.autocast(device_type=device_type, dtype=ptdtype)
)
scaler = torch.cuda.amp.GradScaler(enabled=False)
print(hasattr(torch.nn.functional, "scaled_dot_product_attention"))
fused_available = "fused" in inspect.signature(torch.optim.AdamW).parameters
print("fused", fused_available)
data = np.arange(200, dtype=np.uint16) % 50


def get_batch():
    ix = torch.randint(len(data) - 8, (4,))
    x = torch.stack([torch.from_numpy((data[i : i + 8]).astype(np.int64)) for i in ix])
    y = torch.stack([torch.from_numpy((data[i + 1 : i + 1 + 8]).astype(np.int64)) for i in ix])
    x, y = x.to("cpu"), y.to("cpu")
    return x, y


class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.transformer = nn.ModuleDict(
            dict(
                wte=nn.Embedding(50, 16),
                wpe=nn.Embedding(8, 16),
                drop=nn.Dropout(0.0),
                ln_f=nn.LayerNorm(16, bias=False),
            )
        )
        self.lm_head = nn.Linear(16, 50, bias=False)
        self.transformer.wte.weight = self.lm_head.weight
        self.register_buffer("bias", torch.tril(torch.ones(8, 8)).view(1, 1, 8, 8))
        self.apply(self._init_weights)
        for pn, p in self.named_parameters():
            if pn.endswith("lm_head.weight"):
                torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * 2))
        print(f"number of parameters: {sum(p.numel() for p in self.parameters()) / 1e6:.2f}M")

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                torch.nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx, targets=None):
        b, t = idx.size()
        pos = torch.arange(0, t, dtype=torch.long, device=idx.device)
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
        x = self.transformer.ln_f(x)
        if targets is not None:
            logits = self.lm_head(x)
            loss = F.cross_entropy(
                logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1
            )
        else:
            logits = self.lm_head(x[:, [-1], :])
            loss = None
        return logits, loss

    @torch.no_grad()
    def generate(self, idx, n, temperature=1.0, top_k=None):
        for _ in range(n):
            idx_cond = idx if idx.size(1) <= 8 else idx[:, -8:]
            logits, _ = self(idx_cond)
            logits = logits[:, -1, :] / temperature
            if top_k is not None:
                v, _ = torch.topk(logits, min(top_k, logits.size(-1)))
                logits[logits < v[:, [-1]]] = -float("Inf")
            probs = F.softmax(logits, dim=-1)
            idx_next = torch.multinomial(probs, num_samples=1)
            idx = torch.cat((idx, idx_next), dim=1)
        return idx


model = M()
param_dict = {pn: p for pn, p in model.named_parameters() if p.requires_grad}
decay = [p for n, p in param_dict.items() if p.dim() >= 2]
nodecay = [p for n, p in param_dict.items() if p.dim() < 2]
optimizer = torch.optim.AdamW(
    [{"params": decay, "weight_decay": 0.1}, {"params": nodecay, "weight_decay": 0.0}],
    lr=1e-3,
    betas=(0.9, 0.95),
    **({"fused": False}),
)
for it in range(5):
    for param_group in optimizer.param_groups:
        param_group["lr"] = 1e-3 * (it + 1) / 5
    X, Y = get_batch()
    with ctx:
        logits, loss = model(X, Y)
    scaler.scale(loss).backward()
    scaler.unscale_(optimizer)
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    scaler.step(optimizer)
    scaler.update()
    optimizer.zero_grad(set_to_none=True)
    print(f"iter {it}: loss {loss.item():.4f}")
print(model.generate(torch.zeros((1, 1), dtype=torch.long), 10, top_k=5)[0].tolist())
checkpoint = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "iter_num": 5}
buf = io.BytesIO()
torch.save(checkpoint, buf)
buf.seek(0)
ck = torch.load(buf, map_location="cpu")
unwanted_prefix = "_orig_mod."
sd = ck["model"]
for k, v in list(sd.items()):
    if k.startswith(unwanted_prefix):
        sd[k[len(unwanted_prefix) :]] = sd.pop(k)
print(model.load_state_dict(sd))
optimizer.load_state_dict(ck["optimizer"])
print(
    torch.cuda.is_available(),
    torch.backends.mps.is_available() if hasattr(torch.backends, "mps") else None,
)
