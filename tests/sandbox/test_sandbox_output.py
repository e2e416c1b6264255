"""CappedBuffer: bounded memory, head and tail kept, the launcher's marker recognised."""

from __future__ import annotations

from autoexp.sandbox._output import CappedBuffer, truncation_note


def feed_all(buf: CappedBuffer, data: bytes, chunk: int) -> CappedBuffer:
    for i in range(0, len(data), chunk):
        buf.feed(data[i : i + chunk])
    return buf


def test_under_the_cap_everything_is_kept():
    buf = feed_all(CappedBuffer(100), b"hello\nworld\n", 3)
    assert buf.text() == "hello\nworld\n" and buf.dropped == 0


def test_over_the_cap_head_and_tail_are_kept_whatever_the_chunking():
    data = bytes(range(97, 123)) * 1000  # 26,000 bytes of a..z
    for chunk in (1, 7, 4096, len(data)):
        buf = feed_all(CappedBuffer(10), data, chunk)
        assert buf.dropped == len(data) - 10
        assert buf.text() == "abcde" + truncation_note(len(data) - 10) + "vwxyz"
        assert len(buf._head) + len(buf._tail) == 10  # memory stays bounded


def test_odd_and_tiny_caps():
    assert CappedBuffer(1).text() == ""
    buf = feed_all(CappedBuffer(1), b"abc", 1)
    assert buf.text() == "a" + truncation_note(2)
    buf = feed_all(CappedBuffer(3), b"abcdef", 2)
    assert buf.text() == "ab" + truncation_note(3) + "f"


def test_expected_prefix_is_stripped_and_reported():
    marker = b"__started__\n"
    for chunk in (1, 5, 100):
        buf = feed_all(CappedBuffer(4, expect_prefix=marker), marker + b"err", chunk)
        assert buf.prefix_seen and buf.text() == "err"
    buf = feed_all(CappedBuffer(100, expect_prefix=marker), b"bwrap: failed\n", 2)
    assert not buf.prefix_seen and buf.text() == "bwrap: failed\n"
    short = feed_all(CappedBuffer(100, expect_prefix=marker), b"__sta", 2)  # ended inside it
    assert not short.prefix_seen and short.text() == "__sta"
    assert CappedBuffer(100, expect_prefix=marker).prefix_seen is False


def test_invalid_utf8_is_replaced():
    buf = feed_all(CappedBuffer(100), b"ok \xff\xfe done", 4)
    assert buf.text() == "ok \ufffd\ufffd done"
