// Technician mode's common layout: a title, the section buttons, the content, and "Exit".
import QtQuick
import QtQuick.Layouts

Item {
    id: frame
    property string title: ""
    property string section: ""
    default property alias content: body.data

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.margin
        spacing: Theme.gap

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.gap
            Text {
                text: qsTr("Technician mode")
                font.pixelSize: Theme.small
                font.bold: true
                font.family: Theme.fontFamily
                color: Theme.primaryText
                padding: 10
                Rectangle { anchors.fill: parent; z: -1; radius: 8; color: Theme.warn }
            }
            Text {
                text: frame.title
                font.pixelSize: Theme.title
                font.bold: true
                font.family: Theme.fontFamily
                color: Theme.text
                elide: Text.ElideRight
                Layout.fillWidth: true
            }
        }

        GridLayout {
            columns: 3
            columnSpacing: Theme.gap / 2
            rowSpacing: Theme.gap / 2
            Layout.fillWidth: true
            Repeater {
                model: [
                    { key: "Health", label: qsTr("Health") },
                    { key: "Tests", label: qsTr("Device tests") },
                    { key: "Outbox", label: qsTr("Outbox") },
                    { key: "Diagnostics", label: qsTr("Diagnostics") },
                    { key: "Restart", label: qsTr("Restart") }
                ]
                delegate: BigButton {
                    objectName: "techNav" + modelData.key
                    text: modelData.label
                    kind: frame.section === modelData.key ? "primary" : "secondary"
                    font.pixelSize: Theme.body
                    Layout.fillWidth: true
                    Layout.preferredWidth: 1
                    onClicked: technician.show(modelData.key)
                }
            }
            BigButton {
                objectName: "techExitButton"
                text: qsTr("Exit")
                kind: "secondary"
                Layout.fillWidth: true
                Layout.preferredWidth: 1
                onClicked: technician.leave()
            }
        }

        Item {
            id: body
            Layout.fillWidth: true
            Layout.fillHeight: true
        }

        Text {
            text: qsTr("No personal data is shown here. Every action is recorded.")
            font.pixelSize: Theme.small
            font.family: Theme.fontFamily
            color: Theme.muted
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
    }
}
