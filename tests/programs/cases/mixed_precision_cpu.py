"""Mixed-precision and GPU boilerplate on a CPU-only build: what each call says and does.

Scripts written for GPUs keep their AMP lines when run on a laptop: a GradScaler that disables
itself, autocast regions that change nothing, backend flags, device queries. Here each prints its
result or its error, and a real CPU GradScaler skips an overflowed step and adapts its scale.
"""

import io
import warnings

import torch


def show(label, fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            print(label, "->", repr(fn()))
        except Exception as e:  # noqa: BLE001 - the error is what is shown
            print(label, "!!", type(e).__name__, str(e).splitlines()[0])
    for w in caught:
        text = str(w.message).split(" (Triggered internally")[0]  # not where PyTorch was built
        print("   warning:", w.category.__name__, text)


show("cuda available", torch.cuda.is_available)
show("bf16 supported", torch.cuda.is_bf16_supported)
show("device count", torch.cuda.device_count)
show("memory allocated", torch.cuda.memory_allocated)
show("empty cache", torch.cuda.empty_cache)
show("synchronize", torch.cuda.synchronize)
show("device name", torch.cuda.get_device_name)
show("cudnn version", torch.backends.cudnn.version)
show("cudnn tf32", lambda: torch.backends.cudnn.allow_tf32)
show("cuda built", torch.backends.cuda.is_built)
show("flash sdp", torch.backends.cuda.flash_sdp_enabled)
show("matmul tf32", lambda: torch.backends.cuda.matmul.allow_tf32)
show("precision", torch.get_float32_matmul_precision)
show("set precision high", lambda: torch.set_float32_matmul_precision("high"))
show("matmul tf32 now", lambda: torch.backends.cuda.matmul.allow_tf32)
show("set precision bad", lambda: torch.set_float32_matmul_precision("bad"))
show("set precision 3", lambda: torch.set_float32_matmul_precision(3))
show("precision now", torch.get_float32_matmul_precision)
torch.set_float32_matmul_precision("highest")
show(
    "bfloat16", lambda: (torch.bfloat16, torch.bfloat16.is_floating_point, torch.bfloat16.itemsize)
)
show("autocast enabled", torch.is_autocast_enabled)
show("autocast bad device", lambda: torch.autocast(3))
show("custom_fwd bad device", lambda: torch.amp.custom_fwd(lambda x: x, device_type=3))

# GPU scripts on a CPU: the scaler and autocast disable themselves and the loop runs as fp32.
torch.manual_seed(0)
model = torch.nn.Linear(4, 2)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    scaler = torch.cuda.amp.GradScaler()
    scaler2 = torch.amp.GradScaler("cuda", enabled=True)
    ctx = torch.autocast(device_type="cuda", dtype=torch.float16)
    old_ctx = torch.cuda.amp.autocast()
for w in caught:
    print("warning:", w.category.__name__, str(w.message).splitlines()[0])
print("enabled", scaler.is_enabled(), scaler2.is_enabled(), scaler.get_scale(), scaler.state_dict())
x = torch.randn(8, 4)
for step in range(2):
    with ctx:
        loss = model(x).pow(2).mean()
    scaler.scale(loss).backward()
    scaler.unscale_(opt)
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    scaler.step(opt)
    scaler.update()
    opt.zero_grad(set_to_none=True)
    print(f"step {step} loss {loss.item():.6f}")


@torch.autocast(device_type="cuda")
def decorated(t):
    return t * 2


with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    print("decorated", decorated(torch.ones(2)))

# A real loss scaler on the CPU: scale, unscale, skip the overflowed step, back off, grow.
s = torch.amp.GradScaler("cpu", init_scale=4.0, growth_interval=2)
print("cpu scaler", s.is_enabled(), s.get_scale(), s.state_dict())
w = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
opt = torch.optim.SGD([w], lr=0.1)
for i in range(5):
    loss = (w * w).sum() * (float("inf") if i == 1 else 1.0)
    scaled = s.scale(loss)
    print("scaled", scaled)
    scaled.backward()
    s.unscale_(opt)
    print("grad", w.grad)
    show("unscale twice", lambda: s.unscale_(opt))
    print("step returns", s.step(opt), w.data)
    show("step twice", lambda: s.step(opt))
    s.update()
    print("scale", s.get_scale(), s.state_dict())
    opt.zero_grad()
print("scaled list", s.scale([torch.ones(1), (torch.ones(2),)]))
show("scale a float", lambda: s.scale(3.0))
show("closure", lambda: s.step(opt, closure=lambda: 0))
s.update(8.0)
print("set scale", s.get_scale())
show("bad growth", lambda: torch.amp.GradScaler("cpu", growth_factor=0.5))
fresh = torch.amp.GradScaler("cpu")
show("update before scale", fresh.update)
show("step before scale", lambda: fresh.step(opt))
show("load empty", lambda: fresh.load_state_dict({}))
fresh.load_state_dict(s.state_dict())
print("loaded", fresh.get_scale(), fresh.state_dict())
buf = io.BytesIO()
torch.save({"scaler": s.state_dict()}, buf)
buf.seek(0)
print("checkpoint", torch.load(buf)["scaler"])
off = torch.amp.GradScaler("cpu", enabled=False)
print("disabled", off.scale(torch.ones(1)), off.get_scale(), off.state_dict(), off.step(opt))
with torch.autocast("cpu", enabled=False):
    print(
        "cpu autocast off",
        torch.is_autocast_enabled("cpu"),
        (torch.ones(2, 2) @ torch.ones(2, 2)).dtype,
    )
