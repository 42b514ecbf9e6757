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
            spacing: theme.gap / 2

            Repeater {
                model: technician.devices
                delegate: Rectangle {
                    objectName: "techDevice_" + modelData.name
                    Layout.fillWidth: true
                    implicitHeight: row.implicitHeight + theme.gap
                    radius: theme.radius
                    color: theme.surface
                    border.color: theme.border
                    border.width: theme.borderWidth
                    RowLayout {
                        id: row
                        anchors.fill: parent
                        anchors.margins: theme.gap / 2
                        spacing: theme.gap
                        Rectangle {
                            width: 28; height: 28; radius: 14
                            color: modelData.level === "ok" ? theme.success
                                 : modelData.level === "degraded" ? theme.warn : theme.danger
                        }
                        ColumnLayout {
                            Layout.fillWidth: true
                            spacing: 2
                            Text {
                                text: modelData.label + " — " + modelData.levelText
                                font.pixelSize: theme.large
                                font.bold: true
                                font.family: theme.fontFamily
                                color: theme.text
                                wrapMode: Text.WordWrap
                                Layout.fillWidth: true
                            }
                            Text {
                                visible: modelData.code !== ""
                                text: (modelData.text !== "" ? modelData.text + "  " : "")
                                      + qsTr("Code: %1").arg(modelData.code)
                                font.pixelSize: theme.body
                                font.family: theme.fontFamily
                                color: theme.muted
                                wrapMode: Text.WordWrap
                                Layout.fillWidth: true
                            }
                        }
                    }
                }
            }

            Rectangle {
                Layout.fillWidth: true
                implicitHeight: facts.implicitHeight + theme.gap
                radius: theme.radius
                color: theme.surface
                border.color: theme.border
                border.width: theme.borderWidth
                ColumnLayout {
                    id: facts
                    anchors.fill: parent
                    anchors.margins: theme.gap / 2
                    spacing: 4
                    Text {
                        objectName: "techOnline"
                        text: technician.online ? qsTr("Hall: connected") : qsTr("Hall: not connected")
                        font.pixelSize: theme.large
                        font.family: theme.fontFamily
                        color: technician.online ? theme.success : theme.danger
                        Layout.fillWidth: true
                    }
                    Text {
                        text: qsTr("Filings waiting to send: %1").arg(technician.outboxDepth)
                              + (technician.lastSync !== "" ? "   " + qsTr("Last sent: %1").arg(technician.lastSync) : "")
                        font.pixelSize: theme.body
                        font.family: theme.fontFamily
                        color: theme.text
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                }
            }

            Text {
                text: qsTr("Recent changes")
                font.pixelSize: theme.large
                font.bold: true
                font.family: theme.fontFamily
                color: theme.text
                Layout.topMargin: theme.gap / 2
            }
            Text {
                visible: technician.history.length === 0
                text: qsTr("Nothing recorded yet.")
                font.pixelSize: theme.body
                font.family: theme.fontFamily
                color: theme.muted
            }
            Repeater {
                model: technician.history
                delegate: RowLayout {
                    Layout.fillWidth: true
                    spacing: theme.gap
                    Text {
                        text: modelData.at
                        font.pixelSize: theme.small
                        font.family: theme.fontFamily
                        color: theme.muted
                        Layout.preferredWidth: Math.round(220 * theme.s)
                    }
                    Text {
                        text: modelData.what + (modelData.level !== "" ? " · " + modelData.level : "")
                              + (modelData.code !== "" ? " · " + modelData.code : "")
                        font.pixelSize: theme.small
                        font.family: theme.fontFamily
                        color: theme.text
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                }
            }
        }
    }
}
