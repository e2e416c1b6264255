"""Bounded capture of a stream: keep the head and the tail, count what is dropped between."""

from __future__ import annotations


def truncation_note(dropped: int) -> str:
    """The line put where output was cut."""
    return f"\n[autoexp: output truncated, {dropped} bytes dropped]\n"


class CappedBuffer:
    """Keeps at most `cap` bytes of a stream: the first half and the last half.

    The tail matters as much as the head: experiment metrics are read from the last JSON line
    of stdout, and the end of stderr holds the traceback. Memory stays O(cap) however much is fed.
    """

    def __init__(self, cap: int, *, expect_prefix: bytes = b"") -> None:
        self._head_cap = (cap + 1) // 2
        self._tail_cap = cap // 2
        self._head = bytearray()
        self._tail = bytearray()
        self._over = 0
        self._expect = expect_prefix
        self._pending: bytearray | None = bytearray() if expect_prefix else None
        self.prefix_seen = not expect_prefix
        """Whether the stream began with `expect_prefix` (always True when none is expected)."""

    def feed(self, data: bytes) -> None:
        """Add a chunk of the stream."""
        if self._pending is not None:
            self._pending += data
            n = len(self._expect)
            if len(self._pending) < n and self._expect.startswith(self._pending):
                return
            if self._pending[:n] == self._expect:
                self.prefix_seen = True
                data = bytes(self._pending[n:])
            else:
                data = bytes(self._pending)
            self._pending = None
        self._store(data)

    def _store(self, data: bytes) -> None:
        room = self._head_cap - len(self._head)
        if room > 0:
            self._head += data[:room]
            data = data[room:]
        if not data:
            return
        self._over += len(data)
        self._tail += data
        if len(self._tail) > self._tail_cap:
            del self._tail[: len(self._tail) - self._tail_cap]

    @property
    def dropped(self) -> int:
        """Bytes read but not kept."""
        return self._over - len(self._tail)

    def text(self) -> str:
        """The kept bytes as text (UTF-8, undecodable bytes replaced), with a note at the cut."""
        if self._pending is not None:  # the stream ended inside a partial prefix
            self._store(bytes(self._pending))
            self._pending = None
        head = self._head.decode("utf-8", errors="replace")
        tail = self._tail.decode("utf-8", errors="replace")
        if self.dropped:
            return head + truncation_note(self.dropped) + tail
        return head + tail
