// Bottom bar: hall connection, outbox depth, last sync and device health — readable at a glance.
import QtQuick
import QtQuick.Layouts

Rectangle {
    implicitHeight: Math.round(64 * Math.min(Theme.s, 1.2))
    color: Theme.surface
    border.color: Theme.border
    border.width: Theme.borderWidth

    function deviceLabel(name, code) {
        if (name === "card_reader") return qsTr("Card reader")
        if (name === "printer") return qsTr("Printer")
        if (name === "camera") return qsTr("Camera")
        // Care mode's voice: shown only where the station speaks ([speech] enabled).
        if (name === "speaker")
            return code === "SPEECH_MUTED" ? qsTr("Voice muted")
                 : code !== "" ? qsTr("Voice unavailable") : qsTr("Voice")
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
                objectName: "deviceStatus_" + modelData.name
                spacing: 8
                Rectangle {
                    anchors.verticalCenter: parent.verticalCenter
                    width: 14; height: 14; radius: 7
                    color: levelColor(modelData.level)
                }
                // The speaker: a loudspeaker, struck through when it is muted or cannot speak.
                Canvas {
                    objectName: "speakerIcon"
                    visible: modelData.name === "speaker"
                    anchors.verticalCenter: parent.verticalCenter
                    width: visible ? 24 : 0
                    height: 24
                    readonly property bool silent: modelData.level !== "ok"
                    readonly property color ink: Theme.muted
                    onSilentChanged: requestPaint()
                    onInkChanged: requestPaint()
                    onPaint: {
                        var ctx = getContext("2d")
                        ctx.reset()
                        ctx.fillStyle = ink
                        ctx.strokeStyle = ink
                        ctx.lineWidth = 2
                        ctx.beginPath()
                        ctx.moveTo(2, 8); ctx.lineTo(7, 8); ctx.lineTo(13, 3)
                        ctx.lineTo(13, 21); ctx.lineTo(7, 16); ctx.lineTo(2, 16)
                        ctx.closePath()
                        ctx.fill()
                        ctx.beginPath()
                        if (silent) {
                            ctx.moveTo(16, 8); ctx.lineTo(22, 16)
                            ctx.moveTo(22, 8); ctx.lineTo(16, 16)
                        } else {
                            ctx.arc(13, 12, 6, -Math.PI / 4, Math.PI / 4)
                            ctx.moveTo(13 + 10 * Math.cos(-Math.PI / 4), 12 + 10 * Math.sin(-Math.PI / 4))
                            ctx.arc(13, 12, 10, -Math.PI / 4, Math.PI / 4)
                        }
                        ctx.stroke()
                    }
                }
                Text {
                    text: deviceLabel(modelData.name, modelData.code)
                    color: Theme.muted
                    font.pixelSize: Theme.small
                    font.family: Theme.fontFamily
                }
            }
        }
    }
}
