"""The phone's rating page (好差评) at ``/p/{tracking_number}/rating?t=<token>``.

The receipt's QR code and the "rating invited" SMS carry the filing's access token; with it the
page lists each part of the filing and, for a part that is done, a form: the five levels, the
four indicators (1-5 each) and an optional comment. Like the progress page it is one
server-rendered HTML page with no script, so it works on any phone; the form posts back to the
same address with the token in the body (not in the address, which proxies log). Without a
valid token the page says only where to see the status (``/progress/...``) — never why the
token failed. The rules are :mod:`hall.ratings`'; a refused rating is shown with its reason in
both languages and a 4xx status.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from contracts.rating_scale import INDICATORS, LEVELS, MAX_COMMENT
from hall.progress_page import _page as progress_frame
from hall.ratings import (
    CHANGE_DAYS,
    RatingDesk,
    RatingRefused,
    check_rating,
    desk_of,
)

# The form's own look, on top of the progress page's.
_FORM_STYLE = (
    "<style>"
    "fieldset{border:0;margin:12px 0 0;padding:0}"
    "legend{font-weight:600;padding:0}"
    ".levels{display:flex;flex-wrap:wrap;gap:8px;margin-top:6px}"
    ".levels label,.scores label{display:inline-flex;align-items:center;gap:4px;min-height:44px;"
    "padding:4px 12px;border:1px solid var(--line);border-radius:8px;background:#fff}"
    ".scores{display:flex;gap:6px;margin-top:4px}"
    "textarea{width:100%;min-height:80px;font:inherit;padding:8px;border:1px solid var(--line);"
    "border-radius:8px}"
    "button{margin-top:14px;width:100%;min-height:52px;font-size:18px;font-weight:600;color:#fff;"
    "background:var(--accent);border:0;border-radius:10px}"
    ".given{margin-top:8px;font-weight:600}"
    ".refused{border-color:var(--bad);background:#fde7e5}"
    ".thanks{border-color:var(--ok);background:#e3f3e8}"
    "</style>"
)


def _status_only(tracking_number: str) -> HTMLResponse:
    """What a wrong token gets: where the status is, nothing about why."""
    link = f"/progress/{escape(tracking_number)}"
    return progress_frame(
        "服务评价 Rating",
        '<section class="card"><p class="headline">请使用回执二维码或短信中的链接评价</p>'
        '<div class="en">Please rate through the QR code on your receipt or the link in '
        "the SMS.</div>"
        f'<p><a href="{link}">查看办理进度 · See the progress</a></p></section>',
        403,
    )


def _form(part: dict[str, Any], token: str, tracking_number: str) -> str:
    given = part["rating"] or {}
    chosen = given.get("level")
    scores = given.get("indicators", {})
    out = [
        f'<form method="post" action="/p/{escape(tracking_number)}/rating" '
        f'data-part="{escape(part["part_id"])}">',
        f'<input type="hidden" name="t" value="{escape(token)}">',
        f'<input type="hidden" name="part_id" value="{escape(part["part_id"])}">',
        "<fieldset><legend>总体评价 <span class='en'>Your rating</span></legend>"
        '<div class="levels">',
    ]
    for level, (zh, en) in LEVELS.items():
        checked = " checked" if level == chosen else ""
        out.append(
            f'<label><input type="radio" name="level" value="{level}" required{checked}>'
            f"{escape(zh)} <span class='en'>{escape(en)}</span></label>"
        )
    out.append("</div></fieldset>")
    for name, (zh, en) in INDICATORS.items():
        out.append(
            f"<fieldset><legend>{escape(zh)} <span class='en'>{escape(en)}</span></legend>"
            '<div class="scores">'
        )
        for score in range(1, 6):
            checked = " checked" if scores.get(name) == score else ""
            out.append(
                f'<label><input type="radio" name="{name}" value="{score}" required{checked}>'
                f"{score}</label>"
            )
        out.append("</div></fieldset>")
    out += [
        f"<fieldset><legend>意见建议（选填，{MAX_COMMENT} 字以内）"
        f"<span class='en'> Comment (optional, up to {MAX_COMMENT} characters)</span></legend>",
        f'<textarea name="comment" maxlength="{MAX_COMMENT}">'
        f"{escape(given.get('comment', ''))}</textarea></fieldset>",
        "<button type='submit'>"
        + ("修改评价 Change my rating" if given else "提交评价 Submit")
        + "</button></form>",
    ]
    return "".join(out)


def _render(tracking_number: str, token: str, parts: list[dict[str, Any]], notice: str = "") -> str:
    out = [
        notice,
        '<section class="card">',
        f'<div class="number">{escape(tracking_number)}</div>',
        '<p class="headline">请对本次服务作出评价</p>',
        '<div class="en">Please rate the service you received</div>',
        f"<p>每个办件评价一次，提交后 {CHANGE_DAYS} 天内可以修改。</p>",
        f'<div class="en">Each part is rated once; you may change it within {CHANGE_DAYS} '
        "days.</div></section>",
    ]
    for part in parts:
        out += [
            '<section class="card">',
            f"<h2>{escape(part['part_name_zh'])}</h2>",
            f'<div class="en">{escape(part["part_name_en"])}</div>',
            f"<div>{escape(part['department_name_zh'])}</div>",
        ]
        given = part["rating"]
        if given:
            zh, en = LEVELS[given["level"]]
            out.append(
                f'<div class="given">您的评价：{escape(zh)} '
                f"<span class='en'>Your rating: {escape(en)}</span></div>"
            )
        if part["rateable"]:
            out.append(_form(part, token, tracking_number))
        elif given:
            out.append(
                f"<p>评价已超过 {CHANGE_DAYS} 天，不能再修改。"
                f"<span class='en'> More than {CHANGE_DAYS} days have passed; it can no longer "
                "change.</span></p>"
            )
        else:
            out.append(
                "<p>办结后即可评价。<span class='en'> You can rate it once it is done.</span></p>"
            )
        out.append("</section>")
    return _FORM_STYLE + "".join(out)


def _notice(kind: str, zh: str, en: str) -> str:
    return (
        f'<section class="card {kind}" role="status"><p class="headline">{escape(zh)}</p>'
        f'<div class="en">{escape(en)}</div></section>'
    )


def _int(value: str) -> int | str:
    try:
        return int(value)
    except ValueError:
        return value


def rating_invitation(request: Request, tracking_number: str, token: str) -> str:
    """A card inviting the rating of the filing's done parts, for the applicant's page; "" when
    the token opens nothing or no part may be rated now."""
    d = desk_of(request)
    try:
        sub = d.check_token(tracking_number, token)
    except RatingRefused:
        return ""
    open_parts = [p for p in d.parts_for(sub) if p["rateable"]]
    if not open_parts:
        return ""
    unrated = sum(1 for p in open_parts if p["rating"] is None)
    href = f"/p/{quote(tracking_number, safe='')}/rating?t={quote(token, safe='')}"
    zh = f"有 {unrated} 个办件待您评价" if unrated else "您的评价 7 天内可以修改"
    en = f"{unrated} part(s) await your rating" if unrated else "You may still change your rating"
    return (
        '<section class="card rating-invite"><p class="headline">服务评价 · 好差评</p>'
        f"<div>{escape(zh)}</div><div class='en'>{escape(en)}</div>"
        f'<p><a id="rate-link" href="{escape(href)}">去评价 · Rate now</a></p></section>'
    )


def router() -> APIRouter:
    api = APIRouter(tags=["rating page"])

    @api.get("/p/{tracking_number}/rating", response_class=HTMLResponse)
    def rating_page(tracking_number: str, request: Request, t: str = "") -> HTMLResponse:
        d = desk_of(request)
        try:
            sub = d.check_token(tracking_number, t)
        except RatingRefused:
            return _status_only(tracking_number)
        parts = d.parts_for(sub)
        return progress_frame(f"服务评价 {tracking_number}", _render(tracking_number, t, parts))

    @api.post("/p/{tracking_number}/rating", response_class=HTMLResponse)
    async def rate(tracking_number: str, request: Request) -> HTMLResponse:
        form = {k: v[-1] for k, v in parse_qs((await request.body()).decode("utf-8", "replace"),
                                               keep_blank_values=True).items()}  # fmt: skip
        token = form.get("t", "")
        return await run_in_threadpool(_rate, desk_of(request), tracking_number, token, form)

    return api


def _rate(d: RatingDesk, tracking_number: str, token: str, form: dict[str, str]) -> HTMLResponse:
    try:
        sub = d.check_token(tracking_number, token)
    except RatingRefused:
        return _status_only(tracking_number)
    status = 200
    try:
        rating = check_rating(
            _int(form.get("level", "")),
            {name: _int(form.get(name, "")) for name in INDICATORS},
            form.get("comment", ""),
        )
        d.rate(sub, form.get("part_id", "")[:64], rating, channel="phone")
        notice = _notice("thanks", "感谢您的评价！", "Thank you for your rating!")
    except RatingRefused as exc:
        status = exc.status
        notice = _notice("refused", exc.message_zh, exc.message_en)
    parts = d.parts_for(sub)
    body = _render(tracking_number, token, parts, notice)
    return progress_frame(f"服务评价 {tracking_number}", body, status)
