// Identify: place the ID card on the reader; or go on without one for anonymous services.
import QtQuick
import QtQuick.Layouts
import "../components"

ScreenFrame {
    objectName: "identifyScreen"
    title: qsTr("Place your ID card on the reader")
    subtitle: qsTr("Resident ID card, Hong Kong/Macau/Taiwan residence permit or foreign permanent resident ID card.")

    ColumnLayout {
        anchors.fill: parent
        spacing: theme.gap * 2

        // The reader and a card gliding onto it: shows where and how to place the card.
        Item {
            Layout.fillWidth: true
            Layout.preferredHeight: Math.round(520 * Math.min(theme.s, 1.15))
            Rectangle {
                id: reader
                width: 520; height: 140
                radius: 24
                anchors.horizontalCenter: parent.horizontalCenter
                anchors.bottom: parent.bottom
                anchors.bottomMargin: 40
                color: theme.contrast ? "#333333" : "#2B3A4F"
                Rectangle {
                    width: 420; height: 20; radius: 10
                    anchors.centerIn: parent
                    color: session.cardStatus === "reading" ? theme.success : theme.primary
                    opacity: 0.8
                }
            }
            Rectangle {
                id: card
                width: 340; height: 214; radius: 18
                anchors.horizontalCenter: parent.horizontalCenter
                color: theme.contrast ? "#FFD400" : "#DCE9F7"
                border.color: theme.primary
                border.width: 4
                y: 20
                Text {
                    anchors.centerIn: parent
                    text: qsTr("ID card")
                    font.pixelSize: theme.large
                    font.family: theme.fontFamily
                    color: theme.contrast ? "#000000" : theme.primary
                }
                SequentialAnimation on y {
                    running: session.cardStatus === "reading"
                    loops: Animation.Infinite
                    NumberAnimation { from: 20; to: 250; duration: 1400; easing.type: Easing.InOutQuad }
                    PauseAnimation { duration: 700 }
                    NumberAnimation { from: 250; to: 20; duration: 400 }
                }
            }
        }

        Text {
            objectName: "cardProgress"
            visible: session.cardStatus === "reading"
            text: qsTr("Waiting for your card… keep it flat and still until you hear a beep.")
            font.pixelSize: theme.body
            font.family: theme.fontFamily
            color: theme.muted
            wrapMode: Text.WordWrap
            horizontalAlignment: Text.AlignHCenter
            Layout.fillWidth: true
        }

        Banner {
            objectName: "cardError"
            visible: session.cardMessage !== ""
            heading: session.cardMessage
            detail: session.cardNextStep
            code: session.cardStatus
            Layout.fillWidth: true
        }
        BigButton {
            objectName: "retryCardButton"
            visible: session.cardMessage !== ""
            kind: "primary"
            text: qsTr("Read the card again")
            Layout.fillWidth: true
            onClicked: session.retryCard()
        }
        Item { Layout.fillHeight: true }
    }

    actions: [
        BigButton {
            objectName: "cancelButton"
            text: qsTr("Exit")
            Layout.preferredWidth: Math.round(300 * theme.s)
            onClicked: session.cancel()
        },
        BigButton {
            objectName: "skipIdentityButton"
            text: qsTr("Continue without a card (questions only)")
            Layout.fillWidth: true
            onClicked: session.skipIdentity()
        }
    ]
}
