"""ConsultBridge: the QML view of a consultation — progress look-up, policy matching, Q&A.

Like the SessionBridge it keeps no personal data: every property is computed on read from
``SessionContext.consult`` (what the walk-in asked and what came back) and from content the
consult flow loaded (policy vocabulary), in the language the walk-in is reading. Intents go to the
core's ``ConsultFlow``; a stray one (a double tap during a transition) is logged and ignored.
The only state of its own is whether the walk-in asked for remote help, which is not personal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Property, QCoreApplication, QObject, Signal, Slot

from ui.bridge.failures import field_error_text
from ui.bridge.settings_bridge import SettingsBridge
from ui.i18n.marks import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from contracts.progress import ProgressView
    from kiosk.policies import Match
    from kiosk.session.context import Consultation
    from kiosk.session.flow import SessionFlow

log = logging.getLogger(__name__)

_CTX = "Consult"

# (kind, status) -> (title, next step). Statuses "" and "done" show no banner.
_STATUS_TEXTS: dict[tuple[str, str], tuple[str, str]] = {
    ("progress", "busy"): (QT_TRANSLATE_NOOP("Consult", "Looking up…"), ""),
    ("progress", "invalid"): (
        QT_TRANSLATE_NOOP("Consult", "This is not a tracking number"),
        QT_TRANSLATE_NOOP(
            "Consult",
            "Check the number on your receipt, for example SND-SS-001-20261127-0001.",
        ),
    ),
    ("progress", "not_found"): (
        QT_TRANSLATE_NOOP("Consult", "No filing found with this number"),
        QT_TRANSLATE_NOOP("Consult", "Check the number, or ask the station staff."),
    ),
    ("progress", "failed"): (
        QT_TRANSLATE_NOOP("Consult", "The progress cannot be looked up right now"),
        QT_TRANSLATE_NOOP("Consult", "Please try again in a moment, or ask the station staff."),
    ),
    ("progress", "qr_foreign"): (
        QT_TRANSLATE_NOOP("Consult", "This QR code is not from one of our receipts"),
        QT_TRANSLATE_NOOP("Consult", "Hold up the QR code printed on your receipt."),
    ),
    ("policies", "busy"): (QT_TRANSLATE_NOOP("Consult", "Finding policies…"), ""),
    ("policies", "unavailable"): (
        QT_TRANSLATE_NOOP("Consult", "Policy information is not available right now"),
        QT_TRANSLATE_NOOP("Consult", "Please ask the station staff."),
    ),
    ("policies", "failed"): (
        QT_TRANSLATE_NOOP("Consult", "Matching did not work this time"),
        QT_TRANSLATE_NOOP("Consult", "Please try again, or ask the station staff."),
    ),
    ("qa", "busy"): (QT_TRANSLATE_NOOP("Consult", "Searching…"), ""),
    ("qa", "not_found"): (
        QT_TRANSLATE_NOOP("Consult", "No answer found"),
        QT_TRANSLATE_NOOP("Consult", "Try other words, or ask a service agent to help you."),
    ),
    ("qa", "unavailable"): (
        QT_TRANSLATE_NOOP("Consult", "Questions and answers are not available right now"),
        QT_TRANSLATE_NOOP("Consult", "Ask a service agent to help you."),
    ),
    ("qa", "failed"): (
        QT_TRANSLATE_NOOP("Consult", "The search did not work this time"),
        QT_TRANSLATE_NOOP("Consult", "Please try again, or ask a service agent to help you."),
    ),
}
# Sentences with places for values; marked here for lupdate, translated when shown.
_WORDS: dict[str, str] = {
    "uscc": QT_TRANSLATE_NOOP("Consult", "%1 · registered by: %3 %2"),
    "opens": QT_TRANSLATE_NOOP("Consult", "Applications open on %1"),
    "closes_today": QT_TRANSLATE_NOOP("Consult", "Apply by %1 (closes today)"),
    "one_day": QT_TRANSLATE_NOOP("Consult", "Apply by %1 (1 day left)"),
    "days": QT_TRANSLATE_NOOP("Consult", "Apply by %1 (%2 days left)"),
}
_PROFILE_ERROR_FIELDS = (
    "uscc",
    "industry",
    "industry_code",
    "size",
    "capital",
    "founded_year",
    "district",
    "certifications",
)


def _tr(text: str, *args: str) -> str:
    """Translate a marked sentence and fill in %1, %2 ... (the highest first: %1 is in %10)."""
    out = QCoreApplication.translate(_CTX, text)
    for i, arg in reversed(list(enumerate(args, start=1))):
        out = out.replace(f"%{i}", arg)
    return out


class ConsultBridge(QObject):
    changed = Signal()

    def __init__(self, settings: SettingsBridge, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._flow: SessionFlow | None = None
        self._settings = settings
        self._help_requested = False
        self._unsubscribe: Callable[[], None] = lambda: None
        settings.changed.connect(self.changed)

    def attach(self, flow: SessionFlow) -> None:
        self._flow = flow
        self._unsubscribe = flow.subscribe(self._on_flow_changed)
        self._on_flow_changed()

    def _on_flow_changed(self) -> None:
        data = self._data()
        if data is None or data.status not in ("not_found", "unavailable"):
            self._help_requested = False  # the offer goes with the "no answer" it belonged to
        self.changed.emit()

    # -- helpers -------------------------------------------------------------------------------
    def _data(self) -> Consultation | None:
        flow = self._flow
        if flow is None or flow.state != "consulting":
            return None
        return flow.context.consult

    def _language(self) -> str:
        return self._settings.current_language

    def _pick(self, zh: str, en: str) -> str:
        return en if self._language() == "en_US" and en else zh

    def _progress(self) -> ProgressView | None:
        data = self._data()
        return data.progress.get(self._language()) if data is not None else None

    def _matches(self) -> tuple[Match, ...]:
        data = self._data()
        return data.matches.get(self._language(), ()) if data is not None else ()

    # -- common --------------------------------------------------------------------------------
    def _get_kind(self) -> str:
        data = self._data()
        return data.kind if data else ""

    def _get_status(self) -> str:
        data = self._data()
        return data.status if data else ""

    def _get_busy(self) -> bool:
        return self._get_status() == "busy"

    def _get_query(self) -> str:
        data = self._data()
        return data.query if data else ""

    def _status_text(self, index: int) -> str:
        data = self._data()
        if data is None:
            return ""
        texts = _STATUS_TEXTS.get((data.kind, data.status))
        return _tr(texts[index]) if texts and texts[index] else ""

    def _get_status_title(self) -> str:
        return self._status_text(0)

    def _get_status_detail(self) -> str:
        return self._status_text(1)

    # -- progress ------------------------------------------------------------------------------
    def _get_scanning(self) -> bool:
        data = self._data()
        return bool(data and data.scanning)

    def _get_progress_found(self) -> bool:
        return self._progress() is not None

    def _get_progress_tracking_number(self) -> str:
        view = self._progress()
        return view.tracking_number if view else ""

    def _get_progress_service(self) -> str:
        view = self._progress()
        return view.service_name if view else ""

    def _get_progress_headline(self) -> str:
        view = self._progress()
        return view.headline if view else ""

    def _get_progress_notice(self) -> str:
        view = self._progress()
        return view.notice if view else ""

    def _get_progress_source(self) -> str:
        view = self._progress()
        return view.source if view else ""

    def _get_progress_parts(self) -> list[dict[str, Any]]:
        view = self._progress()
        if view is None:
            return []
        return [
            {
                "id": p.id,
                "name": p.name,
                "department": p.department,
                "status": p.status,
                "words": p.words,
                "updatedAt": p.updated_at,
                "note": p.note,
                "steps": [
                    {
                        "id": s.id,
                        "name": s.name,
                        "party": s.party,
                        "status": s.status,
                        "words": s.words,
                        "updatedAt": s.updated_at,
                    }
                    for s in p.steps
                ],
            }
            for p in view.parts
        ]

    # -- policies ------------------------------------------------------------------------------
    def _get_profile(self) -> dict[str, Any]:
        data = self._data()
        if data is None:
            return {}
        return {**data.profile, "certifications": sorted(data.certifications)}

    def _get_profile_errors(self) -> dict[str, str]:
        data = self._data()
        if data is None:
            return {}
        return {
            name: field_error_text(data.errors[name])
            for name in _PROFILE_ERROR_FIELDS
            if name in data.errors
        }

    def _get_profile_error_count(self) -> int:
        data = self._data()
        return len(data.errors) if data else 0

    def _get_sections(self) -> list[dict[str, str]]:
        from kiosk.policies import SECTIONS  # loaded with the session, after the first frame

        return [{"id": k, "name": self._pick(v[2], v[3])} for k, v in SECTIONS.items()]

    def _get_sizes(self) -> list[dict[str, str]]:
        from kiosk.policies import SIZE_LABELS, SIZES

        return [{"id": s, "name": self._pick(*SIZE_LABELS[s])} for s in SIZES]

    def _vocabulary(self, which: str) -> list[dict[str, Any]]:
        flow = self._flow
        policy_set = flow.consult.policy_set if flow is not None else None
        if policy_set is None:
            return []  # loading (a fraction of a second after the screen opens)
        table = getattr(policy_set.vocabulary, which)
        return [{"id": k, "name": self._pick(zh, en)} for k, (zh, en) in table.items()]

    def _get_districts(self) -> list[dict[str, Any]]:
        return self._vocabulary("districts")

    def _get_certifications(self) -> list[dict[str, Any]]:
        data = self._data()
        chosen = data.certifications if data else set()
        return [{**row, "on": row["id"] in chosen} for row in self._vocabulary("certifications")]

    def _get_uscc_summary(self) -> str:
        from kiosk.uscc import uscc_info

        data = self._data()
        info = uscc_info(data.profile.get("uscc", "").strip().upper()) if data else None
        if info is None:
            return ""
        return _tr(
            _WORDS["uscc"],
            self._pick(info.org_type_zh, info.org_type_en),
            self._pick(info.authority_zh, info.authority_en),
            self._pick(info.region_zh, info.region_en),
        )

    def _get_uscc_outside(self) -> bool:
        from kiosk.uscc import uscc_info

        data = self._data()
        info = uscc_info(data.profile.get("uscc", "").strip().upper()) if data else None
        return info is not None and not info.in_high_tech_district

    def _get_matched(self) -> bool:
        data = self._data()
        return bool(data and data.kind == "policies" and data.matches)

    def _policy_row(self, m: Match) -> dict[str, Any]:
        p = m.policy
        if m.upcoming:
            deadline = _tr(_WORDS["opens"], p.opens.isoformat())
        elif m.days_left == 0:
            deadline = _tr(_WORDS["closes_today"], p.closes.isoformat())
        elif m.days_left == 1:
            deadline = _tr(_WORDS["one_day"], p.closes.isoformat())
        else:
            deadline = _tr(_WORDS["days"], p.closes.isoformat(), str(m.days_left))
        return {
            "id": p.id,
            "title": self._pick(p.title_zh, p.title_en),
            "issuer": self._pick(p.issuer_zh, p.issuer_en),
            "benefit": self._pick(p.benefit_zh, p.benefit_en),
            "why": list(m.why),
            "missing": list(m.missing),
            "deadline": deadline,
            "soon": not m.upcoming and m.days_left <= 14,
        }

    def _get_eligible(self) -> list[dict[str, Any]]:
        return [self._policy_row(m) for m in self._matches() if m.eligible]

    def _get_near_misses(self) -> list[dict[str, Any]]:
        return [self._policy_row(m) for m in self._matches() if not m.eligible]

    # -- Q&A -----------------------------------------------------------------------------------
    def _get_hits(self) -> list[dict[str, str]]:
        data = self._data()
        if data is None:
            return []
        return [
            {"id": h.id, "topic": h.topic, "question": h.question, "answer": h.answer}
            for h in data.hits
        ]

    def _get_help_requested(self) -> bool:
        return self._help_requested

    def _get_from_register(self) -> bool:
        data = self._data()
        return data is not None and data.from_register

    kind = Property(str, _get_kind, notify=changed)
    status = Property(str, _get_status, notify=changed)
    busy = Property(bool, _get_busy, notify=changed)
    query = Property(str, _get_query, notify=changed)
    statusTitle = Property(str, _get_status_title, notify=changed)
    statusDetail = Property(str, _get_status_detail, notify=changed)
    scanning = Property(bool, _get_scanning, notify=changed)
    progressFound = Property(bool, _get_progress_found, notify=changed)
    progressTrackingNumber = Property(str, _get_progress_tracking_number, notify=changed)
    progressService = Property(str, _get_progress_service, notify=changed)
    progressHeadline = Property(str, _get_progress_headline, notify=changed)
    progressNotice = Property(str, _get_progress_notice, notify=changed)
    progressSource = Property(str, _get_progress_source, notify=changed)
    progressParts = Property(list, _get_progress_parts, notify=changed)
    profile = Property(dict, _get_profile, notify=changed)
    profileErrors = Property(dict, _get_profile_errors, notify=changed)
    profileErrorCount = Property(int, _get_profile_error_count, notify=changed)
    sections = Property(list, _get_sections, notify=changed)
    sizes = Property(list, _get_sizes, notify=changed)
    districts = Property(list, _get_districts, notify=changed)
    certifications = Property(list, _get_certifications, notify=changed)
    usccSummary = Property(str, _get_uscc_summary, notify=changed)
    usccOutside = Property(bool, _get_uscc_outside, notify=changed)
    matched = Property(bool, _get_matched, notify=changed)
    eligible = Property(list, _get_eligible, notify=changed)
    nearMisses = Property(list, _get_near_misses, notify=changed)
    hits = Property(list, _get_hits, notify=changed)
    helpRequested = Property(bool, _get_help_requested, notify=changed)
    # The policy form started from the enterprise register's record (办理企业).
    fromRegister = Property(bool, _get_from_register, notify=changed)

    # -- intents -------------------------------------------------------------------------------
    def _send(self, intent: Callable[[SessionFlow], object]) -> None:
        flow = self._flow
        if flow is None:
            return  # no consultation before the session attaches (the attract screen has none)
        flow.touch()
        try:
            intent(flow)
        except Exception:
            # A stray intent (double tap during a transition) must not crash the kiosk.
            log.exception("consult intent rejected in state %s", flow.state)

    @Slot(str)
    def open(self, kind: str) -> None:
        self._send(lambda flow: flow.open_consult(kind))

    @Slot()
    def close(self) -> None:
        self._send(lambda flow: flow.close_consult())

    @Slot(str)
    def setQuery(self, text: str) -> None:
        data = self._data()
        if data is not None and data.query != text:
            self._send(lambda flow: flow.consult.set_query(text))

    @Slot()
    def lookUp(self) -> None:
        self._send(lambda flow: flow.consult.look_up_progress())

    @Slot()
    def startScan(self) -> None:
        self._send(lambda flow: flow.consult.start_scan())

    @Slot()
    def stopScan(self) -> None:
        self._send(lambda flow: flow.consult.stop_scan())

    @Slot()
    def newQuery(self) -> None:
        self._send(lambda flow: flow.consult.new_progress_query())

    @Slot(str, str)
    def setProfile(self, name: str, value: str) -> None:
        self._send(lambda flow: flow.consult.set_profile(name, value))

    @Slot(str)
    def toggleCertification(self, certification: str) -> None:
        self._send(lambda flow: flow.consult.toggle_certification(certification))

    @Slot()
    def matchPolicies(self) -> None:
        self._send(lambda flow: flow.consult.match_policies())

    @Slot()
    def editProfile(self) -> None:
        self._send(lambda flow: flow.consult.edit_profile())

    @Slot()
    def search(self) -> None:
        self._send(lambda flow: flow.consult.search_knowledge())

    @Slot()
    def requestHelp(self) -> None:
        # Remote help (远程帮办) arrives with the assist issue; until then the walk-in is told so.
        if self._flow is not None:
            self._flow.touch()
        self._help_requested = True
        log.info("remote help asked for (not wired yet)")
        self.changed.emit()

    def detach(self) -> None:
        self._unsubscribe()
