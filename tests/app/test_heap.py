"""`give_back_freed_memory` returns glibc's free pages; elsewhere it only says it could not."""

from __future__ import annotations

import sys

from app.heap import give_back_freed_memory


def _resident_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))


def test_freed_pages_go_back_to_the_system() -> None:
    if not sys.platform.startswith("linux"):
        assert give_back_freed_memory() is False
        return
    give_back_freed_memory()
    keep = [bytes(1000) + bytes([i % 256]) for i in range(40_000)]  # 40 MB through malloc
    pin = bytes(2000)  # from malloc, allocated last: the heap's top cannot shrink past it
    del keep
    before = _resident_kb()
    assert give_back_freed_memory() is True
    assert _resident_kb() < before - 10_000, "the freed objects' pages stayed resident"
    del pin
