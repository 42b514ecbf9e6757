"""Every screen, in Chinese, English and care mode, measured from the live item tree (issue 19).

The screenshot driver (tests/support/screenshots.py, ``python main.py screenshots``) walks real
sessions over the simulators and a real hall through every screen; here each of its shots walks
the window's items instead of saving a PNG, once, for all the tests below:

- every interactive item (buttons, text fields, mouse areas and tap handlers) has an accessible
  name in the session's language and a role, as Qt's accessibility layer reports them;
- every one is at least 15 mm (normal) or 20 mm (care) on the 1080×1920 21.5-inch panel;
- every visible text has a WCAG contrast of at least 4.5:1 (normal) or 7:1 (care) against what is
  painted under it (the rectangles below it in paint order, composited over the window colour);
- the sample walk-in's ID and mobile numbers appear in clear on no screen (the one masking rule);
  a field shows them in clear only while it has focus.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QAccessible, QColor
from PySide6.QtQml import qmlEngine
from PySide6.QtQuick import QQuickItem

from tests.support.robot import Robot
from tests.support.screenshots import BUNDLE_ANSWERS, render_all

# The station's panel (issue 19): 1080×1920 at 21.5 inches, portrait (about 4 px per mm).
PANEL_PX = (1080, 1920)
PANEL_DIAGONAL_MM = 21.5 * 25.4
PX_PER_MM = math.hypot(*PANEL_PX) / PANEL_DIAGONAL_MM
MIN_TARGET_PX = {False: math.floor(15 * PX_PER_MM), True: math.floor(20 * PX_PER_MM)}
MIN_CONTRAST = {False: 4.5, True: 7.0}

# The card simulator's walk-in (张三丰) and the mobile the driver types into the forms.
CLEAR_NUMBERS = ("11010519491231002X", BUNDLE_ANSWERS["mobile"])

_INPUT_CLASSES = ("QQuickTextInput", "QQuickTextEdit")
_CONTROL_CLASSES = ("QQuickAbstractButton", "QQuickSlider", "QQuickComboBox", *_INPUT_CLASSES)
_TEXT_CLASSES = ("QQuickText", *_INPUT_CLASSES)
# Roles that say what a control is; the others are what any item gets by default.
_VAGUE_ROLES = {
    QAccessible.Role.NoRole,
    QAccessible.Role.Client,
    QAccessible.Role.Pane,
    QAccessible.Role.Grouping,
    QAccessible.Role.StaticText,
    QAccessible.Role.Graphic,
    QAccessible.Role.Window,
}
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


@dataclass
class Walk:
    screens: list[str] = field(default_factory=list)
    unnamed: list[str] = field(default_factory=list)
    small: list[str] = field(default_factory=list)
    low_contrast: list[str] = field(default_factory=list)
    unmasked: list[str] = field(default_factory=list)
    interactive: int = 0
    texts: int = 0


def _mode(screen: str) -> str:
    for part in screen.split("_"):
        if part in ("zh", "en", "care"):
            return part
    raise AssertionError(f"{screen}: no mode in the shot's name")


def _luminance(c: QColor) -> float:
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())


def contrast(a: QColor, b: QColor) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _over(top: QColor, alpha: float, under: QColor) -> QColor:
    return QColor.fromRgbF(
        top.redF() * alpha + under.redF() * (1 - alpha),
        top.greenF() * alpha + under.greenF() * (1 - alpha),
        top.blueF() * alpha + under.blueF() * (1 - alpha),
    )


def _inherits(item: QQuickItem, classes: tuple[str, ...]) -> bool:
    return any(item.inherits(c) for c in classes)


def _paint_order(
    root: QQuickItem, window: QRectF
) -> Iterator[tuple[QQuickItem, QRectF, float, bool]]:
    """Visible items as the scene graph paints them (children by z, negative z below their
    parent), each with the part of it that shows (its scene rectangle inside every clipping
    ancestor), its effective opacity and whether it is enabled. The keyboard (Qt's own
    InputPanel) is left out."""

    def visit(
        item: QQuickItem, opacity: float, clip: QRectF
    ) -> Iterator[tuple[QQuickItem, QRectF, float, bool]]:
        if not item.isVisible() or item.objectName() == "keyboardLoader":
            return
        opacity *= item.opacity()
        if opacity <= 0.01:
            return
        rect = item.mapRectToScene(QRectF(0, 0, item.width(), item.height()))
        inner = clip.intersected(rect) if item.clip() else clip
        kids = sorted(item.childItems(), key=lambda k: k.z())  # stable: declaration order
        for kid in kids:
            if kid.z() < 0:
                yield from visit(kid, opacity, inner)
        yield item, clip.intersected(rect), opacity, item.isEnabled()
        for kid in kids:
            if kid.z() >= 0:
                yield from visit(kid, opacity, inner)

    yield from visit(root, 1.0, window)


def _names(item: QQuickItem) -> tuple[QAccessible.Role, str]:
    iface = QAccessible.queryAccessibleInterface(item)
    if iface is None or not iface.isValid():
        return QAccessible.Role.NoRole, ""
    return iface.role(), iface.text(QAccessible.Text.Name).strip()


def _label(item: QQuickItem) -> str:
    return item.objectName() or item.metaObject().className()


def _in_language(name: str, mode: str) -> bool:
    """Chinese screens name controls in Chinese (digits and symbols alone are fine: 1, ⌫);
    English screens in English (a Chinese name of the data, such as a company's, is fine when
    English words come with it, and Latin letters alone always are)."""
    if mode == "en":
        return not _CJK.search(name) or bool(_LATIN_WORD.search(name))
    return bool(_CJK.search(name)) or not _LATIN_WORD.search(name)


def inspect(robot: Robot, screen: str, walk: Walk) -> None:
    mode = _mode(screen)
    care = mode == "care"
    window = robot.window
    root = window.contentItem()
    width, height = window.width(), window.height()
    under: list[tuple[QRectF, QColor, float]] = []  # rectangles painted so far
    for item, rect, opacity, enabled in _paint_order(root, QRectF(0, 0, width, height)):
        if item.inherits("QQuickRectangle"):
            color = item.property("color")
            if isinstance(color, QColor) and color.alphaF() * opacity > 0.01:
                under.append((rect, color, color.alphaF() * opacity))
        elif _inherits(item, ("QQuickImage", "QQuickShaderEffectSource", "QQuickCanvasItem")):
            # A picture's pixels are not a colour: text over it is measured no further.
            under.append((rect, QColor(), -1.0))

        text = item.property("text") if _inherits(item, _TEXT_CLASSES) else None
        if isinstance(text, str) and text.strip():
            for number in CLEAR_NUMBERS:
                if number in text and not (
                    _inherits(item, _INPUT_CLASSES) and item.hasActiveFocus()
                ):
                    walk.unmasked.append(f"{screen}: {_label(item)} shows {text!r}")
            centre = rect.center()
            if enabled and not rect.isEmpty():  # shown, and not part of a control switched off
                walk.texts += 1
                ratio = _contrast_at(item, opacity, centre, under, window.color())
                if ratio is not None and ratio < MIN_CONTRAST[care]:
                    walk.low_contrast.append(
                        f"{screen}: {_label(item)} {text[:30]!r} {ratio:.2f}:1"
                    )

        if not _is_interactive(item, width, height):
            continue
        walk.interactive += 1
        role, name = _names(item)
        target = item
        if role in _VAGUE_ROLES and not _inherits(item, _CONTROL_CLASSES):
            # A mouse area or tap handler acts for the item it fills, which carries the names.
            parent = item.parentItem()
            if parent is not None:
                role, name = _names(parent)
                target = parent
        if role in _VAGUE_ROLES or not name or not _in_language(name, mode):
            walk.unnamed.append(f"{screen}: {_label(target)} role={role.name} name={name!r}")
        least = MIN_TARGET_PX[care]
        if item.width() < least or item.height() < least:
            walk.small.append(
                f"{screen}: {_label(target)} {item.width():.0f}×{item.height():.0f} < {least}"
            )


def _is_interactive(item: QQuickItem, width: int, height: int) -> bool:
    if item.width() <= 0 or item.height() <= 0:
        return False  # collapsed (a panel not laid out yet): nothing to touch
    if _inherits(item, _CONTROL_CLASSES):
        # A read-only text field shows a value; it is not a control.
        return not (_inherits(item, _INPUT_CLASSES) and item.property("readOnly"))
    acts = item.inherits("QQuickMouseArea") or any(
        child.inherits("QQuickTapHandler") for child in item.children()
    )
    if not acts or not item.isEnabled():
        return False
    # A whole-window catcher (a modal's scrim, the activity filter's) is no control.
    return item.width() * item.height() < 0.9 * width * height


def _contrast_at(
    item: QQuickItem,
    opacity: float,
    centre: QPointF,
    under: list[tuple[QRectF, QColor, float]],
    window_color: QColor,
) -> float | None:
    background = QColor(window_color)
    for rect, color, alpha in under:
        if rect.contains(centre):
            if alpha < 0:
                return None
            background = _over(color, min(alpha, 1.0), background)
    ink = item.property("color")
    if not isinstance(ink, QColor):
        return None
    return contrast(_over(ink, min(ink.alphaF() * opacity, 1.0), background), background)


def steady(robot: Robot) -> None:
    """The screen as the next frame shows it: remote help and the keyboard load asynchronously
    (half-made items are no screen), and layouts arrange on their polish, which a frame runs
    (the screenshot tool's grab does; a walk without one must ask)."""
    engine = qmlEngine(robot.window)
    incubator = engine.incubationController() if engine is not None else None
    robot.wait_until(lambda: incubator is None or incubator.incubatingObjectCount() == 0, 10)
    for _ in range(3):
        stack = [robot.window.contentItem()]
        while stack:
            item = stack.pop()
            item.ensurePolished()
            stack.extend(item.childItems())
        robot.settle()


@pytest.fixture(scope="module")
def walk(qapp: object, tmp_path_factory: pytest.TempPathFactory) -> Walk:
    """Every screen of the screenshot driver, walked once (one QML engine per mode)."""
    QAccessible.setActive(True)  # controls fill in their roles and names for assistive tools
    found = Walk()

    def capture(robot: Robot, path: Path) -> None:
        robot.settle(5)
        steady(robot)
        found.screens.append(path.stem)
        inspect(robot, path.stem, found)

    render_all(tmp_path_factory.mktemp("screens"), capture)
    return found


def _report(problems: list[str]) -> str:
    return f"{len(problems)} problem(s):\n" + "\n".join(problems[:80])


def test_every_screen_is_walked_in_every_mode(walk: Walk) -> None:
    for mode in ("zh", "en", "care"):
        mine = [s for s in walk.screens if _mode(s) == mode]
        assert len(mine) >= 50, mine
        for screen in (
            "attract",
            "form_prefilled",
            "review_ems",
            "address",
            "receipt_printed",
            "archive",
            "supplement",
            "progress",
            "tech_health",
            "first_boot",
        ):
            assert any(screen in s for s in mine), (mode, screen)
    assert walk.interactive > 1500 and walk.texts > 3000, (walk.interactive, walk.texts)


def test_every_control_has_a_name_and_role_in_the_session_language(walk: Walk) -> None:
    assert not walk.unnamed, _report(walk.unnamed)


def test_touch_targets_are_15mm_or_20mm_in_care_mode(walk: Walk) -> None:
    assert MIN_TARGET_PX == {False: 60, True: 80}
    assert not walk.small, _report(walk.small)


def test_text_contrast_is_4_5_or_7_in_care_mode(walk: Walk) -> None:
    assert not walk.low_contrast, _report(walk.low_contrast)


def test_personal_numbers_are_masked_on_every_screen(walk: Walk) -> None:
    assert not walk.unmasked, _report(walk.unmasked)


def test_contrast_is_wcag() -> None:
    # WCAG 2.x's own reference points: black on white is 21:1, #767676 on white 4.54:1.
    assert contrast(QColor("#000000"), QColor("#FFFFFF")) == pytest.approx(21.0)
    assert contrast(QColor("#767676"), QColor("#FFFFFF")) == pytest.approx(4.54, abs=0.01)
