// Bottom bar: hall connection, outbox depth, last sync and device health — readable at a glance.
import QtQuick
import QtQuick.Layouts

Rectangle {
    implicitHeight: Math.round(64 * Math.min(Theme.s, 1.2))
    color: Theme.surface
    border.color: Theme.border
    border.width: Theme.borderWidth

    function deviceLabel(name) {
        if (name === "card_reader") return qsTr("Card reader")
        if (name === "printer") return qsTr("Printer")
        if (name === "camera") return qsTr("Camera")
        return name
    }
    function levelColor(level) {
        return level === "ok" ? Theme.success : level === "degraded" ? Theme.warn : Theme.danger
    }

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: Theme.margin
        anchors.rightMargin: Theme.margin
        spacing: Theme.gap

        Rectangle {
            implicitWidth: 16; implicitHeight: 16; radius: 8
            color: status.online ? Theme.success : Theme.warn
        }
        Text {
            objectName: "networkStatus"
            text: status.online ? qsTr("Connected to the service hall")
                                : qsTr("Offline: filings are kept and sent later")
            color: Theme.muted
            font.pixelSize: Theme.small
            font.family: Theme.fontFamily
        }
        Text {
            objectName: "outboxStatus"
            visible: status.outboxDepth > 0 || status.lastSync !== ""
            text: status.outboxDepth > 0 ? qsTr("%n waiting to send", "", status.outboxDepth)
                                         : qsTr("Synced %1").arg(status.lastSync)
            color: Theme.muted
            font.pixelSize: Theme.small
            font.family: Theme.fontFamily
        }
        Item { Layout.fillWidth: true }
        Repeater {
            model: status.devices
            delegate: Row {
                spacing: 8
                Rectangle {
                    anchors.verticalCenter: parent.verticalCenter
                    width: 14; height: 14; radius: 7
                    color: levelColor(modelData.level)
                }
                Text {
                    text: deviceLabel(modelData.name)
                    color: Theme.muted
                    font.pixelSize: Theme.small
                    font.family: Theme.fontFamily
                }
            }
        }
    }
}
