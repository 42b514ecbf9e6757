"""The public progress page at ``/progress/{tracking_number}``: where the receipt's QR code points.

A phone opens it after scanning, so it is one small server-rendered HTML page: no script, inline
CSS only, Chinese first with the English underneath, readable at a phone's width. It shows what
``GET /api/v1/progress/...`` shows — statuses and times, named from the published catalog through
:func:`contracts.progress.describe` (the same words the kiosk screen uses) — and no personal
data. Each part lists its history at the hall (the applicant-facing events: when it moved,
to what, the department's public note, the materials a 补正 asks for) and never who moved it.

``/p/{tracking_number}?t=<token>`` is where the receipt QR and the hall's texts point: with the
filing's access token it adds the applicant's story (:mod:`hall.applicant_view`): what is missing
now and why, what was handed in, how the result reaches them (pick-up station or EMS waybill),
a demand's reply. Without the token, or with a wrong or expired one, it is the status page above
with a hint where the full view is — never a word about why.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from contracts.progress import ProgressView, describe, parse_status
from hall.applicant_view import ApplicantView
from hall.catalog_publish import CatalogStore
from hall.tracking import TrackingStore

# The district's time (China has one zone and no daylight saving), whatever zone the hall's
# server runs in: the walk-in compares it with the receipt and the phone's clock.
DISTRICT_TIME = dt.timezone(dt.timedelta(hours=8), "CST")


def _local(iso: object) -> str:
    if not isinstance(iso, str):
        return ""
    try:
        t = dt.datetime.fromisoformat(iso)
    except ValueError:
        return ""
    return t.astimezone(DISTRICT_TIME).strftime("%Y-%m-%d %H:%M") if t.tzinfo else ""


_STYLE = """
:root{color-scheme:light;--ink:#1d2733;--muted:#5b6776;--line:#d9e0e8;--accent:#0b5cad;
--ok:#1e7b3c;--warn:#a35a00;--bad:#b3261e}
*{box-sizing:border-box}
body{margin:0;font:17px/1.6 "Noto Sans CJK SC","WenQuanYi Micro Hei","PingFang SC",
"Microsoft YaHei",sans-serif;color:var(--ink);background:#f4f6f9}
header{background:var(--accent);color:#fff;padding:16px 20px}
header h1{margin:0;font-size:20px}
header p{margin:2px 0 0;font-size:14px;opacity:.85}
main{max-width:640px;margin:0 auto;padding:16px}
.card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:16px;margin:0 0 14px}
.number{font:600 18px/1.3 ui-monospace,monospace;letter-spacing:.5px;word-break:break-all}
.en{color:var(--muted);font-size:14px}
.headline{font-size:22px;font-weight:700;margin:8px 0 0}
h2{font-size:18px;margin:0}
.status{display:inline-block;margin-top:6px;padding:2px 10px;border-radius:999px;
background:#e8eef6;font-weight:600}
.status.completed,.status.done,.status.closed,.status.approved,.status.result_ready{
background:#e3f3e8;color:var(--ok)}
.status.needs_more{background:#fff1dc;color:var(--warn)}
.status.rejected,.status.refused,.status.not_accepted{background:#fde7e5;color:var(--bad)}
.history{border-top:1px solid var(--line);margin-top:10px;padding-top:6px}
ol{margin:10px 0 0;padding-left:22px}
li{margin:6px 0}
.time{color:var(--muted);font-size:14px}
footer{color:var(--muted);font-size:13px;text-align:center;padding:8px 16px 24px}
.story{border-top:1px solid var(--line);margin-top:10px;padding-top:8px}
.story h3{font-size:16px;margin:0 0 4px}
.missing{background:#fff8ec;border-radius:8px;padding:8px 10px;margin:6px 0}
.hint{background:#eef4fb;border-color:#c9dbef}
.reply{white-space:pre-wrap}
"""


def _page(title: str, body: str, status_code: int = 200) -> HTMLResponse:
    html = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        "<header><h1>企航站点 · 办理进度</h1><p>Qihang station · Progress</p></header>"
        f"<main>{body}</main>"
        "<footer>苏州高新区企业服务中心 · Suzhou High-tech District Enterprise Service Centre"
        "</footer></body></html>"
    )
    # Private: a shared cache must not hand one receipt's page to the next phone.
    return HTMLResponse(html, status_code, headers={"Cache-Control": "private, no-cache"})


def _render(zh: ProgressView, en: ProgressView, doc: dict[str, Any]) -> str:
    out = [
        '<section class="card">',
        f'<div class="number">{escape(zh.tracking_number)}</div>',
        f"<div>{escape(zh.service_name)}</div>",
        f'<div class="en">{escape(en.service_name)}</div>',
        f'<p class="headline">{escape(zh.headline)}</p>',
        f'<div class="en">{escape(en.headline)}</div>',
        "</section>",
    ]
    for raw, pz, pe in zip(doc["parts"], zh.parts, en.parts, strict=True):
        raw_steps = raw.get("steps", [])
        out += [
            '<section class="card">',
            f"<h2>{escape(pz.name)}</h2>",
            f'<div class="en">{escape(pe.name)}</div>',
            f"<div>{escape(pz.department)}</div>" if pz.department else "",
            f'<div class="status {escape(pz.status)}">{escape(pz.words)}</div>',
            f'<div class="en">{escape(pe.words)}</div>',
            f'<div class="time">更新于 Updated {escape(_local(raw.get("updated_at")))}</div>',
        ]
        if pz.note and not pz.events:  # with a history, the note is on its event
            out.append(f"<p>{escape(pz.note)}<br><span class='en'>{escape(pe.note)}</span></p>")
        if pz.steps:
            out.append("<ol>")
            for rs, sz, se in zip(raw_steps, pz.steps, pe.steps, strict=True):
                when = _local(rs.get("updated_at"))
                party = f"{escape(sz.party)} · " if sz.party else ""
                out.append(
                    f"<li>{party}{escape(sz.name)} "
                    f'<span class="status {escape(sz.status)}">{escape(sz.words)}</span>'
                    f'<div class="en">{escape(se.name)} — {escape(se.words)}</div>'
                    + (f'<div class="time">{escape(when)}</div>' if when else "")
                    + "</li>"
                )
            out.append("</ol>")
        if pz.events:
            out.append('<ol class="history">')
            for raw_event, ez, ee in zip(raw.get("events", []), pz.events, pe.events, strict=True):
                out.append(
                    f'<li><span class="time">{escape(_local(raw_event.get("at")))}</span> '
                    f"{escape(ez.words)}"
                    f'<div class="en">{escape(ee.words)}</div>'
                )
                for (mz, why), (me, _) in zip(ez.items, ee.items, strict=True):
                    out.append(f"<div>· {escape(mz)}：{escape(why)}</div>")
                    out.append(f'<div class="en">{escape(me)}</div>')
                if ez.note or ee.note:
                    out.append(f"<div>{escape(ez.note)}</div>")
                    out.append(f'<div class="en">{escape(ee.note)}</div>')
                out.append("</li>")
            out.append("</ol>")
        if raw.get("shipped_by") == "ems" and not raw.get("waybill"):
            # The status view: that it went, when; the number is the token holder's.
            out.append(
                f'<p class="shipped">已由EMS寄出 <span class="time">'
                f"{escape(_local(raw.get('shipped_at')))}</span></p>"
                '<p class="en">Sent by EMS (the receipt\'s link shows the waybill number)</p>'
            )
        out.append(_story_of_part(raw))
        out.append("</section>")
    return "".join(out)


def _story_of_part(raw: dict[str, Any]) -> str:
    """What only the token holder sees of a part (empty for the status view)."""
    out: list[str] = []
    missing = raw.get("missing") or []
    if missing:
        out.append("<h3>需要补交的材料</h3><div class='en'>Material still needed</div>")
        for m in missing:
            out.append(
                f'<div class="missing"><b>{escape(m.get("name_zh", ""))}</b>'
                f'<div class="en">{escape(m.get("name_en", ""))}</div>'
                f"<div>原因 Reason: {escape(m.get('reason', ''))}</div></div>"
            )
        out.append(
            "<p>请带上回执到任一自助终端扫码补交。</p>"
            '<p class="en">Hand it in at any kiosk: scan this receipt there.</p>'
        )
    for handed in raw.get("supplements") or []:
        out.append(
            f"<p>已补交 Handed in {escape(_local(handed.get('received_at')))} · "
            f"{escape(str(handed.get('tracking_number', '')))}</p>"
        )
    delivery = raw.get("delivery")
    if delivery == "pickup":
        place = escape(str(raw.get("pickup_at", "")))
        out.append(
            f"<h3>领取办理结果</h3><p>请带上回执到 {place} 领取。</p>"
            f'<p class="en">Collect the result at {place} (bring the receipt).</p>'
        )
    elif delivery == "ems":
        waybill = escape(str(raw.get("waybill", "")))
        out.append(
            "<h3>EMS 政务专递</h3>"
            + (
                f"<p>已由EMS寄出，运单号 <b>{waybill}</b></p>"
                f'<p class="en">Sent by EMS, waybill {waybill}</p>'
                if waybill
                else "<p>将通过 EMS 寄出，寄出后短信告知运单号。</p>"
                '<p class="en">It will go by EMS; a text will give the waybill number.</p>'
            )
        )
    return f'<div class="story">{"".join(out)}</div>' if out else ""


def _replies(doc: dict[str, Any]) -> str:
    replies = doc.get("replies") or []
    if not replies:
        return ""
    out = ['<section class="card"><h2>部门答复</h2><div class="en">The reply</div>']
    for r in replies:
        out.append(
            f'<div class="time">{escape(_local(r.get("at")))}</div>'
            f'<p class="reply">{escape(str(r.get("text", "")))}</p>'
        )
    out.append("</section>")
    return "".join(out)


_STATUS_HINT = (
    '<section class="card hint"><p>扫描回执二维码或打开短信中的链接，可查看完整办理详情：'
    "需补交的材料、部门答复、领取方式和 EMS 运单号。</p>"
    '<p class="en">Scan the receipt\'s QR code or open the link in our text message for the '
    "whole story: material still needed, replies, and how to get the result.</p>"
    "</section>"
)


def router() -> APIRouter:
    api = APIRouter(tags=["progress page"])

    @api.get("/p/{tracking_number}", response_class=HTMLResponse)
    def applicant_page(
        tracking_number: str, request: Request, t: Annotated[str | None, Query()] = None
    ) -> HTMLResponse:
        view: ApplicantView = request.app.state.applicant_view
        doc = view.story(tracking_number, t)
        # With the token, a done part's 好差评 is one tap away. (hall.rating_page builds on this
        # module's page frame, hence the import here.)
        from hall.rating_page import rating_invitation

        extra = rating_invitation(request, tracking_number, t) if doc and t else ""
        page = _progress_page(request, tracking_number, doc, extra)
        if doc is not None and doc.get("access") == "full":
            page.headers["Cache-Control"] = "no-store"  # a capability's page: keep no copy
        return page

    @api.get("/progress/{tracking_number}", response_class=HTMLResponse)
    def progress_page(tracking_number: str, request: Request) -> HTMLResponse:
        tracking: TrackingStore = request.app.state.tracking_store
        return _progress_page(request, tracking_number, tracking.progress(tracking_number))

    def _progress_page(
        request: Request, tracking_number: str, doc: dict[str, Any] | None, extra: str = ""
    ) -> HTMLResponse:
        catalogs: CatalogStore = request.app.state.catalog_store
        if doc is None:
            return _page(
                "未找到 Not found",
                '<section class="card"><p class="headline">未找到这个受理编号</p>'
                '<div class="en">No filing has this tracking number.</div>'
                "<p>请核对回执上的编号；刚在站点提交的申请可能需要几分钟才能送达服务大厅。</p>"
                '<p class="en">Check the number on the receipt. A filing made a few minutes ago '
                "may still be on its way to the hall.</p></section>",
                404,
            )
        latest = catalogs.latest()
        status_doc = parse_status(doc)
        if latest is None:  # pragma: no cover - the sample is published at start
            raise RuntimeError("no catalog published")
        zh = describe(status_doc, latest.catalog, "zh_CN")
        en = describe(status_doc, latest.catalog, "en_US")
        body = _render(zh, en, doc)
        if doc.get("access") == "full":
            body = body.replace("</section>", "</section>" + extra + _replies(doc), 1)
        elif doc.get("access") == "status":
            body += _STATUS_HINT
        return _page(f"办理进度 {tracking_number}", body)

    return api
