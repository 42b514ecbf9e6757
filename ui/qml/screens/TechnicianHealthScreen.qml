// Technician mode: each device's health now (refreshed every second), the hall link, the outbox,
// and the latest changes from the health history.
import QtQuick
import QtQuick.Layouts
import "../components"

TechnicianFrame {
    objectName: "technicianHealthScreen"
    title: qsTr("Device health")
    section: "Health"

    Flickable {
        anchors.fill: parent
        contentHeight: col.implicitHeight
        clip: true
        boundsBehavior: Flickable.StopAtBounds

        ColumnLayout {
            id: col
            width: parent.width
            spacing: Theme.gap / 2

            Repeater {
                model: technician.devices
                delegate: Rectangle {
                    objectName: "techDevice_" + modelData.name
                    Layout.fillWidth: true
                    implicitHeight: row.implicitHeight + Theme.gap
                    radius: Theme.radius
                    color: Theme.surface
                    border.color: Theme.border
                    border.width: Theme.borderWidth
                    RowLayout {
                        id: row
                        anchors.fill: parent
                        anchors.margins: Theme.gap / 2
                        spacing: Theme.gap
                        Rectangle {
                            implicitWidth: 28; implicitHeight: 28; radius: 14
                            color: modelData.level === "ok" ? Theme.success
                                 : modelData.level === "degraded" ? Theme.warn : Theme.danger
                        }
                        ColumnLayout {
                            Layout.fillWidth: true
                            spacing: 2
                            Text {
                                text: modelData.label + " — " + modelData.levelText
                                font.pixelSize: Theme.large
                                font.bold: true
                                font.family: Theme.fontFamily
                                color: Theme.text
                                wrapMode: Text.WordWrap
                                Layout.fillWidth: true
                            }
                            Text {
                                visible: modelData.code !== ""
                                text: (modelData.text !== "" ? modelData.text + "  " : "")
                                      + qsTr("Code: %1").arg(modelData.code)
                                font.pixelSize: Theme.body
                                font.family: Theme.fontFamily
                                color: Theme.muted
                                wrapMode: Text.WordWrap
                                Layout.fillWidth: true
                            }
                        }
                    }
                }
            }

            Rectangle {
                Layout.fillWidth: true
                implicitHeight: facts.implicitHeight + Theme.gap
                radius: Theme.radius
                color: Theme.surface
                border.color: Theme.border
                border.width: Theme.borderWidth
                ColumnLayout {
                    id: facts
                    anchors.fill: parent
                    anchors.margins: Theme.gap / 2
                    spacing: 4
                    Text {
                        objectName: "techOnline"
                        text: technician.online ? qsTr("Hall: connected") : qsTr("Hall: not connected")
                        font.pixelSize: Theme.large
                        font.family: Theme.fontFamily
                        color: technician.online ? Theme.success : Theme.danger
                        Layout.fillWidth: true
                    }
                    Text {
                        text: qsTr("Filings waiting to send: %1").arg(technician.outboxDepth)
                              + (technician.lastSync !== "" ? "   " + qsTr("Last sent: %1").arg(technician.lastSync) : "")
                        font.pixelSize: Theme.body
                        font.family: Theme.fontFamily
                        color: Theme.text
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                }
            }

            Text {
                text: qsTr("Recent changes")
                font.pixelSize: Theme.large
                font.bold: true
                font.family: Theme.fontFamily
                color: Theme.text
                Layout.topMargin: Theme.gap / 2
            }
            Text {
                visible: technician.history.length === 0
                text: qsTr("Nothing recorded yet.")
                font.pixelSize: Theme.body
                font.family: Theme.fontFamily
                color: Theme.muted
            }
            Repeater {
                model: technician.history
                delegate: RowLayout {
                    Layout.fillWidth: true
                    spacing: Theme.gap
                    Text {
                        text: modelData.at
                        font.pixelSize: Theme.small
                        font.family: Theme.fontFamily
                        color: Theme.muted
                        Layout.preferredWidth: Math.round(220 * Theme.s)
                    }
                    Text {
                        text: modelData.what + (modelData.level !== "" ? " · " + modelData.level : "")
                              + (modelData.code !== "" ? " · " + modelData.code : "")
                        font.pixelSize: Theme.small
                        font.family: Theme.fontFamily
                        color: Theme.text
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                }
            }
        }
    }
}
