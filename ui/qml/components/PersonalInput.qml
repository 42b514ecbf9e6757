// What every field a walk-in types into shares (issue 14, finding 10): the keyboard must not learn
// from it (Qt Virtual Keyboard's Pinyin user dictionary is off for ImhSensitiveData, and would
// otherwise offer one walk-in's name to the next), and nothing typed may reach the clipboard for
// the next walk-in to paste. Each such field sets `inputMethodHints: PersonalInput.hints | ...`,
// `Keys.onPressed: (event) => PersonalInput.refuseClipboard(event)` and no context menu.
pragma Singleton
import QtQuick

QtObject {
    readonly property int hints: Qt.ImhSensitiveData | Qt.ImhNoPredictiveText

    // A keyboard on the kiosk's USB port could select, copy, cut and paste: the field never sees
    // those keys.
    function refuseClipboard(event: KeyEvent) {
        if (event.matches(StandardKey.Copy) || event.matches(StandardKey.Cut)
                || event.matches(StandardKey.Paste) || event.matches(StandardKey.SelectAll))
            event.accepted = true
    }
}
