"""The content preview: a service of a catalog as the kiosk's screens draw it, run as a program.

The hall never imports the kiosk or its UI (import-linter), so it runs the kiosk's own renderer
(``python -m ui.preview``, :mod:`ui.preview`) as a subprocess when the hall is given its command
line (``--preview-command``; the demo and the tests give it). The catalog document goes into a
fresh temporary folder, the renderer writes its PNGs and ``manifest.json`` beside it, and the
folder is removed afterwards whatever happened. The program runs without a shell, with a time
limit, at most one at a time (a second request is told to wait), and what it wrote is read only
within a size limit. Whatever goes wrong is a :class:`PreviewFailed` with a reason in Chinese
for the console, never an error of the hall.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import shlex
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final

log = logging.getLogger(__name__)

MODES: Final = ("zh", "en", "care")
MAX_IMAGES: Final = 40
MAX_TOTAL_BYTES: Final = 16 * 1024 * 1024  # PNGs and manifest together
_MAX_STDERR: Final = 2000


class PreviewFailed(Exception):
    """The preview could not be made; ``reason`` is for the console, ``busy`` means try again."""

    def __init__(self, reason: str, *, busy: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.busy = reason, busy


@dataclass(frozen=True)
class PreviewSettings:
    """The renderer's command line (its arguments are added) and its limits."""

    command: tuple[str, ...]
    timeout_s: float = 120.0
    max_bytes: int = MAX_TOTAL_BYTES

    @classmethod
    def from_command_line(cls, line: str, timeout_s: float = 120.0) -> PreviewSettings:
        """``"python -m ui.preview"`` split as a shell would, but never run by one."""
        words = tuple(shlex.split(line))
        if not words:
            raise ValueError("the preview command is empty")
        return cls(words, timeout_s)


@dataclass(frozen=True)
class PreviewImage:
    mode: str
    screen: str
    png: bytes

    def to_json(self) -> dict[str, str]:
        return {
            "mode": self.mode,
            "screen": self.screen,
            "png": base64.b64encode(self.png).decode("ascii"),
        }


class PreviewRunner:
    """Runs the renderer for one service of a catalog document; one run at a time."""

    def __init__(self, settings: PreviewSettings) -> None:
        self.settings = settings
        self._running = threading.Lock()

    def render(self, catalog: dict[str, Any], service_id: str) -> list[PreviewImage]:
        if not self._running.acquire(blocking=False):
            raise PreviewFailed("另一个预览正在生成，请稍候再试", busy=True)
        try:
            with tempfile.TemporaryDirectory(prefix="qihang-hall-preview-") as tmp:
                return self._run(Path(tmp), catalog, service_id)
        finally:
            self._running.release()

    def _run(self, tmp: Path, catalog: dict[str, Any], service_id: str) -> list[PreviewImage]:
        source, out = tmp / "catalog.json", tmp / "out"
        source.write_text(json.dumps(catalog, ensure_ascii=False), encoding="utf-8")
        argv = [*self.settings.command, "--catalog", str(source), "--service", service_id,
                "--out", str(out)]  # fmt: skip
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_QUICK_BACKEND": "software"}
        try:
            child = subprocess.Popen(  # a configured program, never a shell
                argv,
                cwd=tmp,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        except OSError as exc:  # the configured program is missing or cannot run
            log.error("preview program %s cannot run: %s", self.settings.command[0], exc)
            raise PreviewFailed("预览程序无法运行，请联系系统管理员检查大厅配置") from None
        # Its stderr is drained as it comes and only the end kept: a chatty program cannot fill
        # the pipe (and stall) or the hall's memory.
        tail = bytearray()
        reader = threading.Thread(target=_drain, args=(child.stderr, tail), daemon=True)
        reader.start()
        try:
            code = child.wait(self.settings.timeout_s)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
            log.warning("preview of %s: no answer in %.0f s", service_id, self.settings.timeout_s)
            raise PreviewFailed(
                f"预览程序 {self.settings.timeout_s:.0f} 秒内未完成，请稍后再试"
            ) from None
        finally:
            reader.join(5)
        if code != 0:
            words = tail.decode("utf-8", "replace")
            log.warning("preview of %s failed (exit %d): %s", service_id, code, words)
            raise PreviewFailed(f"预览程序出错（退出码 {code}）")
        return self._collect(out)

    def _collect(self, out: Path) -> list[PreviewImage]:
        budget = self.settings.max_bytes
        try:
            manifest_path = out / "manifest.json"
            budget -= manifest_path.stat().st_size
            if budget < 0:
                raise PreviewFailed("预览结果过大")
            manifest = json.loads(manifest_path.read_bytes())
            rows = manifest["images"]
            if not isinstance(rows, list) or len(rows) > MAX_IMAGES:
                raise PreviewFailed("预览结果不完整")
            images: list[PreviewImage] = []
            for row in rows:
                mode, screen, name = str(row["mode"]), str(row["screen"]), str(row["file"])
                path = out / name
                # Only files the renderer wrote into its own folder.
                if mode not in MODES or path.parent != out or not name.endswith(".png"):
                    raise PreviewFailed("预览结果不完整")
                budget -= path.stat().st_size
                if budget < 0:
                    raise PreviewFailed("预览结果过大")
                images.append(PreviewImage(mode, screen[:40], path.read_bytes()))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("preview output not usable: %s", exc)
            raise PreviewFailed("预览结果不完整") from None
        if not images:
            raise PreviewFailed("预览程序没有生成任何画面")
        return images


def _drain(stream: IO[bytes], tail: bytearray) -> None:
    """Read a child's stderr to its end, keeping the last :data:`_MAX_STDERR` bytes."""
    with stream:
        for chunk in iter(lambda: stream.read(4096), b""):
            tail += chunk
            del tail[:-_MAX_STDERR]
