"""RatingBridge: the QML view of the 好差评 offer (session state ``rating``).

Every property is computed on read from the core's :class:`kiosk.session.rating.RatingFlow` in
the language the walk-in is reading; the level and indicator names are the shared contract's
(:mod:`contracts.ratings`), the part and department names the hall's. Intents go to the flow; a
stray one (a double tap during a transition) is logged and ignored. The comment is read back from
the flow (which cuts it at the hall's limit), so the screen shows what will be sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Property, QObject, Signal, Slot

from contracts.rating_scale import INDICATORS, LEVELS, MAX_COMMENT
from ui.bridge.failures import failure_text
from ui.bridge.settings_bridge import SettingsBridge

if TYPE_CHECKING:
    from kiosk.session.flow import SessionFlow
    from kiosk.session.rating import RatingOffer

log = logging.getLogger(__name__)


class RatingBridge(QObject):
    changed = Signal()

    def __init__(self, settings: SettingsBridge, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._flow: SessionFlow | None = None
        self._settings = settings
        self._unsubscribe: Callable[[], None] = lambda: None
        settings.changed.connect(self.changed)

    def attach(self, flow: SessionFlow) -> None:
        self._flow = flow
        self._unsubscribe = flow.subscribe(self.changed.emit)
        self.changed.emit()

    def detach(self) -> None:
        self._unsubscribe()
        self._flow = None

    # -- helpers -------------------------------------------------------------------------------
    def _data(self) -> RatingOffer | None:
        flow = self._flow
        if flow is None or flow.state != "rating":
            return None
        return flow.rating.data

    def _zh(self) -> bool:
        return self._settings.current_language != "en_US"

    def _words(self, pair: tuple[str, str]) -> str:
        return pair[0] if self._zh() else pair[1]

    # -- properties ----------------------------------------------------------------------------
    def _get_count(self) -> int:
        data = self._data()
        return 0 if data is None else len(data.items)

    def _get_position(self) -> int:
        data = self._data()
        return 0 if data is None else min(data.current + 1, len(data.items))

    def _get_part(self) -> dict[str, str]:
        data = self._data()
        item = None if data is None else data.item
        if item is None:
            return {}
        zh = self._zh()
        return {
            "trackingNumber": item.tracking_number,
            "service": item.service_name_zh if zh else item.service_name_en,
            "name": item.part_name_zh if zh else item.part_name_en,
            "department": item.department_name_zh if zh else item.department_name_en,
        }

    def _get_levels(self) -> list[dict[str, Any]]:
        data = self._data()
        chosen = 0 if data is None else data.level
        return [
            {"level": level, "name": self._words(names), "chosen": level == chosen}
            for level, names in LEVELS.items()
        ]

    def _get_indicators(self) -> list[dict[str, Any]]:
        data = self._data()
        scores = {} if data is None else data.scores
        return [
            {"id": name, "name": self._words(names), "score": scores.get(name, 0)}
            for name, names in INDICATORS.items()
        ]

    def _get_level(self) -> int:
        data = self._data()
        return 0 if data is None else data.level

    def _get_sending(self) -> bool:
        data = self._data()
        return data is not None and data.sending

    def _get_done(self) -> bool:
        data = self._data()
        return data is not None and data.done

    def _get_rated(self) -> int:
        data = self._data()
        return 0 if data is None else data.rated

    def _get_refusal(self) -> str:
        data = self._data()
        return "" if data is None else self._words(data.refusal)

    def _get_network_failed(self) -> bool:
        data = self._data()
        return data is not None and data.network_failed

    def _get_comment(self) -> str:
        data = self._data()
        return "" if data is None else data.comment

    def _get_max_comment(self) -> int:
        return MAX_COMMENT

    def _get_rate_limited(self) -> bool:
        data = self._data()
        return data is not None and data.rate_limited

    def _rate_limit_text(self) -> tuple[str, str]:
        data = self._data()
        if data is None or not data.rate_limited:
            return "", ""
        return failure_text("HALL_RATE_LIMITED", retry_after_s=data.retry_after_s)

    def _get_rate_limit_title(self) -> str:
        return self._rate_limit_text()[0]

    def _get_rate_limit_detail(self) -> str:
        return self._rate_limit_text()[1]

    def _get_failure_code(self) -> str:
        # For the station staff under the banner: too many requests is not an outage.
        return "HALL_RATE_LIMITED" if self._get_rate_limited() else ""

    count = Property(int, _get_count, notify=changed)
    position = Property(int, _get_position, notify=changed)
    part = Property(dict, _get_part, notify=changed)
    levels = Property(list, _get_levels, notify=changed)
    indicators = Property(list, _get_indicators, notify=changed)
    level = Property(int, _get_level, notify=changed)
    sending = Property(bool, _get_sending, notify=changed)
    done = Property(bool, _get_done, notify=changed)
    rated = Property(int, _get_rated, notify=changed)
    refusal = Property(str, _get_refusal, notify=changed)
    networkFailed = Property(bool, _get_network_failed, notify=changed)
    comment = Property(str, _get_comment, notify=changed)
    maxComment = Property(int, _get_max_comment, constant=True)
    rateLimited = Property(bool, _get_rate_limited, notify=changed)
    rateLimitTitle = Property(str, _get_rate_limit_title, notify=changed)
    rateLimitDetail = Property(str, _get_rate_limit_detail, notify=changed)
    failureCode = Property(str, _get_failure_code, notify=changed)

    # -- intents -------------------------------------------------------------------------------
    def _send(self, name: str, intent: Callable[[SessionFlow], object]) -> None:
        flow = self._flow
        if flow is None:
            return
        flow.touch()
        try:
            intent(flow)
        except Exception:  # a stray tap during a transition: visible in the log, harmless
            log.exception("rating intent %s refused in state %s", name, flow.state)

    @Slot(int)
    def chooseLevel(self, level: int) -> None:
        self._send("chooseLevel", lambda f: f.rating.choose_level(level))

    @Slot(str, int)
    def setScore(self, indicator: str, score: int) -> None:
        self._send("setScore", lambda f: f.rating.set_score(indicator, score))

    @Slot(str)
    def setComment(self, text: str) -> None:
        self._send("setComment", lambda f: f.rating.set_comment(text))

    @Slot()
    def submit(self) -> None:
        self._send("submit", lambda f: f.rating.submit())

    @Slot()
    def skip(self) -> None:
        self._send("skip", lambda f: f.rating.skip())

    @Slot()
    def close(self) -> None:
        self._send("close", lambda f: f.rating.close())
