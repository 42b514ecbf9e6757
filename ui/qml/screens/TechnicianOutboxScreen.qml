// Technician mode: filings by status and the quarantined ones with their reason codes (never
// their content); a quarantined filing can be put back in the queue.
import QtQuick
import QtQuick.Layouts
import "../components"

TechnicianFrame {
    objectName: "technicianOutboxScreen"
    title: qsTr("Outbox")
    section: "Outbox"

    ColumnLayout {
        anchors.fill: parent
        spacing: theme.gap

        RowLayout {
            Layout.fillWidth: true
            spacing: theme.gap
            Repeater {
                model: technician.outboxCounts
                delegate: Rectangle {
                    objectName: "techCount_" + modelData.status
                    Layout.fillWidth: true
                    Layout.preferredWidth: 1
                    implicitHeight: countCol.implicitHeight + theme.gap
                    radius: theme.radius
                    color: theme.surface
                    border.color: modelData.status === "quarantined" && modelData.count > 0
                                  ? theme.danger : theme.border
                    border.width: 2
                    ColumnLayout {
                        id: countCol
                        anchors.fill: parent
                        anchors.margins: theme.gap / 2
                        Text {
                            text: modelData.count
                            font.pixelSize: theme.hero
                            font.bold: true
                            font.family: theme.fontFamily
                            color: theme.text
                            Layout.alignment: Qt.AlignHCenter
                        }
                        Text {
                            text: modelData.label
                            font.pixelSize: theme.body
                            font.family: theme.fontFamily
                            color: theme.muted
                            wrapMode: Text.WordWrap
                            horizontalAlignment: Text.AlignHCenter
                            Layout.fillWidth: true
                        }
                    }
                }
            }
        }

        Text {
            text: qsTr("Quarantined filings")
            font.pixelSize: theme.large
            font.bold: true
            font.family: theme.fontFamily
            color: theme.text
        }
        Text {
            text: qsTr("The hall refused these for good. Retry only after the cause is fixed at the hall.")
            font.pixelSize: theme.small
            font.family: theme.fontFamily
            color: theme.muted
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
        Text {
            visible: technician.quarantined.length === 0
            text: qsTr("None.")
            font.pixelSize: theme.body
            font.family: theme.fontFamily
            color: theme.muted
        }

        ListView {
            id: list
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: theme.gap / 2
            model: technician.quarantined
            delegate: Rectangle {
                width: list.width
                implicitHeight: qrow.implicitHeight + theme.gap
                radius: theme.radius
                color: theme.surface
                border.color: theme.border
                border.width: theme.borderWidth
                RowLayout {
                    id: qrow
                    anchors.fill: parent
                    anchors.margins: theme.gap / 2
                    spacing: theme.gap
                    ColumnLayout {
                        Layout.fillWidth: true
                        spacing: 2
                        Text {
                            text: modelData.trackingNumber
                            font.pixelSize: theme.body
                            font.bold: true
                            font.family: theme.fontFamily
                            color: theme.text
                            Layout.fillWidth: true
                            elide: Text.ElideRight
                        }
                        Text {
                            objectName: "techQuarantineReason"
                            text: qsTr("Reason: %1 · attempts: %2").arg(modelData.reason).arg(modelData.attempts)
                            font.pixelSize: theme.small
                            font.family: theme.fontFamily
                            color: theme.danger
                            Layout.fillWidth: true
                            wrapMode: Text.WordWrap
                        }
                        Text {
                            text: modelData.id
                            font.pixelSize: theme.small
                            font.family: theme.fontFamily
                            color: theme.muted
                            Layout.fillWidth: true
                            elide: Text.ElideMiddle
                        }
                    }
                    BigButton {
                        objectName: "techRetry_" + modelData.id
                        text: qsTr("Retry")
                        enabled: !technician.busy
                        onClicked: technician.retryRow(modelData.id)
                    }
                }
            }
        }

        BigButton {
            objectName: "techOutboxRefresh"
            text: qsTr("Refresh")
            enabled: !technician.busy
            Layout.fillWidth: true
            onClicked: technician.refreshOutbox()
        }
    }
}
