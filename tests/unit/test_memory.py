"""kiosk.memory: freed heap pages go back to the system (glibc's malloc_trim)."""

from __future__ import annotations

from pathlib import Path

from kiosk.memory import release_free_memory


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_freed_heap_memory_is_returned() -> None:
    # 100 KB blocks come from the heap (below glibc's 128 KB mmap threshold); the last one
    # stays alive at the top of the heap, so free() alone cannot shrink it.
    blocks = [bytearray(b"x" * 100_000) for _ in range(1500)]
    keeper = bytearray(b"k" * 100_000)
    del blocks
    held = _rss_kb()
    assert release_free_memory() is True
    assert held - _rss_kb() > 50_000  # most of the ~150 MB freed above is gone
    assert keeper[0] == ord("k")
