"""The demo programs shipped in ``resources/demos`` (each also runs as a plain Python script)."""

from __future__ import annotations

from pathlib import Path

from visgrad._resources import resource_path

DEMOS: dict[str, str] = {
    "tutorial": "PyTorch's autograd tutorial: one layer, BCE loss, backward, no_grad, Jacobian products",
    "mlp": "a two-layer MLP trained with nn and optim.SGD for a few steps on a toy dataset",
    "control_flow": "data-dependent control flow: a while loop on a norm and an if on a value",
    "nan": "a backward pass that produces NaN (sqrt at 0 times a zero weight)",
    "makemore": "a makemore-style character MLP (embedding, two tanh layers) trained 300 steps",
    "gpt": "a tiny GPT (embeddings, 4 attention blocks, LayerNorm, head) trained 2 AdamW steps",
    "cnn": "a small CNN (two conv/ReLU/pool stages, two linear layers) trained 2 SGD steps",
}


def demo_path(name: str) -> Path:
    """The script of demo ``name``; KeyError names the demos that exist."""
    if name not in DEMOS:
        raise KeyError(f"no demo named {name!r}; the demos are: {', '.join(DEMOS)}")
    return resource_path("demos", name + ".py")


def list_demos() -> list[tuple[str, str]]:
    """(name, description) of every demo, in display order."""
    return list(DEMOS.items())
