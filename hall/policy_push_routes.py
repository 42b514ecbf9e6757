"""Policy push's HTTP side (:mod:`hall.policy_push`): the console's 政策推送 page and the phone
page a pushed enterprise's text links to.

Staff (console session; supervisor or admin)::

    GET  /api/v1/policy-push                                  the matched policies, with counts
    GET  /api/v1/policy-push/{version}/{policy_id}?state=pending&limit=100&offset=0
                                                              the policy and its enterprises
                                                              (name, USCC), a page
    POST /api/v1/policy-push/{version}/{policy_id}/confirm   {"enterprise_ids": [...] | null}
                                                              confirm all pending (null) or these
    POST /api/v1/policy-push/match                           admin: match the latest published
                                                              policies now (no body), or the
                                                              policies document in the body

The match answers 422 with ``detail.reasons`` for a document that does not check, 404 when no
policies are published; each confirm and match is in the audit log (who, which policy and
version, how many). Public::

    GET  /pp/{reference}?t=<token>                            the policy and how to apply

A wrong or missing token and an unknown reference get the same 404 page.
"""

from __future__ import annotations

import json
from html import escape
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from contracts.policies import PolicyError
from hall.auth import AdminDep, SupervisorDep, audit
from hall.policy_push import PolicyPush
from hall.progress_page import _page

_Version = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._+-]+$")]
_PolicyId = Annotated[str, Path(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9._-]+$")]
_EnterpriseId = Annotated[StrictStr, Field(min_length=1, max_length=32)]
MAX_SELECTED: Final = 10_000


class ConfirmIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # None: every pending push of the policy version.
    enterprise_ids: Annotated[list[_EnterpriseId], Field(max_length=MAX_SELECTED)] | None = None


def _push(request: Request) -> PolicyPush:
    found: PolicyPush = request.app.state.policy_push
    return found


def router() -> APIRouter:
    api = APIRouter(tags=["policy push"])

    @api.get("/api/v1/policy-push")
    def policies(request: Request, who: SupervisorDep) -> dict[str, Any]:
        return {"items": _push(request).policies()}

    @api.get("/api/v1/policy-push/{version}/{policy_id}")
    def enterprises(
        version: _Version,
        policy_id: _PolicyId,
        request: Request,
        who: SupervisorDep,
        state: Literal["pending", "confirmed", "superseded", "withdrawn"] = "pending",
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    ) -> dict[str, Any]:
        push = _push(request)
        doc = push.policy(version, policy_id)
        if doc is None:
            raise HTTPException(404, detail="this policy version was not matched")
        page = push.enterprises(version, policy_id, state=state, limit=limit, offset=offset)
        return {"policy": _summary(doc), "version": version, **page}

    @api.post("/api/v1/policy-push/{version}/{policy_id}/confirm")
    def confirm(
        version: _Version, policy_id: _PolicyId, body: ConfirmIn, request: Request,
        who: SupervisorDep,
    ) -> dict[str, int]:  # fmt: skip
        push = _push(request)
        if push.policy(version, policy_id) is None:
            raise HTTPException(404, detail="this policy version was not matched")
        report = push.confirm(version, policy_id, who.name, body.enterprise_ids)
        audit(request, who, "policy_push.confirm", "policy", f"{policy_id}@{version}"[:120],
              f"{report.confirmed} confirmed, {report.texted} texted")  # fmt: skip
        return {"confirmed": report.confirmed, "texted": report.texted,
                "no_mobile": report.no_mobile}  # fmt: skip

    @api.post("/api/v1/policy-push/match")
    async def match(request: Request, who: AdminDep) -> dict[str, Any]:
        raw = await request.body()
        push = _push(request)
        if raw.strip():
            try:
                doc = json.loads(raw)
            except ValueError:
                raise HTTPException(422, detail="the body is not JSON") from None
            version = doc.get("version") if isinstance(doc, dict) else None
            if not isinstance(version, str) or not 1 <= len(version) <= 64:
                raise HTTPException(422, detail="the document needs a version (1-64 characters)")
            try:
                report = await run_in_threadpool(push.match_document, doc, version)
            except PolicyError as exc:
                raise HTTPException(422, detail={"reasons": list(exc.reasons[:50])}) from None
        else:
            # The published version, and the register's changes since each open policy's match.
            found = await run_in_threadpool(push.match_register_changes)
            if found is None:
                raise HTTPException(404, detail="no policies are published")
            report = found.published
            audit(request, who, "policy_push.match", "policies", report.version[:120],
                  f"{report.matched} new, {report.pushes + found.pushes} pending, "
                  f"{found.withdrawn} withdrawn")  # fmt: skip
            return {"version": report.version, "matched": report.matched,
                    "pushes": report.pushes, "superseded": report.superseded,
                    "register_enterprises": found.enterprises, "register_pushes": found.pushes,
                    "register_withdrawn": found.withdrawn,
                    "seconds": round(found.seconds, 3)}  # fmt: skip
        audit(request, who, "policy_push.match", "policies", report.version[:120],
              f"{report.matched} matched, {report.pushes} pending")  # fmt: skip
        return {"version": report.version, "matched": report.matched, "pushes": report.pushes,
                "superseded": report.superseded, "seconds": round(report.seconds, 3)}  # fmt: skip

    @api.get("/pp/{ref}", response_class=HTMLResponse)
    def phone_page(
        ref: Annotated[str, Path(max_length=20)],
        request: Request,
        t: Annotated[str | None, Query(max_length=64)] = None,
    ) -> HTMLResponse:
        doc = _push(request).opened(ref, t)
        if doc is None:
            return _page(
                "未找到 Not found",
                "<section class='card'><p>链接无效或已过期。</p>"
                "<p class='en'>This link is not valid.</p></section>",
                404,
            )
        page = _page("政策推送 Policy for you", _render(ref, doc))
        page.headers["Cache-Control"] = "no-store"
        return page

    return api


def _summary(doc: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "title_zh", "title_en", "issuer_zh", "benefit_zh", "opens", "closes", "link")
    return {k: doc.get(k, "") for k in keys}


def _render(ref: str, doc: dict[str, Any]) -> str:
    def text(key: str) -> str:
        value = doc.get(key)
        return escape(value) if isinstance(value, str) else ""

    link = text("link")
    return "".join(
        [
            "<section class='card'>",
            f"<div class='number'>{escape(ref)}</div>",
            f"<h2>{text('title_zh')}</h2><div class='en'>{text('title_en')}</div>",
            f"<p>{text('issuer_zh')}<br><span class='en'>{text('issuer_en')}</span></p>",
            f"<p>{text('benefit_zh')}<br><span class='en'>{text('benefit_en')}</span></p>",
            f"<p>申报时间 Applications: {text('opens')} – {text('closes')}</p>",
            "</section><section class='card'><h2>如何申报 How to apply</h2>",
            "<p>经比对企业档案，贵企业符合本政策的申报条件。请法定代表人或经办人携身份证到任一"
            "企航自助终端刷卡，在“办理企业”中查看并申报，或到政务服务大厅窗口办理。</p>",
            "<p class='en'>The enterprise register shows your company qualifies. The legal "
            "representative or an authorised agent can apply at any Qihang kiosk (read the ID "
            "card, open the company) or at a counter of the service hall.</p>",
            f"<p><a href='{link}' rel='noopener'>政策原文 Policy text</a></p>" if link else "",
            "</section>",
        ]
    )
