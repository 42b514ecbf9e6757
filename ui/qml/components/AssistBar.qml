// The live call, under the screen: the helper's video, who helps, their latest guidance and
// chat, a chat line, and the walk-in's controls (stop sharing, hang up). It never covers the
// screen's primary action.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

Rectangle {
    id: bar
    objectName: "assistBar"
    visible: assist.phase === "live" || assist.phase === "reconnecting"
    implicitHeight: visible
        ? Math.max(col.implicitHeight, videoPane.visible ? videoPane.Layout.preferredHeight : 0)
          + 2 * Theme.gap
        : 0
    color: Theme.surfaceAlt
    border.color: Theme.primary
    border.width: 3

    RowLayout {
        anchors.fill: parent
        anchors.margins: Theme.gap
        spacing: Theme.gap

        // The helper's camera, once video is on (the pictures come from the "assist" provider).
        Rectangle {
            id: videoPane
            objectName: "assistHelperVideo"
            visible: assist.videoState !== ""
            Layout.alignment: Qt.AlignTop
            Layout.preferredHeight: 224  // not scaled in care mode: the words need the room
            Layout.preferredWidth: Math.round(Layout.preferredHeight * 4 / 3)
            radius: Theme.radius
            color: "#1b1b1b"
            clip: true

            Image {
                objectName: "assistHelperPicture"
                anchors.fill: parent
                visible: assist.helperFrame > 0
                fillMode: Image.PreserveAspectFit
                cache: false
                source: assist.helperFrame > 0 ? "image://assist/helper/" + assist.helperFrame : ""
            }
            Text {
                objectName: "assistVideoState"
                visible: assist.videoState === "connected"
                anchors.left: parent.left
                anchors.bottom: parent.bottom
                anchors.margins: 6
                text: qsTr("Video on")
                font.pixelSize: Theme.small
                font.family: Theme.fontFamily
                color: "#ffffff"
                style: Text.Outline
                styleColor: "#000000"
            }
            Text {
                visible: assist.helperFrame === 0
                anchors.fill: parent
                anchors.margins: Theme.gap / 2
                text: assist.videoState === "failed" ? qsTr("Video unavailable")
                    : qsTr("Connecting video…")
                font.pixelSize: Theme.small
                font.family: Theme.fontFamily
                color: "#ffffff"
                wrapMode: Text.WordWrap
                horizontalAlignment: Text.AlignHCenter
                verticalAlignment: Text.AlignVCenter
            }
        }

        ColumnLayout {
            id: col
            Layout.fillWidth: true
            Layout.alignment: Qt.AlignTop
            spacing: Theme.gap / 2

            // Who helps (wrapping, never elided: in care mode the words are large) and what the
            // helper can see.
            Text {
                objectName: "assistHelperName"
                text: assist.phase === "reconnecting" ? qsTr("Reconnecting to the helper…")
                    : qsTr("%1 is helping you").arg(assist.helperName)
                textFormat: Text.PlainText  // a name from the hall: never markup
                font.pixelSize: Theme.large
                font.bold: true
                font.family: Theme.fontFamily
                color: Theme.primary
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
            Text {
                objectName: "assistSharingState"
                text: assist.consent ? qsTr("Sharing your form") : qsTr("Your answers are hidden")
                font.pixelSize: Theme.small
                font.family: Theme.fontFamily
                color: Theme.muted
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
            Text {
                objectName: "assistGuidance"
                visible: assist.guidance !== ""
                text: assist.guidance
                // The helper's words, shown as typed: AutoText would render tags (an <img> fetch).
                textFormat: Text.PlainText
                font.pixelSize: Theme.body
                font.family: Theme.fontFamily
                color: Theme.text
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
            Repeater {
                model: assist.chat.slice(-3)
                delegate: Text {
                    objectName: "assistChatLine"
                    text: (modelData.sender === "helper" ? qsTr("Helper: %1") : qsTr("You: %1"))
                            .arg(modelData.text)
                    textFormat: Text.PlainText  // chat is text, whatever tags it holds
                    font.pixelSize: Theme.body
                    font.family: Theme.fontFamily
                    color: modelData.sender === "helper" ? Theme.primary : Theme.text
                    wrapMode: Text.WordWrap
                    Layout.fillWidth: true
                }
            }
            RowLayout {
                Layout.fillWidth: true
                spacing: Theme.gap / 2
                TextField {
                    id: chatField
                    objectName: "assistChatField"
                    Accessible.name: placeholderText
                    placeholderText: qsTr("Write to the helper")
                    font.pixelSize: Theme.body
                    font.family: Theme.fontFamily
                    Layout.fillWidth: true
                    Layout.preferredHeight: Theme.touch
                    color: Theme.text
                    placeholderTextColor: Theme.muted
                    // Chat is free text: the walk-in may write a name or number in it.
                    inputMethodHints: PersonalInput.hints
                    selectByMouse: false
                    persistentSelection: false
                    ContextMenu.menu: null
                    Keys.onPressed: (event) => PersonalInput.refuseClipboard(event)
                    background: Rectangle {
                        radius: Theme.radius
                        color: Theme.surface
                        border.color: chatField.activeFocus ? Theme.primary : Theme.border
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
                spacing: Theme.gap / 2
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
}
