// The kiosk window: header, the screen for the session state, the embedded keyboard, status bar.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import "components"

ApplicationWindow {
    id: window
    objectName: "mainWindow"
    width: 1080
    height: 1920
    visible: true
    title: qsTr("Qihang Station Kiosk")
    color: Theme.background
    font.family: Theme.fontFamily
    font.pixelSize: Theme.body

    // Set by KioskUi right after the first frame, once the runtime and every bridge the loaders
    // below read exist: the keyboard and remote help load then, never on the attract screen's
    // way to the glass.
    property bool uiReady: false

    // The theme follows the walk-in's care mode (larger type, high contrast).
    Binding { target: Theme; property: "s"; value: settings.scale }
    Binding { target: Theme; property: "contrast"; value: settings.careMode }

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
            // Technician mode (hidden gesture + PIN on the attract screen) replaces the screens.
            source: technician.active ? "screens/Technician" + technician.screen + "Screen.qml"
                                      : "screens/" + session.screen + "Screen.qml"
        }

        // Remote help appears only once someone is in a session: load it after the first frame.
        Loader {
            objectName: "assistBarLoader"
            Layout.fillWidth: true
            Layout.preferredHeight: item ? (item as Item).implicitHeight : 0
            active: window.uiReady
            asynchronous: true
            sourceComponent: AssistBar {}
        }

        // The Pinyin keyboard loads right after the first frame: no one types on the attract
        // screen, and the virtual keyboard module is the heaviest part of the QML to load.
        Loader {
            id: keyboardLoader
            objectName: "keyboardLoader"
            Layout.fillWidth: true
            // The panel is visible while it is active (Keyboard.qml).
            Layout.preferredHeight: item && (item as Item).visible ? (item as Item).implicitHeight : 0
            active: window.uiReady
            asynchronous: true
            source: "components/Keyboard.qml"
        }

        StatusBar {
            Layout.fillWidth: true
        }
    }

    Loader {
        anchors.fill: parent
        active: window.uiReady
        asynchronous: true
        sourceComponent: AssistOverlay {}
    }

    // Needed only some 90 s into a session: made with the loaders above, not for frame one.
    Loader {
        anchors.fill: parent
        active: window.uiReady
        sourceComponent: TimeoutOverlay {
            visible: session.warning
        }
    }
}
