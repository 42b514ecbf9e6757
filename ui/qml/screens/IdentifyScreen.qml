// Identify: place the ID card on the reader; or go on without one for anonymous services.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import "../components"

ScreenFrame {
    id: identify
    objectName: "identifyScreen"
    readonly property bool contactless: kioskInfo.readerKind === "contactless"
    // A passport or travel-permit chip opens only with three items typed from its photo page.
    readonly property bool mrzMode: session.cardStatus === "CARD_MRZ_REQUIRED"
                                    || session.cardStatus === "CARD_MRZ_MISMATCH"
    title: mrzMode ? qsTr("Enter three items from your passport")
         : contactless ? qsTr("Hold your card or passport on the reader")
         : qsTr("Place your ID card on the reader")
    subtitle: mrzMode ? qsTr("They are printed on the photo page. Keep the passport on the reader.")
            : contactless ? qsTr("Social security card, passport or travel permit with a chip.")
            : qsTr("Resident ID card, Hong Kong/Macau/Taiwan residence permit or foreign permanent resident ID card.")

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap * 2
        visible: identify.mrzMode
        Banner {
            objectName: "mrzMismatch"
            visible: session.cardStatus === "CARD_MRZ_MISMATCH"
            heading: session.cardMessage
            detail: session.cardNextStep
            code: session.cardStatus
            Layout.fillWidth: true
        }
        MrzField {
            id: mrzDoc; name: "document_number"; label: qsTr("Document number"); latin: true
            maskKind: "passport"
        }
        MrzField { id: mrzBirth; name: "birth_date"; label: qsTr("Date of birth (YYYY-MM-DD)") }
        MrzField { id: mrzExpiry; name: "expiry_date"; label: qsTr("Date of expiry (YYYY-MM-DD)") }
        BigButton {
            objectName: "readMrzButton"
            kind: "primary"
            text: qsTr("Read the chip")
            Layout.fillWidth: true
            onClicked: { OnScreenKeyboard.hide(); session.submitMrz(mrzDoc.text, mrzBirth.text, mrzExpiry.text) }
        }
        Item { Layout.fillHeight: true }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap * 2
        visible: !identify.mrzMode

        // The reader and a card gliding onto it: shows where and how to place the card.
        Item {
            Layout.fillWidth: true
            Layout.preferredHeight: Math.round(520 * Math.min(Theme.s, 1.15))
            Rectangle {
                id: reader
                width: 520; height: 140
                radius: 24
                anchors.horizontalCenter: parent.horizontalCenter
                anchors.bottom: parent.bottom
                anchors.bottomMargin: 40
                color: Theme.contrast ? "#333333" : "#2B3A4F"
                Rectangle {
                    width: 420; height: 20; radius: 10
                    anchors.centerIn: parent
                    color: session.cardStatus === "reading" ? Theme.success : Theme.primary
                    opacity: 0.8
                }
            }
            Rectangle {
                id: card
                width: 340; height: 214; radius: 18
                anchors.horizontalCenter: parent.horizontalCenter
                color: Theme.contrast ? "#FFD400" : "#DCE9F7"
                border.color: Theme.primary
                border.width: 4
                y: 20
                Text {
                    anchors.centerIn: parent
                    text: identify.contactless ? qsTr("Card or passport") : qsTr("ID card")
                    font.pixelSize: Theme.large
                    font.family: Theme.fontFamily
                    color: Theme.contrast ? "#000000" : Theme.primary
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
            font.pixelSize: Theme.body
            font.family: Theme.fontFamily
            color: Theme.muted
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

    component MrzField: ColumnLayout {
        id: mrzField
        property string name
        property string label
        property bool latin: false
        // "passport": the document number is masked (E1*****78) except while it has focus, so
        // the field keeps what was typed here and shows it through the one masking rule.
        property string maskKind: ""
        property string text: ""
        Layout.fillWidth: true
        spacing: 6
        Text {
            text: mrzField.label
            font.pixelSize: Theme.body
            font.bold: true
            font.family: Theme.fontFamily
            color: Theme.text
        }
        TextField {
            id: input
            objectName: "mrz_" + mrzField.name
            Accessible.name: mrzField.label
            Layout.fillWidth: true
            Layout.preferredHeight: Theme.touch
            font.pixelSize: Theme.large
            font.family: Theme.fontFamily
            color: Theme.text
            text: input.activeFocus ? mrzField.text : masking.mask(mrzField.maskKind, mrzField.text)
            onTextEdited: mrzField.text = text
            inputMethodHints: PersonalInput.hints | (mrzField.latin
                ? (Qt.ImhPreferUppercase | Qt.ImhLatinOnly) : Qt.ImhFormattedNumbersOnly)
            selectByMouse: false
            persistentSelection: false
            ContextMenu.menu: null
            Keys.onPressed: (event) => PersonalInput.refuseClipboard(event)
            background: Rectangle {
                radius: Theme.radius
                color: Theme.surface
                border.color: session.mrzErrors[mrzField.name] ? Theme.danger
                            : (input.activeFocus ? Theme.primary : Theme.border)
                border.width: 2
            }
        }
        Text {
            visible: text !== ""
            text: session.mrzErrors[mrzField.name] || ""
            font.pixelSize: Theme.body
            font.family: Theme.fontFamily
            color: Theme.danger
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
    }

    actions: [
        BigButton {
            objectName: "cancelButton"
            text: qsTr("Exit")
            Layout.preferredWidth: Math.round(300 * Theme.s)
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
