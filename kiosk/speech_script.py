"""What care mode says aloud (关怀版朗读), in the session's language; no Qt, no device.

Spoken: each screen's title and main instruction when it opens, every error message, the
countdown warning, the card-reader prompt, and the tracking number character by character on
the receipt. **Never** spoken: names, ID numbers, phone numbers, addresses, form answers — the
station is a public room. Nothing here is given any of them; `PrivacyGuard` is the last line of
defence behind that rule and refuses (and counts) any utterance that looks like an ID or mobile
number, or holds a valid unified social credit code, all the same. The enterprise screens say
what to do, never which enterprise (its name and code are on the screen only).
"""

from __future__ import annotations

import re
import threading
from typing import Final, Literal

from contracts.uscc import is_valid_uscc
from drivers.health import Health, HealthLevel

SpeechLanguage = Literal["zh", "en"]
ReaderKind = Literal["id_card", "contactless"]

# Screen -> (Chinese, English): its title and main instruction. Screens missing here say nothing
# (the attract screen: nobody is there yet; Identify: see `card_prompt`).
SCREEN_LINES: Final[dict[str, tuple[str, str]]] = {
    "ServiceHome": ("请选择您要办理的事项。", "What would you like to do? Choose a service."),
    "Form": (
        "请填写申请表。带星号的是必填项，填好后点击下一步。",
        "Fill in the form. Fields marked with a star are required; then tap Next.",
    ),
    "Capture": (
        "请拍摄材料。把材料平放在摄像头下方，清晰稳定时会自动拍照。",
        "Photograph the page. Lay it flat under the camera; it is taken when sharp and still.",
    ),
    "Review": (
        "请核对您填写的内容，无误后点击确认提交。",
        "Check your answers, then tap Confirm to submit.",
    ),
    "Delivery": (
        "请填写结果寄送地址，填好后点击确认。",
        "Enter the delivery address for the result, then confirm.",
    ),
    "Submitting": ("正在保存您的申请，请稍候，不要取走证件。", "Saving your filing. Please wait."),
    "Error": ("很抱歉，未能完成办理。", "Sorry, we could not finish."),
    "Progress": (
        "查询办理进度。请输入回执上的受理编号，或扫描回执上的二维码。",
        "Check the progress of a filing. Type the tracking number on your receipt, or scan its "
        "QR code.",
    ),
    "Policies": (
        "查找适合您企业的政策。所有问题都可以不填。",
        "Find policies for your enterprise. All questions are optional.",
    ),
    "Qa": ("智能问答。请输入几个字来提问。", "Ask a question. Type a few words."),
    "Rating": ("请为我们的服务评价。", "Please rate our service."),
    "Supplement": (
        "补交材料。请扫描回执上的二维码，或输入受理编号。",
        "Hand in missing material. Scan the QR code on your receipt, or type its tracking number.",
    ),
    # 办理企业 and the e-archive: what to do, never which enterprise (its name, its USCC, its
    # legal representative are on the screen, not in the room's ears).
    "Enterprise": (
        "办理企业。请选择您代办的企业，或扫描企业码、输入统一社会信用代码查找其他企业。",
        "Filing for an enterprise. Choose the enterprise you act for, or scan its code or type "
        "its unified social credit code to find another.",
    ),
    "Archive": (
        "企业电子档案。这里列出本企业的办件、证照、诉求和评价，最新的在前。",
        "The enterprise's e-archive: its filings, documents issued, demands and ratings, "
        "newest first.",
    ),
    "SupplementCapture": (
        "请拍摄补交的材料，把材料平放在摄像头下方。",
        "Photograph the missing material. Lay it flat under the camera.",
    ),
}

_CARD_PROMPT: Final[dict[ReaderKind, tuple[str, str]]] = {
    "id_card": ("请把身份证平放在读卡区。", "Place your ID card flat on the reader."),
    "contactless": (
        "请把社保卡或护照放在读卡区。",
        "Hold your social security card or passport on the reader.",
    ),
}
_READING: Final = ("正在读卡，请不要移动证件。", "Reading the card. Please keep it still.")
_FIX_MARKED: Final = (
    "请改正标红的内容后继续。",
    "Please fix what is marked in red, then continue.",
)
_RECEIPT: Final = ("您的申请已受理。", "Your filing has been received.")
_TRACKING: Final = ("受理编号是：", "Your tracking number is: ")
_TAKE_RECEIPT: Final = ("请取走回执和身份证。", "Please take your receipt and your ID card.")
_ZH_DIGITS: Final = dict(zip("0123456789", "零一二三四五六七八九", strict=True))


def _pick(lines: tuple[str, str], language: SpeechLanguage) -> str:
    return lines[0] if language == "zh" else lines[1]


def screen_line(screen: str, language: SpeechLanguage, reader: ReaderKind = "id_card") -> str:
    """What a screen says when it opens ("" = nothing)."""
    if screen == "Identify":
        return card_prompt(language, reader)
    lines = SCREEN_LINES.get(screen)
    return _pick(lines, language) if lines else ""


def card_prompt(language: SpeechLanguage, reader: ReaderKind = "id_card") -> str:
    return _pick(_CARD_PROMPT[reader], language)


def card_reading(language: SpeechLanguage) -> str:
    return _pick(_READING, language)


def fix_marked(language: SpeechLanguage) -> str:
    return _pick(_FIX_MARKED, language)


def error_line(title: str, next_step: str, language: SpeechLanguage) -> str:
    """An error as the screen shows it (title, then what to do), already in `language`."""
    title, next_step = title.strip(), next_step.strip()
    if not next_step:
        return title
    end = "。" if language == "zh" else ". "
    return f"{title.rstrip('。. ')}{end}{next_step}" if title else next_step


def countdown_warning(seconds: int, language: SpeechLanguage) -> str:
    if language == "zh":
        return f"您还在吗？{seconds}秒后将返回首页。如需继续，请触摸屏幕。"
    return (
        f"Are you still there? The kiosk returns to the start in {seconds} seconds. "
        "Touch the screen to continue."
    )


def spell(code: str, language: SpeechLanguage) -> str:
    """A tracking number character by character, its groups apart: "SND-SS-001" ->
    "S N D，S S，零 零 一" (zh) or "S N D, S S, 0 0 1" (en)."""
    groups = [g for g in re.split(r"[-\s]+", code.strip()) if g]
    if language == "zh":
        return "，".join(" ".join(_ZH_DIGITS.get(c, c.upper()) for c in g) for g in groups)
    return ", ".join(" ".join(c.upper() for c in g) for g in groups)


def receipt_line(tracking_number: str, language: SpeechLanguage) -> str:
    """The receipt screen's sentence, with the tracking number spelled out."""
    parts = [_pick(_RECEIPT, language)]
    if tracking_number:
        end = "。" if language == "zh" else "."
        parts.append(_pick(_TRACKING, language) + spell(tracking_number, language) + end)
    parts.append(_pick(_TAKE_RECEIPT, language))
    return ("" if language == "zh" else " ").join(parts)


# -- the last line of defence ----------------------------------------------------------------
_TO_ASCII: Final = str.maketrans("零〇一二三四五六七八九幺", "001234567891")
# Separators someone might put inside a number ("139 1234 5678", "110105-1949…"); a comma or
# full stop is where spelled groups of a tracking number end, and stays.
_INSIDE: Final = re.compile(r"[\s\-‐–—·.]")
_PERSONAL: Final = (
    re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])"),  # resident ID (18)
    re.compile(r"(?<![0-9])[0-9]{15}(?![0-9])"),  # first-generation ID (15)
    re.compile(r"(?<![0-9])(?:\+?86)?1[3-9][0-9]{9}(?![0-9])"),  # mainland mobile
)


# 18 letters and digits on their own: a unified social credit code if its check character holds.
_CODE18: Final = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{18}(?![0-9A-Z])")


def looks_personal(text: str) -> bool:
    """True if `text` holds something shaped like an ID number or a mobile number, written in
    digits or Chinese numerals, with or without spaces or dashes between them; or a valid
    unified social credit code (a form answer, and a sole trader's names its owner)."""
    flat = _INSIDE.sub("", text.translate(_TO_ASCII))
    if any(p.search(flat) for p in _PERSONAL):
        return True
    return any(is_valid_uscc(code) for code in _CODE18.findall(flat.upper()))


class PrivacyGuard:
    """Lets an utterance through only if it does not look personal; counts what it refused."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._refused = 0

    def allows(self, text: str) -> bool:
        if not looks_personal(text):
            return True
        with self._lock:
            self._refused += 1
        return False

    @property
    def refused(self) -> int:
        with self._lock:
            return self._refused


MUTED_CODE: Final = "SPEECH_MUTED"


def speaker_health(health: Health | None, volume: int, enabled: bool) -> Health | None:
    """The voice as the status bar and the technician's health screen show it: nothing when the
    station has speech switched off or the speaker is not built yet (None), the backend's own
    health when it cannot speak (``SPEECH_UNAVAILABLE``), degraded ``SPEECH_MUTED`` when it could
    but the volume is 0 (a care-mode walk-in would hear nothing)."""
    if not enabled or health is None:
        return None
    if health.level is not HealthLevel.OK:
        return health
    if volume <= 0:
        return Health.degraded(MUTED_CODE, "volume 0")
    return health
