"""``torch.Generator``: PyTorch's CPU Mersenne Twister, seeded and stepped exactly as ATen's.

PyTorch's CPU generator is MT19937 (Matsumoto & Nishimura's ``init_genrand`` seeding from the low
32 bits of the seed) plus one cached double-precision normal sample. NumPy's ``MT19937`` bit
generator runs the same recurrence in C, so its state is loaded with the twister's key and raw
32-bit words are drawn from it in blocks; the state PyTorch keeps beside the key (the seed, the
``left``/``next`` counters, the normal caches) is kept here and packed into the same 5056-byte
``CPUGeneratorImplState`` that ``torch.get_rng_state()`` returns, so states round-trip between the
two libraries.
"""

from __future__ import annotations

import secrets
import struct
from typing import Any

import numpy as np

from visgrad._device import CPU_ONLY
from visgrad._device import device as _device
from visgrad.tensor import Tensor

N = 624  # words in the twister's state
DEFAULT_SEED = 67280421310721  # the seed of a fresh torch.Generator()

# CPUGeneratorImplState: seed (u64), left (i32), seeded (i32), next (u64), state (624 x u64),
# normal_x, normal_y, normal_rho (f64), normal_is_valid (i32), 4 bytes padding, the float normal
# sample (f32), its valid flag (bool), 3 bytes padding: 5056 bytes in all.
_HEAD = struct.Struct("<QiiQ")
_TAIL = struct.Struct("<dddi4xf?3x")
STATE_SIZE = _HEAD.size + 8 * N + _TAIL.size


def _temper(y: np.ndarray) -> np.ndarray:
    y = y ^ (y >> np.uint32(11))
    y = y ^ ((y << np.uint32(7)) & np.uint32(0x9D2C5680))
    y = y ^ ((y << np.uint32(15)) & np.uint32(0xEFC60000))
    return y ^ (y >> np.uint32(18))


def _to_uint64(seed: Any) -> int:
    """PyTorch's seed rules: ``int(seed)``, negatives wrap into ``[0, 2**64)``."""
    value = int(seed)
    if value < -(2**63) or value >= 2**64:
        raise ValueError("Overflow when unpacking long long")
    return value % 2**64


class Generator:
    """A CPU random generator with PyTorch's stream: ``Generator().manual_seed(0)``."""

    def __init__(self, device: Any = "cpu") -> None:
        if _device(device).type != "cpu":
            raise RuntimeError(CPU_ONLY)
        self._bits = np.random.MT19937()
        self.device = _device("cpu")
        self._set_seed(DEFAULT_SEED)

    # -- seeding ------------------------------------------------------------------------------------
    def _set_seed(self, seed: int) -> None:
        key = np.random.RandomState(seed & 0xFFFFFFFF).get_state()[1]
        self._bits.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": N}}
        self._seed = seed
        # Words of the current key still to be read before the next twist (start, stop): only a
        # state set by set_state with PyTorch's counters out of step can have any, see _load.
        self._pending = (0, 0)
        self._fresh = True  # next == 0 (just seeded) rather than 624 (key used up)
        self.next_double_normal: float | None = None
        self.next_float_normal: float | None = None

    def manual_seed(self, seed: Any) -> Generator:
        """Seed the generator (the low 32 bits seed the twister; all 64 are kept) and return it."""
        self._set_seed(_to_uint64(seed))
        return self

    def seed(self) -> int:
        """Seed from the operating system's entropy and return the seed (53 bits, as PyTorch)."""
        value = secrets.randbits(53)
        self._set_seed(value)
        return value

    def initial_seed(self) -> int:
        """The seed the generator was last seeded with."""
        return self._seed

    # -- raw words ----------------------------------------------------------------------------------
    def random32(self, n: int) -> np.ndarray:
        """The next ``n`` 32-bit words (``CPUGeneratorImpl::random``), as uint32."""
        n = int(n)
        if n <= 0:
            return np.empty(0, np.uint32)
        self._fresh = False
        start, stop = self._pending
        if start == stop:
            return self._bits.random_raw(n).astype(np.uint32)
        key = self._bits.state["state"]["key"]
        take = min(n, stop - start)
        head = _temper(key[start : start + take].astype(np.uint32))
        self._pending = (start + take, stop)
        if take == n:
            return head
        return np.concatenate([head, self._bits.random_raw(n - take).astype(np.uint32)])

    def random64(self, n: int) -> np.ndarray:
        """The next ``n`` 64-bit words (``random64``: two words, the first the high half)."""
        w = self.random32(2 * n).astype(np.uint64)
        return (w[0::2] << np.uint64(32)) | w[1::2]

    # -- state --------------------------------------------------------------------------------------
    def _counters(self) -> tuple[np.ndarray, int, int]:
        st = self._bits.state["state"]
        key, pos = st["key"], int(st["pos"])
        start, stop = self._pending
        if start != stop:
            return key, stop - start + 1, start
        if pos >= N:
            return key, 1, 0 if self._fresh else N
        return key, N + 1 - pos, pos

    def get_state(self) -> Any:
        """The state as a uint8 tensor laid out as PyTorch's (``torch.set_rng_state`` reads it)."""
        key, left, nxt = self._counters()
        d, f = self.next_double_normal, self.next_float_normal
        raw = b"".join(
            [
                _HEAD.pack(self._seed, left, 1, nxt),
                key.astype("<u8").tobytes(),
                _TAIL.pack(0.0, d or 0.0, 0.0, d is not None, f or 0.0, f is not None),
            ]
        )
        return Tensor._make(np.frombuffer(raw, np.uint8).copy(), False, None, 0)

    def set_state(self, new_state: Any) -> Generator:
        """Restore a state from ``get_state`` (ours or PyTorch's) and return the generator."""
        self._load(state_bytes(new_state))
        return self

    def _load(self, raw: bytes) -> None:
        seed, left, seeded, nxt = _HEAD.unpack_from(raw, 0)
        key = np.frombuffer(raw, "<u8", N, _HEAD.size)
        _, d, _, d_ok, f, f_ok = _TAIL.unpack_from(raw, _HEAD.size + 8 * N)
        if not seeded or not 0 < left <= N or nxt > N:
            raise RuntimeError("Invalid mt19937 state")
        self._seed = seed
        key32 = (key & 0xFFFFFFFF).astype(np.uint32)
        # PyTorch reads key[next], key[next+1], ... for left-1 more words, then twists the key.
        # In a state PyTorch made, next + left == 625; otherwise those words are read first.
        if left > 1 and nxt + left != N + 1:
            if nxt + left - 1 > N:
                raise RuntimeError("Invalid mt19937 state")
            pos, self._pending = N, (nxt, nxt + left - 1)
        else:
            pos, self._pending = (N if left == 1 else nxt), (0, 0)
        self._bits.state = {"bit_generator": "MT19937", "state": {"key": key32, "pos": pos}}
        self._fresh = nxt == 0
        self.next_double_normal = d if d_ok else None
        self.next_float_normal = f if f_ok else None

    def clone_state(self) -> Generator:
        """A new generator in this one's state."""
        other = Generator()
        other._load(bytes(state_bytes(self.get_state())))
        return other

    def get_offset(self) -> int:
        raise RuntimeError("CPU Generator does not use offset")

    def set_offset(self, offset: int) -> Generator:
        raise RuntimeError("CPU Generator does not use offset")


def state_bytes(new_state: Any) -> bytes:
    """The bytes of a state tensor, with PyTorch's checks and error texts."""
    if not isinstance(new_state, Tensor):
        raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
    if new_state._data.dtype != np.uint8:
        raise TypeError("RNG state must be a torch.ByteTensor")
    size = new_state._data.size
    if size != STATE_SIZE:
        raise RuntimeError(
            f"Expected a CPUGeneratorImplState of size {STATE_SIZE} but found the input RNG state "
            f"size to be {size}"
        )
    return np.ascontiguousarray(new_state._data).tobytes()
