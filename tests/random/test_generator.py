"""The generator against a plain reference Mersenne Twister, its state layout, and its errors."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import visgrad as torch
from visgrad.random import mkl_bernoulli
from visgrad.random.generator import STATE_SIZE, Generator
from visgrad.random.normal import unit53

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "torch"


def reference_mt(seed: int, n: int) -> list[int]:
    """MT19937 as Matsumoto and Nishimura wrote it (init_genrand, genrand_int32), in Python."""
    mt = [seed & 0xFFFFFFFF]
    for i in range(1, 624):
        mt.append((1812433253 * (mt[-1] ^ (mt[-1] >> 30)) + i) & 0xFFFFFFFF)
    out, index = [], 624
    for _ in range(n):
        if index == 624:
            for k in range(624):
                y = (mt[k] & 0x80000000) | (mt[(k + 1) % 624] & 0x7FFFFFFF)
                mt[k] = mt[(k + 397) % 624] ^ (y >> 1) ^ (0x9908B0DF if y & 1 else 0)
            index = 0
        y = mt[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C5680
        y ^= (y << 15) & 0xEFC60000
        out.append(y ^ (y >> 18))
    return out


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(-(2**63), 2**64 - 1), n=st.integers(0, 1400))
def test_words_are_the_reference_twisters_for_any_seed(seed: int, n: int) -> None:
    g = Generator().manual_seed(seed)
    assert g.random32(n).tolist() == reference_mt(seed % 2**64, n)
    assert g.initial_seed() == seed % 2**64


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32), before=st.integers(0, 700), after=st.integers(1, 700))
def test_a_state_restores_the_same_words_and_normal_cache(
    seed: int, before: int, after: int
) -> None:
    g = Generator().manual_seed(seed)
    g.random32(before)
    torch.randn(1, generator=g)  # leaves a cached normal sample in the state
    state = g.get_state()
    first = (g.random32(after), torch.randn(3, generator=g))
    h = Generator().set_state(state)
    assert np.array_equal(h.random32(after), first[0])
    assert torch.equal(torch.randn(3, generator=h), first[1])
    assert torch.equal(h.get_state(), g.get_state())


def test_state_layout_is_pytorchs() -> None:
    g = Generator().manual_seed(5)
    torch.randn(1, generator=g)
    raw = g.get_state().numpy().tobytes()
    assert len(raw) == STATE_SIZE == 5056
    seed, left, seeded, nxt = struct.unpack_from("<QiiQ", raw)
    assert (seed, left, seeded, nxt) == (5, 621, 1, 4)  # two 64-bit draws: 4 words
    normal_y, valid = struct.unpack_from("<d8xi", raw, 24 + 624 * 8 + 8)
    assert valid == 1 and normal_y == g.next_double_normal


def test_a_state_with_counters_out_of_step_reads_the_key_first() -> None:
    # left=5, next=10: PyTorch reads key[10..13] tempered, then twists the whole key.
    g = Generator().manual_seed(1)
    raw = bytearray(g.get_state().numpy().tobytes())
    struct.pack_into("<QiiQ", raw, 0, 1, 5, 1, 10)
    h = Generator().set_state(torch.tensor(list(raw), dtype=torch.uint8))
    words = h.random32(4 + 624)
    assert words[4:].tolist() == reference_mt(1, 624)
    assert h.get_state().numpy().tobytes()[:24] == struct.pack("<QiiQ", 1, 625 - 624, 1, 624)


@pytest.mark.parametrize(
    "make, error, text",
    [
        (lambda: torch.set_rng_state(torch.zeros(10, dtype=torch.uint8)), RuntimeError,
         "Expected a CPUGeneratorImplState of size 5056 but found the input RNG state size to be 10"),
        (lambda: torch.set_rng_state(torch.zeros(5056, dtype=torch.uint8)), RuntimeError,
         "Invalid mt19937 state"),
        (lambda: torch.set_rng_state(torch.zeros(5056)), TypeError, "RNG state must be a torch.ByteTensor"),
        (lambda: torch.set_rng_state([1, 2]), TypeError, "expected a torch.ByteTensor, but got list"),
        (lambda: torch.manual_seed(2**64), ValueError, "Overflow when unpacking long long"),
        (lambda: torch.manual_seed("a"), ValueError, "invalid literal for int() with base 10: 'a'"),
        (lambda: Generator().get_offset(), RuntimeError, "CPU Generator does not use offset"),
        (lambda: torch.randn(2, generator=3), TypeError, "generator must be a torch.Generator"),
    ],
)  # fmt: skip
def test_bad_states_and_seeds_raise_pytorchs_errors(make, error, text) -> None:
    with pytest.raises(error, match=None) as info:
        make()
    assert text in str(info.value)


def test_fork_rng_puts_the_default_generator_back() -> None:
    torch.manual_seed(3)
    with torch.random.fork_rng():
        torch.randn(100)
    assert torch.equal(torch.randn(4), torch.manual_seed(3) and torch.randn(4))


def test_clone_state_is_an_independent_copy() -> None:
    g = Generator().manual_seed(7)
    h = g.clone_state()
    assert torch.equal(torch.rand(5, generator=g), torch.rand(5, generator=h))


MKL = json.loads((FIXTURES / "mkl_bernoulli.json").read_text())["cases"]


@pytest.mark.parametrize("case", MKL, ids=[f"seed{c['seed']}-n{c['n']}" for c in MKL])
def test_intel_bernoulli_stream_is_mkls(case: dict) -> None:
    mask = mkl_bernoulli.bernoulli(case["seed"], case["n"], case["p"])
    assert "".join("1" if b else "0" for b in mask) == case["mask"]


def test_on_intel_bernoulli_seeds_mkls_stream_with_one_word(monkeypatch) -> None:
    monkeypatch.setattr(mkl_bernoulli, "INTEL", True)
    g = Generator().manual_seed(4)
    word = int(Generator().manual_seed(4).random32(1)[0])
    mask = torch.empty(3000).bernoulli_(0.3, generator=g)
    assert np.array_equal(mask.numpy(), mkl_bernoulli.bernoulli(word, 3000, 0.3).astype(np.float32))
    assert g.get_state().numpy().tobytes()[8:24] == struct.pack("<iiQ", 624, 1, 1)


def test_bernoulli_with_a_number_draws_the_generators_uniforms_as_torch_2_13_does() -> None:
    # PyTorch 2.13 no longer takes MKL's stream on Intel CPUs: the same draws on every machine.
    assert not mkl_bernoulli.INTEL
    g = Generator().manual_seed(3)
    mask = torch.empty(1000).bernoulli_(0.3, generator=g)
    want = unit53(Generator().manual_seed(3).random64(1000)) < 0.3
    assert np.array_equal(mask.numpy(), want.astype(np.float32))
    kept = torch.nn.Dropout(0.5)(torch.ones(200))
    assert set(kept.numpy().tolist()) <= {0.0, 2.0}
