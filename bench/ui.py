"""UI responsiveness: touch and key to the frame that shows the answer, and GUI-thread stalls.

``python -m bench ui --json`` drives the real kiosk (``KioskRuntime`` + ``KioskUi`` with the
real ``QtBackground`` pool, sender and hall monitor, over the GA/T 467 reader emulator, the
printer and camera simulators, the hall in a child process as in ``bench soak``) offscreen with
the software renderer, and, side by side, a bare Qt Quick window doing the same gestures
(``bench/ui_bare.qml``: a button that changes state, a two-page StackView, 20 TextFields). Input
is synthetic (QTest mouse press and release at an item's centre, key events, an input-method
commit for Chinese as the Pinyin keyboard sends it); every figure ends at ``frameSwapped``, the
frame that holds the answer (the software render loop draws on the GUI thread, so the state seen
at the swap is the state drawn):

- ``press_feedback_*``: mouse press → first frame with the button drawn pressed;
- ``screen_change_*``: release (the tap's click) → first frame of the next screen loaded;
- ``keystroke_*``: key press in a form field → first frame with the character, in a 20-field
  form (``company_startup_power``, the catalog's largest, grown by ten optional fields in a
  catalog the hall publishes for the bench: ``form_fields`` says how many);
- ``max_stall_ms``: the longest gap of a 5-ms GUI-thread heartbeat (``QTimer``, precise) over a
  whole walk-in (card read, service, form typed, a page captured, review, submit, receipt
  printed, finish, the sender delivering), and ``max_stall_step`` the step it happened in;
  ``stall_by_step_ms`` the worst gap per step. The first walk-in after start compiles each
  screen's QML and is reported apart (``first_journey_*``).

Goals (issue 19): press ≤ 50 ms, screen ≤ 100 ms, keystroke ≤ 33 ms, stall ≤ 50 ms (p95 for
the first three). ``slowest_ms`` names the slowest sample of each kind. A last, untimed pass
grabs each button before and while pressed: ``no_press_feedback`` lists those drawn the same
(their press samples are dropped: a frame drawn for another reason showed nothing).
``longest_gc_ms`` is the longest garbage collection inside a timed step (it holds the GIL);
``--where`` samples the GUI thread's Python stack during the worst stalls (``*_where``; empty
when the GUI thread was in Qt's C++ or waiting for the GIL). The bench waits in the event loop
(never sleeps), so its own work between events is small; ``bench_own_max_ms`` is its longest
single step. Frames are drawn on a 5-ms update timer offscreen, which both windows pay alike.
"""

from __future__ import annotations

import gc
import logging
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

# A bench drives the QML as the robot user does (tests/support may import Qt; bench/ only here).
from PySide6.QtCore import (  # noqa: TID251
    QCoreApplication,
    QEventLoop,
    QPoint,
    QPointF,
    QRectF,
    Qt,
    QTimer,
)
from PySide6.QtGui import QInputMethodEvent  # noqa: TID251
from PySide6.QtQml import QQmlApplicationEngine  # noqa: TID251
from PySide6.QtQuick import QQuickWindow  # noqa: TID251
from PySide6.QtTest import QTest  # noqa: TID251

KEYS = (
    "press_feedback_p95_ms",
    "screen_change_p95_ms",
    "keystroke_p95_ms",
    "max_stall_ms",
    "max_stall_step",
    "bare_press_feedback_p95_ms",
    "bare_screen_change_p95_ms",
    "bare_keystroke_p95_ms",
    "bare_max_stall_ms",
    "press_feedback_ratio",
    "screen_change_ratio",
    "keystroke_ratio",
    "max_stall_ratio",
    "form_fields",
    "samples",
)

BARE_QML = Path(__file__).resolve().parent / "ui_bare.qml"
SERVICE = "company_startup_power"  # the catalog's form with the most fields (10)
CATEGORY = "enterprise_startup"
# Issue 19 asks for keystrokes in a 20-field form: the hall publishes the shipped catalog with
# SERVICE's form grown by ten optional text fields (up to ten shareholders, part of the company's
# registration), and the kiosk fetches it, signed, before the walk-ins start.
FORM_FIELDS = 20
SHAREHOLDER = "shareholder_{}"
# Typed key by key (digits: every keyboard layout has them); the Chinese answers are committed
# as the Pinyin keyboard commits a chosen word.
TYPED = {
    "mobile": "13912345678",
    "registered_capital": "100",
    "power_capacity_kw": "80",
    "power_start_date": "2026-12-28",
    SHAREHOLDER.format(10): "2026",  # the last of the twenty
}
COMMITTED = {
    "company_name": "苏州企航科技有限公司",
    "business_address": "苏州高新区狮山路88号",
    "business_scope": "软件开发；信息技术咨询服务",
}
HEARTBEAT_MS = 5
WAIT_S = 30.0
# A press with no frame in this long draws no pressed state at all (listed, not a sample).
FEEDBACK_LIMIT_S = 1.0


def p95(samples: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return round(ordered[max(0, -(-95 * len(ordered) // 100) - 1)], 1)


class Heartbeat:
    """A precise 5-ms GUI-thread timer: the longest gap between its ticks, per named step."""

    def __init__(self) -> None:

        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self._beat)
        self.step = ""
        self.enabled = True  # off: steps are not timed (the looks pass)
        self.worst: dict[str, float] = {}
        self.worst_start: dict[str, float] = {}  # when each step's worst gap began
        self.last: float | None = None

    def start(self) -> None:
        self.last = None
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    @contextmanager
    def during(self, step: str) -> Iterator[None]:
        if not self.enabled:
            yield
            return
        self.step = step
        self.last = time.perf_counter()  # what ran before the step is not the step's
        try:
            yield
        finally:
            self._beat()  # a stall at the step's end still belongs to it
            self.step = ""

    def reset(self) -> None:
        self.worst, self.worst_start = {}, {}

    def _beat(self) -> None:
        now = time.perf_counter()
        if self.last is not None and self.step:
            gap = (now - self.last) * 1000
            if gap > self.worst.get(self.step, 0.0):
                self.worst[self.step] = gap
                self.worst_start[self.step] = self.last
        self.last = now


class GcPauses:
    """The longest garbage collection during a timed step (in any thread: it holds the GIL, so
    the GUI thread waits for it too) and the step it fell in."""

    def __init__(self, heartbeat: Heartbeat) -> None:
        self.heartbeat = heartbeat
        self.longest_ms = 0.0
        self.generation = -1
        self.step = ""
        self._t0 = 0.0

    def __enter__(self) -> GcPauses:
        gc.callbacks.append(self._on_gc)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._t0 = time.perf_counter()
            return
        ms = (time.perf_counter() - self._t0) * 1000
        if self.heartbeat.step and ms > self.longest_ms:
            self.longest_ms, self.generation = ms, info["generation"]
            self.step = self.heartbeat.step


class StallSampler:
    """``--where``: while the heartbeat is late by more than ``late_ms``, a thread samples the
    GUI thread's Python stack every 5 ms; ``where()`` names what the worst stall was doing (the
    innermost frames of the project's code, most sampled first). Off by default: the sampler
    needs the GIL too."""

    def __init__(self, heartbeat: Heartbeat, late_ms: float = 25.0) -> None:
        import threading

        self.heartbeat = heartbeat
        self.late_s = late_ms / 1000
        self.gui = threading.get_ident()
        self.samples: dict[float, list[str]] = {}  # gap start → stacks seen during it
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-stall-sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        import sys
        import traceback

        root = str(Path(__file__).resolve().parents[1])
        while not self._stop.wait(0.005):
            last = self.heartbeat.last
            if last is None or time.perf_counter() - last < self.late_s:
                continue
            frame = sys._current_frames().get(self.gui)
            if frame is None:
                continue
            ours = [
                f"{Path(f.filename).relative_to(root)}:{f.lineno} {f.name}"
                for f in traceback.extract_stack(frame)
                if f.filename.startswith(root) and "/.venv/" not in f.filename
            ]
            self.samples.setdefault(last, []).append(" < ".join(reversed(ours[-4:])))

    def where(self, gap_start: float | None) -> list[str]:
        seen = self.samples.get(gap_start, []) if gap_start is not None else []
        counts: dict[str, int] = {}
        for stack in seen:
            counts[stack] = counts.get(stack, 0) + 1
        return [f"{n}x {stack}" for stack, n in sorted(counts.items(), key=lambda kv: -kv[1])]


class Driver:
    """Synthetic touches and keys on one window, timed to the frame that shows their effect."""

    def __init__(self, window: Any) -> None:

        from tests.support.robot import Robot

        self.window = window
        self.robot = Robot(window)
        self.press_ms: list[float] = []
        self.screen_ms: list[float] = []
        self.key_ms: list[float] = []
        # kind → (ms, what) per sample: the slowest is named in the result.
        self.named: dict[str, list[tuple[float, str]]] = {"press": [], "screen": [], "key": []}
        self.no_feedback: set[str] = set()  # buttons whose press drew nothing
        # The looks pass: each button's pressed frame compared with its look before the press
        # (window grabs, so nothing is timed then).
        self.looks = False
        self._looked: set[str] = set()
        self.own_max_ms = 0.0
        self._shown: Callable[[], bool] | None = None
        self._t0 = 0.0
        self._result: float | None = None
        window.frameSwapped.connect(self._on_swapped, Qt.ConnectionType.DirectConnection)

    def _on_swapped(self) -> None:
        if self._shown is not None and self._shown():
            self._result = (time.perf_counter() - self._t0) * 1000
            self._shown = None

    def wait(self, condition: Callable[[], bool], timeout_s: float = WAIT_S) -> None:
        """Run the event loop until ``condition`` holds: blocks in the dispatcher (the heartbeat
        wakes it every 5 ms), never in a sleep."""

        deadline = time.monotonic() + timeout_s
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("bench ui: condition not met in time")
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)

    def timed(
        self, act: Callable[[], None], shown: Callable[[], bool], limit_s: float = WAIT_S
    ) -> float | None:
        """``act`` (an input event), then the ms until the first frame swapped with ``shown``;
        None if no such frame came within ``limit_s``."""
        self._result = None
        self._shown = shown
        self._t0 = time.perf_counter()
        act()
        try:
            self.wait(lambda: self._result is not None, limit_s)
        except TimeoutError:
            self._shown = None
            if limit_s == WAIT_S:
                raise
        return self._result

    def _note(self, kind: str, ms: float, what: str, samples: list[float]) -> None:
        samples.append(ms)
        self.named[kind].append((ms, what))

    def visible(self, name: str) -> Any:
        found: list[Any] = []

        def there() -> bool:
            found[:] = self.robot.visible_items(name)
            return bool(found)

        self.wait(there)
        return found[0]

    def focused(self, name: str) -> Any:
        """The field ``name`` once it has the keyboard focus (after a tap on it)."""
        field = self.visible(name)
        self.wait(lambda: bool(field.property("activeFocus")))
        return field

    def _centre(self, item: Any) -> Any:

        started = time.perf_counter()
        ancestor = item
        while ancestor is not None:  # a finger lands where the last frame drew the item
            ancestor.ensurePolished()
            ancestor = ancestor.parentItem()
        self._scroll_into_view(item)
        centre = item.mapToScene(QPointF(item.width() / 2, item.height() / 2))
        self.own_max_ms = max(self.own_max_ms, (time.perf_counter() - started) * 1000)
        return QPoint(round(centre.x()), round(centre.y()))

    def _scroll_into_view(self, item: Any) -> None:
        """Robot.scroll_into_view for the nearest Flickable (a Page has a contentHeight too)."""
        parent = item.parentItem()
        while parent is not None and parent.property("contentY") is None:
            parent = parent.parentItem()
        if parent is not None:
            self.robot.scroll_into_view(item)

    def tap(
        self, name: str, screen_shown: Callable[[], bool] | None = None, *, feedback: bool = True
    ) -> None:
        """Press (timed to the pressed frame), release (timed to the next screen's first frame
        when ``screen_shown`` is given)."""

        item = self.visible(name)
        pos = self._centre(item)
        left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier

        def press() -> None:
            QTest.mousePress(self.window, left, none, pos)

        def release() -> None:
            QTest.mouseRelease(self.window, left, none, pos)

        if self.looks and feedback:
            self._look(name, item, press)
        elif feedback:
            ms = self.timed(press, lambda: bool(item.property("pressed")), FEEDBACK_LIMIT_S)
            if ms is None:  # nothing was drawn while the finger was down
                self.no_feedback.add(name)
            else:
                self._note("press", ms, name, self.press_ms)
        else:
            press()
        if screen_shown is not None and not self.looks:
            ms = self.timed(release, screen_shown)
            assert ms is not None
            self._note("screen", ms, name, self.screen_ms)
        else:
            release()

    def _look(self, name: str, item: Any, press: Callable[[], None]) -> None:
        """Press, and list ``name`` in ``no_feedback`` if the pressed frame draws the button
        exactly as before the press (once per button)."""
        if name in self._looked:
            press()
            return
        self._looked.add(name)
        area = item.mapRectToScene(QRectF(0, 0, item.width(), item.height())).toAlignedRect()
        before = self.window.grabWindow().copy(area)
        drawn = self.timed(press, lambda: bool(item.property("pressed")), FEEDBACK_LIMIT_S)
        if drawn is None or self.window.grabWindow().copy(area) == before:
            self.no_feedback.add(name)

    def key(self, ch: str, field: Any, *, record: bool = True) -> None:
        """One key click into the focused field, timed to the frame whose text has changed."""

        before = str(field.property("text"))
        if ch == "\b":
            key, text = Qt.Key.Key_Backspace, ""
        else:
            # Printable ASCII key codes equal their upper-case character codes (Key_A = 'A').
            key, text = Qt.Key(ord(ch.upper())), ch

        def click() -> None:
            QTest.sendKeyEvent(
                QTest.KeyAction.Click, self.window, key, text, Qt.KeyboardModifier.NoModifier
            )

        ms = self.timed(click, lambda: str(field.property("text")) != before)
        assert ms is not None
        if record and not self.looks:
            self._note("key", ms, str(field.objectName()), self.key_ms)

    def commit(self, text: str, field: Any) -> None:
        """What the Pinyin keyboard sends when a word is chosen: an input-method commit."""

        def send() -> None:
            event = QInputMethodEvent()
            event.setCommitString(text)
            QCoreApplication.sendEvent(self.window.activeFocusItem(), event)

        before = str(field.property("text"))
        self.timed(send, lambda: str(field.property("text")) != before)


# --- the bare window ---------------------------------------------------------------------------


def _bare(rounds: int, taps: int, fields: int, heartbeat: Heartbeat) -> dict[str, Any]:

    engine = QQmlApplicationEngine()
    engine.load(str(BARE_QML))
    window = engine.rootObjects()[0]
    assert isinstance(window, QQuickWindow)
    d = Driver(window)
    stack = d.robot.find("stack")

    def page(name: str) -> Callable[[], bool]:
        def shown() -> bool:
            current = stack.property("currentItem")
            return current is not None and current.objectName() == name

        return shown

    d.wait(lambda: window.isExposed())
    d.robot.settle(10)
    try:
        for _ in range(rounds):
            with heartbeat.during("bare"):
                for _ in range(taps):
                    d.tap("toggleButton")
                d.tap("nextButton", page("page2"))
                for n in range(fields):
                    _type_and_clear(d, f"field_{n}", TYPED["mobile"])
                d.tap("backButton", page("page1"))
    finally:
        window.close()
        engine.deleteLater()
        d.robot.settle(5)
    return {"press": d.press_ms, "screen": d.screen_ms, "key": d.key_ms, "own": d.own_max_ms}


def _type_and_clear(d: Driver, name: str, digits: str) -> None:
    """Tap the field, type the digits (each timed), then delete them (not counted)."""
    d.tap(name, feedback=False)
    field = d.focused(name)
    for ch in digits:
        d.key(ch, field)
    for _ in digits:
        d.key("\b", field, record=False)


# --- the kiosk ---------------------------------------------------------------------------------


def _publish_twenty_field_form(hall_url: str, db: Path) -> None:
    """Publish the shipped catalog with SERVICE's form at FORM_FIELDS fields (see FORM_FIELDS)."""
    import json

    from kiosk.services.catalog import DEFAULT_CATALOG_PATH
    from tests.hall.helpers import add_staff, login

    doc = json.loads(DEFAULT_CATALOG_PATH.read_text(encoding="utf-8"))
    doc["version"] = f"{doc['version']}-bench20"
    service = next(s for s in doc["services"] if s["id"] == SERVICE)
    fields = service["form"]["fields"]
    extra = [SHAREHOLDER.format(n) for n in range(1, FORM_FIELDS - len(fields) + 1)]
    for n, name in enumerate(extra, 1):
        fields.append({"name": name, "kind": "text", "required": False, "max_length": 60,
                       "label_zh": f"股东{n}名称", "label_en": f"Shareholder {n}"})  # fmt: skip
    registration = next(p for p in service["parts"] if p["id"] == "company_registration")
    registration["fields"] += extra
    hall = SimpleNamespace(url=hall_url, db_path=str(db))
    add_staff(hall, "bench.admin", "admin")  # type: ignore[arg-type]
    answer = login(hall, "bench.admin").put(  # type: ignore[arg-type]
        hall_url + "/api/v1/catalog", json=doc, timeout=30
    )
    if answer.status_code != 201:
        raise RuntimeError(f"bench ui: the hall refused the catalog: {answer.text[:300]}")


class _Kiosk:
    def __init__(self, ui: Any, runtime: Any, heartbeat: Heartbeat) -> None:
        self.ui, self.runtime, self.heartbeat = ui, runtime, heartbeat
        self.d = Driver(ui.window)
        self.loader = self.d.robot.find("screenLoader")
        import numpy as np

        from drivers.camera.scenes import document_scene

        self.page = document_scene(np.random.default_rng(11), 1280, 720)

    def screen(self, *names: str) -> Callable[[], bool]:
        """The session shows one of ``names`` and that screen's QML is loaded."""
        wanted = {name[0].lower() + name[1:] + "Screen" for name in names}

        def shown() -> bool:
            item = self.loader.property("item")
            return (
                self.ui.session.property("screen") in names
                and item is not None
                and item.objectName() in wanted
            )

        return shown

    def wait_screen(self, name: str) -> None:
        self.d.wait(self.screen(name))

    def to_service_home(self) -> None:
        # The emulator answers at once: the identify screen may be gone before its first frame.
        self.d.tap("startButton", self.screen("Identify", "ServiceHome"))
        self.wait_screen("ServiceHome")  # the emulated card is read on a pool thread

    def open_form(self) -> None:
        self.d.tap(f"category_{CATEGORY}")
        self.d.tap(f"service_{SERVICE}", self.screen("Form"))

    def journey(self) -> None:
        """One walk-in filing the bundle, each part under its own heartbeat step."""
        d, hb, ui = self.d, self.heartbeat, self.ui
        with hb.during("card_read"):
            self.to_service_home()
        with hb.during("choose_service"):
            self.open_form()
        with hb.during("form"):
            for name, digits in TYPED.items():
                d.tap(f"field_{name}", feedback=False)
                field = d.focused(f"field_{name}")
                for ch in digits:
                    d.key(ch, field)
            for name, text in COMMITTED.items():
                d.tap(f"field_{name}", feedback=False)
                d.commit(text, d.focused(f"field_{name}"))
            d.tap("choice_enterprise_type_llc")
        # The walk-in lays the page under the camera: the world's work, not the kiosk's (drawing
        # the simulator's scene and its noisy frames takes ~150 ms of this thread).
        self.runtime.camera.show(self.page)
        with hb.during("capture"):
            d.tap("capture_premises_proof", self.screen("Capture"))
            d.wait(lambda: bool(ui.capture.property("hasCapture")))
            d.tap("usePhotoButton", self.screen("Form"))
        with hb.during("review"):
            d.tap("nextButton", self.screen("Review"))
        with hb.during("submit"):
            d.tap("confirmButton")
            self.wait_screen("Receipt")
        with hb.during("print"):
            d.wait(lambda: ui.session.property("printStatus") == "printed")
            server = self.runtime.printer.server
            if len(server.complete_jobs()) != 1:
                raise RuntimeError("bench ui: the receipt did not reach the printer whole")
            server.clear()
        with hb.during("finish"):
            d.tap("finishButton", self.screen("Attract"))
        with hb.during("deliver"):  # the sender thread takes the filing to the hall
            d.wait(lambda: self.runtime.sender.status().depth == 0)

    def taps_and_keys(self, taps: int) -> None:
        """Screen changes back and forth, and keystrokes into the form's fields."""
        d = self.d
        self.to_service_home()
        self.open_form()
        for _ in range(taps):
            d.tap("backButton", self.screen("ServiceHome"))
            d.tap(f"service_{SERVICE}", self.screen("Form"))
        for name, text in TYPED.items():
            _type_and_clear(d, f"field_{name}", text)
        d.tap("backButton", self.screen("ServiceHome"))
        d.tap("cancelButton", self.screen("Attract"))


def _kiosk(rounds: int, taps: int, heartbeat: Heartbeat) -> dict[str, Any]:
    from bench.soak import _config, _hall
    from contracts.clock import SYSTEM_CLOCK
    from kiosk.runtime import KioskRuntime
    from tests.hall.helpers import enrol_station
    from tests.support.clock import FakeClock
    from ui.app import KioskUi

    with tempfile.TemporaryDirectory(prefix="qihang-bench-ui-") as tmp_name:
        tmp = Path(tmp_name)
        with _hall(tmp) as hall_url:
            config = _config(tmp / "kiosk", hall_url)
            enrol_station(
                SimpleNamespace(url=hall_url, db=tmp / "hall.sqlite3"),
                config.station.id,
                state_dir=tmp / "kiosk",
            )
            _publish_twenty_field_form(hall_url, tmp / "hall.sqlite3")
            runtime = KioskRuntime(config)
            runtime.refresh_catalog()
            fields = len(runtime.catalog.service(SERVICE).form.fields)
            if fields != FORM_FIELDS:
                raise RuntimeError(f"bench ui: the form has {fields} fields, not {FORM_FIELDS}")
            # Time moves only when told: no idle timeout in the middle of a measurement.
            ui = KioskUi(runtime, clock=FakeClock(SYSTEM_CLOCK.now()))
            k = _Kiosk(ui, runtime, heartbeat)
            try:
                k.d.wait(lambda: bool(k.d.robot.items("inputPanel")))
                k.d.wait(lambda: runtime.status().online)
                k.journey()  # cold: every screen's QML compiled for the first time
                first = dict(heartbeat.worst)
                first_start = dict(heartbeat.worst_start)
                heartbeat.reset()
                # The first journey's figures are the cold ones; the rest are a station's day.
                del k.d.press_ms[:], k.d.screen_ms[:], k.d.key_ms[:]
                for named in k.d.named.values():
                    named.clear()
                for _ in range(rounds):
                    k.journey()
                    k.taps_and_keys(taps)
                # Then once more, looking at each button's pressed frame (grabs: not timed).
                k.d.looks, heartbeat.enabled = True, False
                k.journey()
                k.taps_and_keys(1)
            finally:
                ui.close()
                runtime.close()
                k.d.robot.settle(5)
    # A frame drawn while a button without a pressed look is held shows no feedback.
    pressed = [(ms, name) for ms, name in k.d.named["press"] if name not in k.d.no_feedback]
    samples = {**k.d.named, "press": pressed}
    return {
        "press": [ms for ms, _ in pressed],
        "slowest": {kind: max(named) for kind, named in samples.items() if named},
        "no_feedback": sorted(k.d.no_feedback),
        "screen": k.d.screen_ms,
        "key": k.d.key_ms,
        "own": k.d.own_max_ms,
        "first": first,
        "first_start": first_start,
        "fields": fields,
    }


def run(runs: int = 5, *args: str, quick: bool = False) -> dict[str, Any]:
    """``runs`` walk-ins (each followed by ``taps`` screen changes back and forth and the
    form's typed fields filled and cleared) against as many bare rounds. ``--where`` adds what
    the GUI thread was running during the worst stalls (``*_where``)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench ui")
    parser.add_argument("--where", action="store_true", help="sample the GUI thread in stalls")
    opts = parser.parse_args(list(args))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_QUICK_BACKEND", "software")
    os.environ.setdefault("QT_IM_MODULE", "qtvirtualkeyboard")
    # The kiosk embeds its keyboard; without this the bare window would get Qt's desktop one.
    os.environ.setdefault("QT_VIRTUALKEYBOARD_DESKTOP_DISABLE", "1")
    logging.basicConfig(level=logging.WARNING)  # a state entry per screen would flood the run

    from ui.app import create_application

    taps = 3 if quick else 10
    app = create_application()
    heartbeat = Heartbeat()
    heartbeat.start()
    sampler = StallSampler(heartbeat) if opts.where else None
    if sampler is not None:
        sampler.start()
    t0 = time.monotonic()
    try:
        with GcPauses(heartbeat) as gc_bare:
            bare = _bare(runs, taps, 3 if quick else 20, heartbeat)
        bare_stall = max(heartbeat.worst.values(), default=0.0)
        heartbeat.reset()
        with GcPauses(heartbeat) as gc_kiosk:
            kiosk = _kiosk(runs, taps, heartbeat)
    finally:
        heartbeat.stop()
        if sampler is not None:
            sampler.stop()
    app.processEvents()

    worst_step = max(heartbeat.worst, key=lambda s: heartbeat.worst[s], default="")
    first_step = max(kiosk["first"], key=lambda s: kiosk["first"][s], default="")
    out: dict[str, Any] = {
        "press_feedback_p95_ms": p95(kiosk["press"]),
        "screen_change_p95_ms": p95(kiosk["screen"]),
        "keystroke_p95_ms": p95(kiosk["key"]),
        "max_stall_ms": round(heartbeat.worst.get(worst_step, 0.0), 1),
        "max_stall_step": worst_step,
        "stall_by_step_ms": {s: round(v, 1) for s, v in heartbeat.worst.items()},
        "first_journey_max_stall_ms": round(kiosk["first"].get(first_step, 0.0), 1),
        "first_journey_max_stall_step": first_step,
        "first_journey_stall_by_step_ms": {s: round(v, 1) for s, v in kiosk["first"].items()},
        "press_feedback_median_ms": round(statistics.median(kiosk["press"]), 1),
        "screen_change_median_ms": round(statistics.median(kiosk["screen"]), 1),
        "keystroke_median_ms": round(statistics.median(kiosk["key"]), 1),
        "bare_press_feedback_p95_ms": p95(bare["press"]),
        "bare_screen_change_p95_ms": p95(bare["screen"]),
        "bare_keystroke_p95_ms": p95(bare["key"]),
        "bare_max_stall_ms": round(bare_stall, 1),
        "form_fields": kiosk["fields"],
        "bare_form_fields": 20,
        "samples": {
            "press": len(kiosk["press"]),
            "screen": len(kiosk["screen"]),
            "key": len(kiosk["key"]),
            "bare_press": len(bare["press"]),
            "bare_screen": len(bare["screen"]),
            "bare_key": len(bare["key"]),
            "journeys": runs,
        },
        "slowest_ms": {kind: [round(ms, 1), what] for kind, (ms, what) in kiosk["slowest"].items()},
        "no_press_feedback": kiosk["no_feedback"],
        "longest_gc_ms": [
            round(gc_kiosk.longest_ms, 1),
            f"generation {gc_kiosk.generation} in {gc_kiosk.step or '-'}",
        ],
        "bare_longest_gc_ms": round(gc_bare.longest_ms, 1),
        "bench_own_max_ms": round(max(kiosk["own"], bare["own"]), 1),
        "total_wall_s": round(time.monotonic() - t0, 1),
    }
    if sampler is not None:
        out["max_stall_where"] = sampler.where(heartbeat.worst_start.get(worst_step))
        out["first_journey_max_stall_where"] = sampler.where(kiosk["first_start"].get(first_step))
    for name in ("press_feedback", "screen_change", "keystroke"):
        out[f"{name}_ratio"] = round(out[f"{name}_p95_ms"] / out[f"bare_{name}_p95_ms"], 2)
    out["max_stall_ratio"] = round(out["max_stall_ms"] / out["bare_max_stall_ms"], 2)
    return out
