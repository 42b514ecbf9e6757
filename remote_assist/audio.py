"""Sound for remote help: the kiosk's microphone to the helper, the helper's voice to its speaker.

Both ends are FFmpeg devices named ``"<format>:<device>"`` in ``[assist]`` (``microphone``,
``speaker``): ``"alsa:default"`` on a station (ALSA's default routes through PulseAudio or
PipeWire where they run), ``"alsa:hw:1,0"`` for a USB headset, ``""`` for none. Tests use the
same paths with ALSA's ``file`` plugin as the speaker and FFmpeg's ``lavfi`` tone generator as
the microphone. A device that cannot be opened costs the call its sound, never the call itself.

The speaker writes on its own thread (an ALSA write blocks until the card takes the samples) and
keeps at most :data:`MAX_BACKLOG_S` queued: late speech is dropped rather than piling up delay.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from typing import Any

log = logging.getLogger(__name__)

RATE = 48_000  # Opus's rate: no resampling on the way in
FRAME_S = 0.02  # aiortc hands out 20 ms audio frames
MAX_BACKLOG_S = 0.3


def parse_device(spec: str) -> tuple[str, str]:
    """``"alsa:hw:1,0"`` -> ``("alsa", "hw:1,0")``; a spec without a format is refused."""
    fmt, sep, device = spec.partition(":")
    if not sep or not fmt or not device:
        raise ValueError(f"audio device {spec!r} must look like 'alsa:default'")
    return fmt, device


def open_microphone(spec: str) -> Any:
    """The microphone as an aiortc ``MediaPlayer`` (its ``.audio`` is the track); None if
    there is none or it cannot be opened."""
    if not spec:
        return None
    from aiortc.contrib.media import MediaPlayer

    fmt, device = parse_device(spec)
    try:
        player = MediaPlayer(device, format=fmt)
    except Exception as exc:  # av.error.* for a missing or busy device
        log.warning("assist audio: microphone %s unavailable (%s)", fmt, type(exc).__name__)
        return None
    if player.audio is None:
        log.warning("assist audio: %s device has no sound", fmt)
        return None
    return player


class Speaker:
    """Plays the helper's voice on an FFmpeg output device (see the module docstring)."""

    def __init__(self, container: Any, stream: Any) -> None:
        import av

        self._container, self._stream = container, stream
        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=max(1, round(MAX_BACKLOG_S / FRAME_S)))
        self.frames_played = 0
        self._thread = threading.Thread(target=self._run, name="assist-speaker", daemon=True)
        self._thread.start()

    @classmethod
    def open(cls, spec: str) -> Speaker | None:
        if not spec:
            return None
        import av

        fmt, device = parse_device(spec)
        container = None
        try:
            container = av.open(device, mode="w", format=fmt)
            stream = container.add_stream("pcm_s16le", rate=RATE, layout="mono")
            container.start_encoding()  # opens the device now, not at the first word
        except Exception as exc:
            if container is not None:
                with contextlib.suppress(Exception):
                    container.close()
            log.warning("assist audio: speaker %s unavailable (%s)", fmt, type(exc).__name__)
            return None
        return cls(container, stream)

    def play(self, frame: Any) -> None:
        """Queue one decoded frame (any layout and rate); drops the oldest when behind."""
        for out in self._resampler.resample(frame):
            out.pts = None
            try:
                self._queue.put_nowait(out)
            except queue.Full:
                with contextlib.suppress(queue.Empty):
                    self._queue.get_nowait()
                self._queue.put_nowait(out)

    def _run(self) -> None:
        while (frame := self._queue.get()) is not None:
            try:
                for packet in self._stream.encode(frame):
                    self._container.mux(packet)
                self.frames_played += 1
            except Exception as exc:  # the device went away mid-call: stay quiet from now on
                log.warning("assist audio: speaker failed (%s)", type(exc).__name__)
                break
        try:
            for packet in self._stream.encode(None):
                self._container.mux(packet)
        except Exception:
            pass
        self._container.close()

    def close(self) -> None:
        while True:  # make room for the end marker: a closing call has nothing left to say
            try:
                self._queue.put_nowait(None)
                break
            except queue.Full:
                with contextlib.suppress(queue.Empty):
                    self._queue.get_nowait()
        self._thread.join(2.0)
