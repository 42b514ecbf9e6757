// The embedded Qt Virtual Keyboard: Simplified Chinese (Pinyin) and English; the layout follows
// each field's input hints (dial pad for phones, numbers for amounts and dates).
import QtQuick
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Settings

InputPanel {
    id: inputPanel
    objectName: "inputPanel"
    visible: active

    Binding {
        target: VirtualKeyboardSettings
        property: "activeLocales"
        value: ["zh_CN", "en_US"]
    }
    Binding {
        target: VirtualKeyboardSettings
        property: "locale"
        value: settings.language === "en_US" ? "en_US" : "zh_CN"
    }
}
