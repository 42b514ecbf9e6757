// Technician mode, step 1: the PIN pad. Five wrong PINs lock it for a while (shown here).
import QtQuick
import QtQuick.Layouts
import "../components"

ScreenFrame {
    objectName: "technicianPinScreen"
    title: qsTr("Technician PIN")
    subtitle: qsTr("For station technicians only. If you came to use the terminal, tap Cancel.")

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap

        // The digits typed, as dots; never the digits themselves.
        Rectangle {
            Layout.alignment: Qt.AlignHCenter
            Layout.preferredWidth: Math.round(640 * Theme.s)
            Layout.preferredHeight: Theme.touch
            radius: Theme.radius
            color: Theme.surface
            border.color: Theme.border
            border.width: 2
            Text {
                objectName: "pinDots"
                anchors.centerIn: parent
                text: technician.pinLength > 0 ? "●".repeat(technician.pinLength) : qsTr("Enter the PIN")
                font.pixelSize: technician.pinLength > 0 ? Theme.title : Theme.body
                font.family: Theme.fontFamily
                color: technician.pinLength > 0 ? Theme.text : Theme.muted
            }
        }

        Text {
            objectName: "pinMessage"
            visible: text !== ""
            text: technician.pinMessage
            font.pixelSize: Theme.large
            font.bold: true
            font.family: Theme.fontFamily
            color: Theme.danger
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
        Text {
            visible: technician.pinMessage === "" && technician.pinConfigured
            text: qsTr("Attempts left before a %1-minute lock: %2")
                      .arg(technician.lockoutMinutes).arg(technician.attemptsLeft)
            font.pixelSize: Theme.body
            font.family: Theme.fontFamily
            color: Theme.muted
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }

        GridLayout {
            columns: 3
            columnSpacing: Theme.gap
            rowSpacing: Theme.gap
            Layout.alignment: Qt.AlignHCenter
            Layout.preferredWidth: Math.round(720 * Theme.s)
            enabled: technician.pinConfigured && technician.lockedMinutes === 0 && !technician.busy
            Repeater {
                model: ["1", "2", "3", "4", "5", "6", "7", "8", "9", "back", "0", "enter"]
                delegate: BigButton {
                    objectName: modelData === "back" ? "pinBackspace"
                              : modelData === "enter" ? "pinEnter" : "pinKey" + modelData
                    text: modelData === "back" ? "⌫" : modelData === "enter" ? qsTr("OK") : modelData
                    kind: modelData === "enter" ? "primary" : "secondary"
                    font.pixelSize: Theme.title
                    implicitHeight: Math.round(Theme.touch * 1.15)
                    Layout.fillWidth: true
                    Layout.preferredWidth: 1
                    onClicked: modelData === "back" ? technician.pinBackspace()
                             : modelData === "enter" ? technician.pinSubmit()
                             : technician.pinDigit(modelData)
                }
            }
        }
        Item { Layout.fillHeight: true }
    }

    actions: [
        BigButton {
            objectName: "pinCancelButton"
            text: qsTr("Cancel")
            Layout.fillWidth: true
            onClicked: technician.leave()
        }
    ]
}
