// The kiosk window: header, the screen for the session state, the embedded keyboard, status bar.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Settings
import "components"

ApplicationWindow {
    id: window
    objectName: "mainWindow"
    width: 1080
    height: 1920
    visible: true
    title: qsTr("Qihang Station Kiosk")
    color: theme.background
    font.family: theme.fontFamily
    font.pixelSize: theme.body

    Theme { id: theme }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        Header {
            Layout.fillWidth: true
        }

        Loader {
            id: screenLoader
            objectName: "screenLoader"
            Layout.fillWidth: true
            Layout.fillHeight: true
            source: "screens/" + session.screen + "Screen.qml"
        }

        InputPanel {
            id: inputPanel
            objectName: "inputPanel"
            Layout.fillWidth: true
            Layout.preferredHeight: active ? implicitHeight : 0
            visible: active
        }

        StatusBar {
            Layout.fillWidth: true
        }
    }

    TimeoutOverlay {
        anchors.fill: parent
        visible: session.warning
    }

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
