// Technician mode: restart the kiosk app (it exits; systemd starts it again within seconds).
import QtQuick
import QtQuick.Layouts
import "../components"

TechnicianFrame {
    objectName: "technicianRestartScreen"
    title: qsTr("Restart the app")
    section: "Restart"

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap

        Text {
            text: qsTr("The kiosk app closes and starts again by itself in about ten seconds. Filings waiting in the outbox are kept and sent after the restart.")
            font.pixelSize: Theme.body
            font.family: Theme.fontFamily
            color: Theme.text
            wrapMode: Text.WordWrap
            lineHeight: 1.15
            Layout.fillWidth: true
        }
        Item { Layout.fillHeight: true }
        BigButton {
            objectName: "techRestartButton"
            kind: "primary"
            text: qsTr("Restart now")
            enabled: !technician.busy
            implicitHeight: Math.round(Theme.touch * 1.3)
            Layout.fillWidth: true
            onClicked: technician.restartApp()
        }
    }
}
