// The live call, under the screen: who helps, their latest guidance and chat, a chat line, and
// the walk-in's controls (stop sharing, hang up). It never covers the screen's primary action.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

Rectangle {
    id: bar
    objectName: "assistBar"
    visible: assist.phase === "live" || assist.phase === "reconnecting"
    implicitHeight: visible ? col.implicitHeight + 2 * theme.gap : 0
    color: theme.surfaceAlt
    border.color: theme.primary
    border.width: 3

    ColumnLayout {
        id: col
        anchors.fill: parent
        anchors.margins: theme.gap
        spacing: theme.gap / 2

        RowLayout {
            Layout.fillWidth: true
            spacing: theme.gap
            Text {
                objectName: "assistHelperName"
                text: assist.phase === "reconnecting" ? qsTr("Reconnecting to the helper…")
                    : qsTr("%1 is helping you").arg(assist.helperName)
                font.pixelSize: theme.large
                font.bold: true
                font.family: theme.fontFamily
                color: theme.primary
                elide: Text.ElideRight
                Layout.fillWidth: true
            }
            Text {
                objectName: "assistVideoState"
                visible: assist.videoState === "connected"
                text: qsTr("Video on")
                font.pixelSize: theme.small
                font.family: theme.fontFamily
                color: theme.success
            }
            Text {
                objectName: "assistSharingState"
                text: assist.consent ? qsTr("Sharing your form") : qsTr("Your answers are hidden")
                font.pixelSize: theme.small
                font.family: theme.fontFamily
                color: theme.muted
            }
        }
        Text {
            objectName: "assistGuidance"
            visible: assist.guidance !== ""
            text: assist.guidance
            font.pixelSize: theme.body
            font.family: theme.fontFamily
            color: theme.text
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
        Repeater {
            model: assist.chat.slice(-3)
            delegate: Text {
                text: (modelData.sender === "helper" ? qsTr("Helper: %1") : qsTr("You: %1"))
                        .arg(modelData.text)
                font.pixelSize: theme.body
                font.family: theme.fontFamily
                color: modelData.sender === "helper" ? theme.primary : theme.text
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
        }
        RowLayout {
            Layout.fillWidth: true
            spacing: theme.gap / 2
            TextField {
                id: chatField
                objectName: "assistChatField"
                placeholderText: qsTr("Write to the helper")
                font.pixelSize: theme.body
                font.family: theme.fontFamily
                Layout.fillWidth: true
                Layout.preferredHeight: theme.touch
                color: theme.text
                placeholderTextColor: theme.muted
                background: Rectangle {
                    radius: theme.radius
                    color: theme.surface
                    border.color: chatField.activeFocus ? theme.primary : theme.border
                    border.width: 2
                }
                onAccepted: { assist.sendChat(text); text = "" }
            }
            BigButton {
                objectName: "assistChatSendButton"
                text: qsTr("Send")
                onClicked: { assist.sendChat(chatField.text); chatField.text = "" }
            }
        }
        RowLayout {
            Layout.fillWidth: true
            spacing: theme.gap / 2
            BigButton {
                objectName: "assistShareButton"
                text: assist.consent ? qsTr("Stop sharing") : qsTr("Share my form")
                Layout.fillWidth: true
                onClicked: assist.consent ? assist.revokeConsent() : assist.grantConsent()
            }
            BigButton {
                objectName: "assistHangUpButton"
                kind: "quiet"
                text: qsTr("End help")
                Layout.fillWidth: true
                onClicked: assist.hangUp()
            }
        }
    }
}
