"""SessionContext: the ONLY in-memory home of a walk-in's personal data.

Everything personal (identity, form answers, receipt details) is held here and nowhere else, so
that one ``wipe()`` at the end of every session path forgets it. Bridges read from it; they keep no
copies of their own.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from typing import TYPE_CHECKING, Any

from drivers.card_reader.base import Identity
from kiosk.session.delivery import DeliveryDraft
from kiosk.session.enterprise import EnterpriseDraft

if TYPE_CHECKING:  # types only: the attract screen imports this module before the services load
    from contracts.progress import ProgressView
    from kiosk.demands import Suggestion
    from kiosk.knowledge import Hit
    from kiosk.policies import Match


@dataclass
class Consultation:
    """A walk-in's consultation (state ``consulting``): what they asked and what came back.

    Personal: a tracking number names a filing, an enterprise profile and a search text describe
    a person's business. Results are kept per UI language (``zh_CN``/``en_US``) because the core
    words them, and the walk-in may switch language after asking.
    """

    kind: str = ""  # "progress", "policies" or "qa"
    # "", "busy", "done", or what went wrong: "invalid", "not_found", "failed", "unavailable",
    # "qr_foreign" (a QR code that is not one of our receipts)
    status: str = ""
    query: str = ""  # the tracking number or the search text, as asked
    scanning: bool = False  # the camera is looking for the receipt's QR code
    progress: dict[str, ProgressView] = field(default_factory=dict)
    profile: dict[str, str] = field(default_factory=dict)  # policy form answers, as typed
    certifications: set[str] = field(default_factory=set)
    errors: dict[str, str] = field(default_factory=dict)  # profile field -> error key
    from_register: bool = False  # the profile started from the enterprise register's record
    matches: dict[str, tuple[Match, ...]] = field(default_factory=dict)
    hits: tuple[Hit, ...] = ()

    def wipe(self) -> None:
        for container in (
            self.progress,
            self.profile,
            self.certifications,
            self.errors,
            self.matches,
        ):
            container.clear()
        for f in fields(self):
            setattr(self, f.name, _empty(f))


@dataclass
class Supplement:
    """A 补正 hand-in in progress (state ``supplementing``, :mod:`kiosk.session.supplement`).

    Personal: the tracking number and token name a filing, the photographs are documents.
    """

    # "", "busy", "list", "submitting", "queued", or what went wrong: "invalid", "not_found",
    # "not_waiting", "unavailable", "qr_foreign", "card_required", "incomplete", "failed"
    status: str = ""
    scanning: bool = False  # the camera is looking for the receipt's QR code
    query: str = ""  # the original filing's tracking number
    token: str = ""  # the receipt's access token, when its QR was scanned: never logged
    waiting: list[dict[str, Any]] = field(default_factory=list)  # LookupAnswer.waiting, as JSON
    part_id: str = ""  # the part handed in for
    photo_slot: str = ""  # the material being photographed, "" when none
    photos: dict[str, bytearray] = field(default_factory=dict)  # JPEG by material id
    tracking_number: str = ""  # the hand-in's own, once queued

    def wipe(self) -> None:
        for image in self.photos.values():
            image[:] = bytes(len(image))
        self.photos.clear()
        self.waiting.clear()
        for f in fields(self):
            setattr(self, f.name, _empty(f))


@dataclass(frozen=True, slots=True)
class AssistRef:
    """The live help call in which a helper filled fields: the helper's name as the walk-in saw
    it and the hall's assist session id (the filing records both; the hall audits the call)."""

    helper: str
    session_id: str


@dataclass
class SessionContext:
    identity: Identity | None = None
    language: str = ""
    service_id: str = ""
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    helper_filled: set[str] = field(default_factory=set)
    assisted_by: AssistRef | None = None  # the last call whose helper filled a field
    # Captured document photos (JPEG) by material id: personal data, zeroed on wipe.
    attachments: dict[str, bytearray] = field(default_factory=dict)
    capture_slot: str = ""
    submission_id: str = ""
    tracking_number: str = ""
    # The filing's access token (in the payload and the receipt QR): a capability, never logged.
    access_token: str = ""
    progress_url: str = ""
    print_status: str = ""  # "", "printing", "printed", or a FailureReason code
    failure: str = ""  # FailureReason code shown on the error screen
    consult: Consultation = field(default_factory=Consultation)
    supplement: Supplement = field(default_factory=Supplement)
    # Pick-up or EMS, and the EMS address (kiosk/session/delivery.py): personal, wiped below.
    delivery: DeliveryDraft = field(default_factory=DeliveryDraft)
    # The enterprise acted for, from the hall's register (kiosk/session/enterprise.py): its
    # answer, the form's materials on file and its e-archive; personal, wiped below.
    enterprise: EnterpriseDraft = field(default_factory=EnterpriseDraft)
    # Categories suggested from an enterprise demand's description; shown, never applied unasked.
    demand_suggestions: tuple[Suggestion, ...] = ()

    def wipe(self) -> None:
        """Forget everything. Containers are cleared in place so no alias keeps old data alive."""
        for image in self.attachments.values():
            image[:] = bytes(len(image))  # overwrite the pixels, not just the reference
        self.attachments.clear()
        self.values.clear()
        self.errors.clear()
        self.helper_filled.clear()
        self.consult.wipe()
        self.supplement.wipe()
        self.delivery.wipe()
        self.enterprise.wipe()
        for f in fields(self):
            setattr(self, f.name, _empty(f))

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) == _empty(f) for f in fields(self))

    def __repr__(self) -> str:  # never leak personal data into logs or tracebacks
        return f"SessionContext(service_id={self.service_id!r}, <redacted>)"


def _empty(f: Any) -> Any:
    return f.default_factory() if f.default_factory is not MISSING else f.default
