"""Give freed memory back to the system between walk-ins.

glibc keeps freed heap pages in its arenas (one per thread that allocated), so a kiosk that has
served thousands of sessions holds memory nothing uses, and those pages may still carry bytes of
past sessions' answers until reused. ``malloc_trim(0)`` returns them. It takes a few
milliseconds, so the kiosk calls it once per session, just after the wipe, when the attract
screen is back and nobody is waiting. A no-op where libc is not glibc.
"""

from __future__ import annotations

_trim: object = None


def release_free_memory() -> bool:
    """``malloc_trim(0)``; True if glibc released anything."""
    global _trim
    if _trim is None:
        import ctypes  # ~7 ms: not on the kiosk's start path

        try:  # glibc's soname; find_library would run ldconfig in a subprocess
            _trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _trim = False  # not glibc: nothing to do, and nothing to try again
    if _trim is False:
        return False
    return bool(_trim(0))  # type: ignore[operator]
