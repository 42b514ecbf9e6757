"""办理企业: the walk-in acts for an enterprise from the hall's register (issue 17).

Right after ``card_read`` (the service list is up) the kiosk asks the hall, in the background,
which enterprises the card holder may act for (:class:`kiosk.register.Register`). Some: the
session enters ``choosing_enterprise`` in front of the service list (``enterprise_opened``), with
the enterprises (name, masked legal representative, role), a camera for the enterprise's 一企一码
or e-licence QR, a USCC typed (checked locally, GB 32100, before the hall is asked) and "以个人身份
办理". None: the service list, where "办理企业" opens the same screen. The hall cannot be asked:
the service list says so and the walk-in types and photographs as before. The 好差评 offer comes
after this choice (``then``), never racing it.

A chosen enterprise fills every form from the register (:func:`contracts.register.prefill_form`;
those fields are marked and stay editable), and each required material it holds, not expired, is
"已有，免提交" instead of a camera step; the filing carries ``enterprise`` and
``materials_on_file``. When the form is complete the register is asked again (a fresh look-up)
before the review: a material gone or expired meanwhile is asked for with the camera then, while
the walk-in is still there. A reference the hall refuses later at intake (422, after the walk-in
left) is quarantined in the outbox like any refused filing: the technician sees it.

``browsing_archive`` shows the chosen enterprise's e-archive, newest first; a document on file
can be printed on the A4 printer (the UI prints the bytes). All of it lives in
:class:`EnterpriseDraft` in the session context, wiped with the session; nothing is cached.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the attract screen imports the context before pydantic loads
    from contracts.catalog import ServiceItem
    from contracts.register import EnterpriseAnswer, MaterialOnFile
    from kiosk.register import ArchiveEntry, Register
    from kiosk.session.context import SessionContext

log = logging.getLogger(__name__)

Run = Callable[[Callable[[], Any], Callable[[Any], None], Callable[[Exception], None]], None]


@dataclass
class EnterpriseDraft:
    """The register's answers in this session: personal (who acts for which business)."""

    # "", "listing" (the holder's enterprises asked for), "busy" (a code or USCC looked up),
    # "unavailable" (the hall cannot be asked), "refused", "rate_limited"
    status: str = ""
    items: list[EnterpriseAnswer] = field(default_factory=list)
    chosen: EnterpriseAnswer | None = None
    refusal: str = ""  # the reason's code (kiosk.register.RegisterRefused)
    refusal_words: tuple[str, str] = ("", "")  # the hall's words, for a code the kiosk lacks
    retry_after_s: float | None = None
    scanning: bool = False  # the camera looks for the enterprise's QR
    typed: str = ""  # the USCC as typed
    asked: bool = False  # the card holder's enterprises were asked for (once per session)
    settled: bool = False  # the choice is made (or none to make): what follows was started
    # The open form: fields filled from the register, materials spared from the camera
    # (catalog material id -> MaterialOnFile.id), materials on file that have expired.
    prefilled: set[str] = field(default_factory=set)
    on_file: dict[str, str] = field(default_factory=dict)
    expired: set[str] = field(default_factory=set)
    checking: bool = False  # the fresh look-up before the review
    archive: list[ArchiveEntry] = field(default_factory=list)
    archive_status: str = ""  # "", "busy", "done", "unavailable", "refused"
    print_status: str = ""  # "", "printing", "printed", "failed", "no_file"

    def wipe(self) -> None:
        self.items.clear()
        self.prefilled.clear()
        self.on_file.clear()
        self.expired.clear()
        self.archive.clear()
        for f in fields(self):
            setattr(self, f.name, f.default_factory() if callable(f.default_factory) else f.default)


def usable(material: MaterialOnFile) -> bool:
    return not material.expired


class EnterpriseFlow:
    """The enterprise intents; results arrive through the session's guarded background runner."""

    def __init__(
        self,
        *,
        context: SessionContext,
        register: Register | None,
        send: Callable[[str], Any],
        state: Callable[[], str],
        run: Run,
        changed: Callable[[], None],
        then: Callable[[], None],
    ) -> None:
        self._ctx, self._register = context, register
        self._send, self._state, self._run, self._changed = send, state, run, changed
        self._after = then  # after the choice (or none to make): the 好差评 offer

    @property
    def data(self) -> EnterpriseDraft:
        return self._ctx.enterprise

    @property
    def available(self) -> bool:
        return self._register is not None and self._register.available

    def _then(self) -> None:
        if not self.data.settled:  # once per session, however the choice was left
            self.data.settled = True
            self._after()

    def _holder(self) -> str:
        identity = self._ctx.identity
        return "" if identity is None else identity.id_number

    # -- after the card ------------------------------------------------------------------------
    def after_card(self) -> None:
        """The card was read (service list up): ask for the holder's enterprises."""
        register, holder = self._register, self._holder()
        if register is None or not self.available or not holder:
            self._then()
            return
        self.data.status, self.data.asked = "listing", True
        self._run(lambda: register.mine(holder), self._on_mine, self._on_mine_error)

    def _on_mine(self, items: list[EnterpriseAnswer]) -> None:
        data = self.data
        data.items, data.status = list(items), ""
        log.info("the card holder may act for %d enterprise(s)", len(items))
        if items and self._state() == "choosing_service":
            self._send("enterprise_opened")
        else:
            self._changed()
            self._then()

    def _on_mine_error(self, exc: Exception) -> None:
        self._fail(exc)
        self._then()

    def _fail(self, exc: Exception) -> None:
        from kiosk.errors import HallRateLimited
        from kiosk.register import RegisterRefused

        data = self.data
        if isinstance(exc, RegisterRefused):
            data.status, data.refusal = "refused", exc.code
            data.refusal_words = (exc.zh, exc.en)
        elif isinstance(exc, HallRateLimited):
            data.status, data.retry_after_s = "rate_limited", exc.retry_after_s
        else:
            # ConnectionError, TimeoutError, an answer that does not parse: type and photograph.
            log.info("register not reachable (%s): filing by hand", type(exc).__name__)
            data.status = "unavailable"
        self._changed()

    # -- the choice ----------------------------------------------------------------------------
    def open(self) -> None:
        """From the service list: "办理企业"."""
        stale = self.data.status == "listing"  # its answer is dropped by the move to this screen
        self._clear_problem()
        self._send("enterprise_opened")
        if not self.data.asked or stale:
            self.data.asked = True
            self._ask_mine_again()

    def _ask_mine_again(self) -> None:
        register, holder = self._register, self._holder()
        if register is None or not holder:
            return
        self.data.status = "listing"
        self._changed()

        def done(items: list[EnterpriseAnswer]) -> None:
            self.data.items = list(items)
            if self.data.status == "listing":  # not a code or USCC asked meanwhile
                self.data.status = ""
            self._changed()

        self._run(lambda: register.mine(holder), done, self._fail)

    def choose(self, enterprise_id: str) -> None:
        found = next((e for e in self.data.items if e.id == enterprise_id), None)
        if found is None:
            raise KeyError(enterprise_id)
        self._chosen(found)

    def _chosen(self, answer: EnterpriseAnswer) -> None:
        data = self.data
        if all(e.id != answer.id for e in data.items):
            data.items.append(answer)
        data.chosen = answer
        self._clear_problem()
        log.info("acting for an enterprise from the register (%s)", answer.role)
        self.close()

    def as_individual(self) -> None:
        """以个人身份办理: no enterprise; forms are typed and photographed as before."""
        self.data.chosen = None
        self.close()

    def close(self) -> None:
        self.data.scanning = False
        if self._state() == "choosing_enterprise":
            self._send("enterprise_closed")
        self._then()

    def submit_uscc(self, text: str) -> None:
        from kiosk.register import uscc_problem

        register, holder = self._register, self._holder()
        self.data.typed = text.strip().upper()[:18]
        problem = uscc_problem(text)
        if problem:
            self.data.status, self.data.refusal = "refused", problem
            self.data.refusal_words = ("", "")
            self._changed()
            return
        if register is None or not self.available:
            self._fail(ConnectionError("no hall"))
            return
        uscc = self.data.typed
        self._busy()
        self._run(lambda: register.by_uscc(holder, uscc), self._chosen, self._fail)

    def start_scan(self) -> None:
        self._clear_problem()
        self.data.scanning = True
        self._changed()

    def stop_scan(self) -> None:
        self.data.scanning = False
        self._changed()

    def qr_scanned(self, payload: str) -> None:
        """A code the camera decoded: a 一企一码 (by code) or an e-licence's USCC (by USCC)."""
        from kiosk.register import read_qr

        data, register, holder = self.data, self._register, self._holder()
        if not data.scanning:
            return
        data.scanning = False
        found = read_qr(payload)
        if found is None:
            data.status, data.refusal, data.refusal_words = "refused", "qr_foreign", ("", "")
            self._changed()
            return
        if register is None or not self.available:
            self._fail(ConnectionError("no hall"))
            return
        how, value = found
        self._busy()
        if how == "code":
            self._run(lambda: register.by_code(holder, value), self._chosen, self._fail)
        else:
            self._run(lambda: register.by_uscc(holder, value), self._chosen, self._fail)

    def _busy(self) -> None:
        self._clear_problem()
        self.data.status = "busy"
        self._changed()

    def _clear_problem(self) -> None:
        data = self.data
        data.status = "" if data.status != "unavailable" else data.status
        data.refusal, data.refusal_words, data.retry_after_s = "", ("", ""), None

    # -- the form ------------------------------------------------------------------------------
    def form_opened(self, item: ServiceItem, values: dict[str, str]) -> None:
        """A service was chosen: fill its form from the register, spare what is on file."""
        from contracts.register import prefill_form

        data = self.data
        data.prefilled.clear()
        data.on_file.clear()
        data.expired.clear()
        chosen = data.chosen
        if chosen is None:
            return
        filled = prefill_form(chosen, [f.name for f in item.form.fields])
        values.update(filled)
        data.prefilled.update(filled)
        self._match_materials(item, chosen)

    def _match_materials(self, item: ServiceItem, chosen: EnterpriseAnswer) -> None:
        data = self.data
        data.on_file.clear()
        data.expired.clear()
        wanted = {m.id for m in item.captured_materials}
        for material in sorted(chosen.materials, key=lambda m: m.issued_on or "", reverse=True):
            if material.kind not in wanted or material.kind in data.on_file:
                continue
            if usable(material):
                data.on_file[material.kind] = material.id
                data.expired.discard(material.kind)
            else:
                data.expired.add(material.kind)

    def material_on_file(self, material_id: str) -> MaterialOnFile | None:
        chosen, ref = self.data.chosen, self.data.on_file.get(material_id)
        if chosen is None or ref is None:
            return None
        return next((m for m in chosen.materials if m.id == ref), None)

    def field_edited(self, name: str) -> None:
        self.data.prefilled.discard(name)  # the walk-in's own words now

    def recheck(self, item: ServiceItem, proceed: Callable[[], None]) -> bool:
        """Before the review: ask the register again whether what the form spares is still on
        file. Returns False when nothing needs asking (no enterprise, nothing spared)."""
        data, register, holder = self.data, self._register, self._holder()
        chosen = data.chosen
        if chosen is None or not data.on_file or register is None or not holder:
            return False
        data.checking = True
        self._changed()
        enterprise_id = chosen.id
        spared = dict(data.on_file)

        def fresh() -> EnterpriseAnswer | None:
            return next((e for e in register.mine(holder) if e.id == enterprise_id), None)

        def done(answer: EnterpriseAnswer | None) -> None:
            data.checking = False
            if answer is None:  # no longer authorised: file as an individual from here
                data.chosen = None
                data.on_file.clear()
                self._changed()
                return
            data.chosen = answer
            self._match_materials(item, answer)
            if any(data.on_file.get(kind) != ref for kind, ref in spared.items()):
                log.info("materials on file changed since the form opened: asked again")
                self._changed()
                return
            proceed()

        def failed(exc: Exception) -> None:
            # The answer of a few minutes ago stands; the hall checks again at intake.
            log.info("register re-check not possible (%s): the references stand",
                     type(exc).__name__)  # fmt: skip
            data.checking = False
            proceed()

        self._run(fresh, done, failed)
        return True

    def payload(self) -> dict[str, Any]:
        """The filing's reference to the register (empty when filing as an individual)."""
        from contracts.register import filing_reference

        chosen = self.data.chosen
        return {} if chosen is None else filing_reference(chosen, self.data.on_file)

    # -- the e-archive -------------------------------------------------------------------------
    def open_archive(self) -> None:
        register, holder, chosen = self._register, self._holder(), self.data.chosen
        if chosen is None or register is None:
            raise RuntimeError("no enterprise chosen")
        self._send("archive_opened")
        data = self.data
        data.archive.clear()
        data.archive_status, data.print_status = "busy", ""
        self._changed()
        enterprise_id = chosen.id

        def done(answer: tuple[EnterpriseAnswer, list[ArchiveEntry]]) -> None:
            data.chosen, entries = answer
            data.archive[:] = entries
            data.archive_status = "done"
            self._changed()

        def failed(exc: Exception) -> None:
            from kiosk.register import RegisterRefused

            data.archive_status = "refused" if isinstance(exc, RegisterRefused) else "unavailable"
            log.info("e-archive not read (%s)", type(exc).__name__)
            self._changed()

        self._run(lambda: register.archive(holder, enterprise_id), done, failed)

    def close_archive(self) -> None:
        self.data.archive.clear()
        self.data.archive_status = self.data.print_status = ""
        self._send("archive_closed")

    def fetch_document(self, material_id: str, printer: Callable[[str, bytes], None]) -> None:
        """Fetch a document on file and hand it to ``printer(media type, bytes)`` (blocking, in
        the background: the A4 printer's queue)."""
        register, holder, chosen = self._register, self._holder(), self.data.chosen
        if chosen is None or register is None or self.data.print_status == "printing":
            return
        entry = next((e for e in self.data.archive if e.material_id == material_id), None)
        if entry is None or not entry.printable:
            raise KeyError(material_id)
        self.data.print_status = "printing"
        self._changed()
        enterprise_id = chosen.id

        def job() -> None:
            media, body = register.document(holder, enterprise_id, material_id)
            try:
                printer(media, body)
            finally:
                del body

        def done(_: object) -> None:
            self.data.print_status = "printed"
            self._changed()

        def failed(exc: Exception) -> None:
            from kiosk.register import RegisterRefused

            no_file = isinstance(exc, RegisterRefused) and exc.code == "no_file"
            self.data.print_status = "no_file" if no_file else "failed"
            log.warning("document on file not printed (%s)", type(exc).__name__)
            self._changed()

        self._run(job, done, failed)
