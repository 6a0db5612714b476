"""The child's event stream cut into checked events (parent side; no threads, no Qt).

The child runs the user's program, and the program can write anything to the pipe (it knows the
descriptor, it can fork, a C library can scribble on it), so every byte is untrusted: each frame's
length is bounded before it is buffered, decoded by ``codec.decode_body`` and passed through the
run's ``EventValidator``. The first bad frame raises ``CodecError``; every event before it has
already been handed out.
"""

from __future__ import annotations

from collections.abc import Iterator

from visgrad import events
from visgrad.trace import codec
from visgrad.trace.validate import LIMITS, EventValidator, Limits

# A frame is its header (at most codec.MAX_HEADER) plus arrays; the child sends arrays up to its
# payload limit, so a frame past this is a corrupt length prefix, not a big event.
MAX_FRAME = 1 << 31


class FrameStream:
    """Bytes in, validated events out, in order."""

    def __init__(self, max_frame: int = MAX_FRAME) -> None:
        self._buf = bytearray()
        self._max = max_frame
        # One seq short of the limit: the parent numbers the run's final state one past the last.
        self.validator = EventValidator(Limits(max_id=LIMITS.max_id - 1))
        self.frames = 0
        self.bytes = 0

    def feed(self, data: bytes) -> Iterator[events.Event]:
        """The events completed by ``data``; raises CodecError at the first bad frame."""
        buf = self._buf
        buf += data
        self.bytes += len(data)
        pos, n = 0, len(buf)
        failed = False
        try:
            while n - pos >= 4:
                (size,) = codec._U32.unpack_from(buf, pos)
                if size > self._max:
                    raise codec.CodecError(
                        f"frame {self.frames + 1} declares {size} bytes (the limit is {self._max})"
                    )
                if n - pos - 4 < size:
                    break
                body = memoryview(buf)[pos + 4 : pos + 4 + size]
                try:
                    ev = codec.decode_body(body)
                finally:
                    body.release()
                try:
                    self.validator.check(ev)
                except codec.CodecError as e:
                    raise codec.CodecError(f"frame {self.frames + 1}: {e}") from None
                pos += 4 + size
                self.frames += 1
                yield ev
        except BaseException:
            # The stream is dead; its buffer stays as it is (a traceback may still hold a view
            # of it, and a bytearray with a view cannot shrink).
            failed = True
            raise
        finally:
            if not failed:
                del buf[:pos]

    @property
    def pending(self) -> int:
        """Bytes of a frame not yet complete."""
        return len(self._buf)

    def close(self) -> None:
        """The stream ended: a frame cut off in the middle is an error."""
        if self._buf:
            raise codec.CodecError(
                f"the event stream ended inside frame {self.frames + 1} "
                f"({len(self._buf)} bytes of it arrived)"
            )
