// Colours, type and sizes in one place. Care mode (关怀版): ≥1.4× type, high contrast.
// A singleton of this folder's module (qmldir): every file reads `Theme.<name>`.
pragma Singleton
import QtQuick

QtObject {
    // Bound to the walk-in's settings by the window (Main.qml, FirstBoot.qml), so the theme
    // itself reaches no context property and qmllint can check it.
    property real s: 1.0
    property bool contrast: false
    readonly property string fontFamily: "WenQuanYi Micro Hei"

    readonly property color background: contrast ? "#000000" : "#EEF3F9"
    readonly property color surface: contrast ? "#141414" : "#FFFFFF"
    readonly property color surfaceAlt: contrast ? "#262626" : "#F6F8FB"
    readonly property color text: contrast ? "#FFFFFF" : "#17212F"
    readonly property color muted: contrast ? "#F0F0F0" : "#4E5B6C"
    readonly property color primary: contrast ? "#FFD400" : "#0A5BB5"
    readonly property color primaryDark: contrast ? "#E6BF00" : "#084A93"
    readonly property color primaryText: contrast ? "#000000" : "#FFFFFF"
    readonly property color accent: contrast ? "#FFD400" : "#C8102E"
    readonly property color danger: contrast ? "#FF8A80" : "#C62828"
    readonly property color dangerBg: contrast ? "#3A0000" : "#FDECEC"
    readonly property color success: contrast ? "#7CFC8A" : "#2E7D32"
    // ≥ 5:1 as text on every light surface and under white text (the technician badge).
    readonly property color warn: contrast ? "#FFD400" : "#955700"
    readonly property color border: contrast ? "#FFFFFF" : "#C9D3E0"
    readonly property color headerBg: contrast ? "#000000" : "#0A5BB5"
    readonly property color headerText: contrast ? "#FFD400" : "#FFFFFF"

    readonly property int small: Math.round(24 * s)
    readonly property int body: Math.round(30 * s)
    readonly property int large: Math.round(38 * s)
    readonly property int title: Math.round(50 * s)
    readonly property int hero: Math.round(72 * s)
    readonly property int touch: Math.round(112 * s)   // 28 mm on the 21.5" 1080×1920 panel (≥ 20 mm)
    readonly property int radius: 16
    readonly property int margin: 48
    readonly property int gap: 24
    readonly property int borderWidth: contrast ? 3 : 1
}
