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
        spacing: Theme.gap

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.gap
            Repeater {
                model: technician.outboxCounts
                delegate: Rectangle {
                    objectName: "techCount_" + modelData.status
                    Layout.fillWidth: true
                    Layout.preferredWidth: 1
                    implicitHeight: countCol.implicitHeight + Theme.gap
                    radius: Theme.radius
                    color: Theme.surface
                    border.color: modelData.status === "quarantined" && modelData.count > 0
                                  ? Theme.danger : Theme.border
                    border.width: 2
                    ColumnLayout {
                        id: countCol
                        anchors.fill: parent
                        anchors.margins: Theme.gap / 2
                        Text {
                            text: modelData.count
                            font.pixelSize: Theme.hero
                            font.bold: true
                            font.family: Theme.fontFamily
                            color: Theme.text
                            Layout.alignment: Qt.AlignHCenter
                        }
                        Text {
                            text: modelData.label
                            font.pixelSize: Theme.body
                            font.family: Theme.fontFamily
                            color: Theme.muted
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
            font.pixelSize: Theme.large
            font.bold: true
            font.family: Theme.fontFamily
            color: Theme.text
        }
        Text {
            text: qsTr("The hall refused these for good. Retry only after the cause is fixed at the hall.")
            font.pixelSize: Theme.small
            font.family: Theme.fontFamily
            color: Theme.muted
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
        Text {
            visible: technician.quarantined.length === 0
            text: qsTr("None.")
            font.pixelSize: Theme.body
            font.family: Theme.fontFamily
            color: Theme.muted
        }

        ListView {
            id: list
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: Theme.gap / 2
            model: technician.quarantined
            delegate: Rectangle {
                width: list.width
                implicitHeight: qrow.implicitHeight + Theme.gap
                radius: Theme.radius
                color: Theme.surface
                border.color: Theme.border
                border.width: Theme.borderWidth
                RowLayout {
                    id: qrow
                    anchors.fill: parent
                    anchors.margins: Theme.gap / 2
                    spacing: Theme.gap
                    ColumnLayout {
                        Layout.fillWidth: true
                        spacing: 2
                        Text {
                            text: modelData.trackingNumber
                            font.pixelSize: Theme.body
                            font.bold: true
                            font.family: Theme.fontFamily
                            color: Theme.text
                            Layout.fillWidth: true
                            elide: Text.ElideRight
                        }
                        Text {
                            objectName: "techQuarantineReason"
                            text: qsTr("Reason: %1 · attempts: %2").arg(modelData.reason).arg(modelData.attempts)
                            font.pixelSize: Theme.small
                            font.family: Theme.fontFamily
                            color: Theme.danger
                            Layout.fillWidth: true
                            wrapMode: Text.WordWrap
                        }
                        Text {
                            text: modelData.id
                            font.pixelSize: Theme.small
                            font.family: Theme.fontFamily
                            color: Theme.muted
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
