// Remote help (远程帮办) dialogs over the current screen: waiting for a helper, the consent
// question, the walk-in's confirmation of a helper's submit, a photo request, and what happened
// when a call could not start or ended without the walk-in's hand. The form stays underneath,
// untouched: closing any of these returns to it as it was.
import QtQuick
import QtQuick.Layouts

Rectangle {
    id: overlay
    objectName: "assistOverlay"
    readonly property string card: assist.notice !== "" ? "notice"
        : assist.submitAsked ? "submit"
        : assist.consentAsked ? "consent"
        : assist.captureLabel !== "" ? "capture"
        : (assist.phase === "connecting" || assist.phase === "waiting") ? "waiting"
        : ""
    visible: card !== ""
    color: Qt.rgba(0, 0, 0, 0.6)

    function noticeTitle() {
        if (assist.notice === "unreachable")
            return qsTr("The service hall cannot be reached right now")
        if (assist.notice === "helper_left")
            return qsTr("The helper has left the call")
        return qsTr("The connection to the helper was lost")
    }
    function noticeDetail() {
        if (assist.notice === "helper_left")
            return qsTr("Your answers are kept. You can ask for another helper or continue on your own.")
        return qsTr("Your answers are kept. You can continue on your own, or ask the station staff.")
    }

    MouseArea { anchors.fill: parent }   // swallow touches behind the dialog

    Rectangle {
        anchors.centerIn: parent
        width: parent.width - 2 * Theme.margin * 2
        height: box.implicitHeight + 2 * Theme.margin
        radius: Theme.radius * 2
        color: Theme.surface
        border.color: Theme.border
        border.width: Theme.borderWidth

        ColumnLayout {
            id: box
            anchors.fill: parent
            anchors.margins: Theme.margin
            spacing: Theme.gap * 1.5

            // --- waiting for a helper ---
            Text {
                objectName: "assistWaitingTitle"
                visible: overlay.card === "waiting"
                text: qsTr("Calling a helper at the service hall…")
                font.pixelSize: Theme.title
                font.bold: true
                font.family: Theme.fontFamily
                color: Theme.text
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
            Text {
                objectName: "assistQueuePosition"
                visible: overlay.card === "waiting"
                text: assist.phase === "connecting" ? qsTr("Connecting…")
                    : assist.position === 0 ? qsTr("You are next in line.")
                    : qsTr("%n people ahead of you.", "", assist.position)
                font.pixelSize: Theme.large
                font.family: Theme.fontFamily
                color: Theme.muted
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
            BigButton {
                objectName: "assistCancelButton"
                visible: overlay.card === "waiting"
                text: qsTr("Cancel and continue on my own")
                Layout.fillWidth: true
                onClicked: assist.hangUp()
            }

            // --- consent ---
            Text {
                visible: overlay.card === "consent"
                text: qsTr("%1 from the service hall is here to help").arg(assist.helperName)
                textFormat: Text.PlainText
                font.pixelSize: Theme.title
                font.bold: true
                font.family: Theme.fontFamily
                color: Theme.text
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
            Text {
                objectName: "assistConsentText"
                visible: overlay.card === "consent"
                text: qsTr("May the helper see what you type on this form and the photos you take here? Until you agree, the helper sees only which fields are filled. You can stop sharing at any time.")
                font.pixelSize: Theme.body
                font.family: Theme.fontFamily
                color: Theme.text
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
            BigButton {
                objectName: "assistConsentButton"
                visible: overlay.card === "consent"
                kind: "primary"
                text: qsTr("Yes, share my form")
                Layout.fillWidth: true
                onClicked: assist.grantConsent()
            }
            BigButton {
                objectName: "assistDeclineConsentButton"
                visible: overlay.card === "consent"
                text: qsTr("No, keep my answers hidden")
                Layout.fillWidth: true
                onClicked: assist.declineConsent()
            }

            // --- the helper proposes to submit ---
            Text {
                visible: overlay.card === "submit"
                text: qsTr("Submit this application now?")
                font.pixelSize: Theme.title
                font.bold: true
                font.family: Theme.fontFamily
                color: Theme.text
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
            Text {
                visible: overlay.card === "submit"
                text: qsTr("The helper thinks your form is complete. Only you can submit it.")
                font.pixelSize: Theme.body
                font.family: Theme.fontFamily
                color: Theme.text
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
            BigButton {
                objectName: "assistConfirmSubmitButton"
                visible: overlay.card === "submit"
                kind: "primary"
                text: qsTr("Yes, submit")
                Layout.fillWidth: true
                onClicked: assist.confirmSubmit()
            }
            BigButton {
                objectName: "assistDeclineSubmitButton"
                visible: overlay.card === "submit"
                text: qsTr("Not yet")
                Layout.fillWidth: true
                onClicked: assist.declineSubmit()
            }

            // --- the helper asks for a photo ---
            Text {
                visible: overlay.card === "capture"
                text: qsTr("The helper asks for a photo of: %1").arg(assist.captureLabel)
                textFormat: Text.PlainText  // an unknown material shows the helper's own id
                font.pixelSize: Theme.large
                font.bold: true
                font.family: Theme.fontFamily
                color: Theme.text
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
            BigButton {
                objectName: "assistTakePhotoButton"
                visible: overlay.card === "capture"
                kind: "primary"
                text: qsTr("Take the photo")
                Layout.fillWidth: true
                onClicked: assist.takePhoto()
            }
            BigButton {
                objectName: "assistSkipPhotoButton"
                visible: overlay.card === "capture"
                text: qsTr("Not now")
                Layout.fillWidth: true
                onClicked: assist.dismissCapture()
            }

            // --- a call that could not start, or ended without the walk-in ---
            Text {
                objectName: "assistNoticeTitle"
                visible: overlay.card === "notice"
                text: overlay.noticeTitle()
                font.pixelSize: Theme.title
                font.bold: true
                font.family: Theme.fontFamily
                color: Theme.text
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
            Text {
                visible: overlay.card === "notice"
                text: overlay.noticeDetail()
                font.pixelSize: Theme.body
                font.family: Theme.fontFamily
                color: Theme.text
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
            BigButton {
                objectName: "assistContinueAloneButton"
                visible: overlay.card === "notice"
                kind: "primary"
                text: qsTr("Continue on my own")
                Layout.fillWidth: true
                onClicked: assist.dismiss()
            }
            BigButton {
                objectName: "assistAskAgainButton"
                visible: overlay.card === "notice" && assist.notice === "helper_left"
                text: qsTr("Ask for another helper")
                Layout.fillWidth: true
                onClicked: assist.requestHelp()
            }
        }
    }
}
