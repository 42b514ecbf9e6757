// Bottom bar: hall connection, outbox depth, last sync and device health — readable at a glance.
import QtQuick
import QtQuick.Layouts

Rectangle {
    implicitHeight: Math.round(64 * Math.min(theme.s, 1.2))
    color: theme.surface
    border.color: theme.border
    border.width: theme.borderWidth

    function deviceLabel(name) {
        if (name === "card_reader") return qsTr("Card reader")
        if (name === "printer") return qsTr("Printer")
        if (name === "camera") return qsTr("Camera")
        return name
    }
    function levelColor(level) {
        return level === "ok" ? theme.success : level === "degraded" ? theme.warn : theme.danger
    }

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: theme.margin
        anchors.rightMargin: theme.margin
        spacing: theme.gap

        Rectangle {
            width: 16; height: 16; radius: 8
            color: status.online ? theme.success : theme.warn
        }
        Text {
            objectName: "networkStatus"
            text: status.online ? qsTr("Connected to the service hall")
                                : qsTr("Offline: filings are kept and sent later")
            color: theme.muted
            font.pixelSize: theme.small
            font.family: theme.fontFamily
        }
        Text {
            objectName: "outboxStatus"
            visible: status.outboxDepth > 0 || status.lastSync !== ""
            text: status.outboxDepth > 0 ? qsTr("%n waiting to send", "", status.outboxDepth)
                                         : qsTr("Synced %1").arg(status.lastSync)
            color: theme.muted
            font.pixelSize: theme.small
            font.family: theme.fontFamily
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
                    color: theme.muted
                    font.pixelSize: theme.small
                    font.family: theme.fontFamily
                }
            }
        }
    }
}
