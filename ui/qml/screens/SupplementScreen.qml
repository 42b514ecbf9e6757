// 补正: hand in the material an officer asked for. Scan the receipt's QR code, or type the
// tracking number (the ID card read at the start proves it); then each missing material with the
// officer's reason, a photo of each, confirm; then the hand-in's own tracking number.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import "../components"

ScreenFrame {
    objectName: "supplementScreen"
    readonly property bool finding: ["", "busy", "invalid", "card_required", "not_found",
                                     "not_waiting", "unavailable", "rate_limited",
                                     "qr_foreign"].indexOf(supplement.status) >= 0
    readonly property bool queued: supplement.status === "queued"
    title: queued ? qsTr("Your material has been handed in")
                  : qsTr("Hand in missing material")
    subtitle: queued ? qsTr("It goes to the officer with your filing; the review continues.")
            : supplement.scanning ? qsTr("Hold the QR code on your receipt up to the camera.")
            : finding ? qsTr("Scan the QR code on your receipt, or type its tracking number.")
            : qsTr("Photograph each material below, then confirm.")

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap

        // The number on a row of its own: it must stay readable in care mode's large type.
        ColumnLayout {
            visible: finding && !supplement.scanning
            Layout.fillWidth: true
            spacing: Theme.gap
            TextField {
                id: numberField
                objectName: "supplementTrackingField"
                Accessible.name: qsTr("Tracking number")
                Layout.fillWidth: true
                Layout.preferredHeight: Theme.touch
                text: supplement.query
                font.pixelSize: Theme.large
                font.family: Theme.fontFamily
                color: Theme.text
                placeholderText: qsTr("e.g. QH001-20261123-0001")
                placeholderTextColor: Theme.muted
                // A tracking number leads to someone's filing: sensitive, Latin only.
                inputMethodHints: PersonalInput.hints | Qt.ImhPreferUppercase | Qt.ImhLatinOnly
                selectByMouse: false
                persistentSelection: false
                ContextMenu.menu: null
                Keys.onPressed: (event) => PersonalInput.refuseClipboard(event)
                onAccepted: { OnScreenKeyboard.hide(); supplement.lookUp(text) }
                background: Rectangle {
                    radius: Theme.radius
                    color: Theme.surface
                    border.color: supplement.status === "invalid" ? Theme.danger
                                : (numberField.activeFocus ? Theme.primary : Theme.border)
                    border.width: numberField.activeFocus ? 3 : 2
                }
            }
            RowLayout {
                Layout.fillWidth: true
                spacing: Theme.gap
                BigButton {
                    objectName: "supplementLookUpButton"
                    text: qsTr("Look up")
                    kind: "primary"
                    enabled: !supplement.busy
                    Layout.fillWidth: true
                    Layout.preferredWidth: 1
                    onClicked: { OnScreenKeyboard.hide(); supplement.lookUp(numberField.text) }
                }
                BigButton {
                    objectName: "supplementScanButton"
                    text: qsTr("Scan QR code")
                    enabled: !supplement.busy
                    Layout.fillWidth: true
                    Layout.preferredWidth: 1
                    onClicked: { OnScreenKeyboard.hide(); supplement.startScan() }
                }
            }
        }

        Banner {
            objectName: "supplementStatus"
            visible: supplement.statusTitle !== ""
            tone: supplement.busy ? "info" : "error"
            heading: supplement.statusTitle
            detail: supplement.statusDetail
            code: supplement.statusCode  // for the station staff: 429 is not an outage
            Layout.fillWidth: true
        }

        // Only the hall knows what is missing: without it, a person can help.
        BigButton {
            objectName: "supplementHelpButton"
            visible: supplement.status === "unavailable"
            text: qsTr("Get remote help")
            Layout.fillWidth: true
            onClicked: assist.requestHelp()
        }

        // The camera while scanning for the receipt's QR code.
        Rectangle {
            objectName: "supplementQrViewport"
            visible: supplement.scanning
            Layout.fillWidth: true
            Layout.fillHeight: true
            color: "#000000"
            radius: Theme.radius
            clip: true
            Image {
                anchors.fill: parent
                fillMode: Image.PreserveAspectFit
                cache: false
                source: qrScan && qrScan.active && qrScan.frameNo > 0 ? "image://qrscan/frame/" + qrScan.frameNo : ""
            }
            Text {
                anchors.centerIn: parent
                width: parent.width - 2 * Theme.gap
                text: qrScan && qrScan.errorTitle !== ""
                      ? qrScan.errorTitle + "\n" + qsTr("Please type the tracking number instead.")
                      : qsTr("Looking for the QR code…")
                font.pixelSize: Theme.large
                font.bold: true
                font.family: Theme.fontFamily
                color: "#FFFFFF"
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.WordWrap
            }
        }

        // Several parts of one filing may wait: the walk-in hands in for one at a time.
        RowLayout {
            visible: !finding && !queued && supplement.parts.length > 1
            Layout.fillWidth: true
            spacing: Theme.gap / 2
            Repeater {
                model: supplement.parts
                delegate: ChoiceChip {
                    objectName: "supplementPart_" + modelData.partId
                    text: modelData.name
                    selected: modelData.chosen
                    onClicked: supplement.choosePart(modelData.partId)
                }
            }
        }

        ListView {
            id: itemList
            objectName: "supplementItems"
            visible: !finding && !queued
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: Theme.gap / 2
            model: supplement.items
            delegate: Rectangle {
                id: card
                objectName: "supplementItem_" + modelData.material
                width: itemList.width
                implicitHeight: itemRow.implicitHeight + 2 * Theme.gap
                radius: Theme.radius
                color: Theme.surface
                border.color: modelData.photographed ? Theme.success : Theme.border
                border.width: Theme.borderWidth
                RowLayout {
                    id: itemRow
                    anchors.fill: parent
                    anchors.margins: Theme.gap
                    spacing: Theme.gap
                    ColumnLayout {
                        Layout.fillWidth: true
                        spacing: 6
                        Text {
                            text: modelData.name
                            font.pixelSize: Theme.large
                            font.bold: true
                            font.family: Theme.fontFamily
                            color: Theme.text
                            wrapMode: Text.WordWrap
                            Layout.fillWidth: true
                        }
                        Text {
                            // The officer's reason, in the words the officer wrote.
                            text: qsTr("Why: %1").arg(modelData.reason)
                            font.pixelSize: Theme.body
                            font.family: Theme.fontFamily
                            color: Theme.muted
                            wrapMode: Text.WordWrap
                            Layout.fillWidth: true
                        }
                        Text {
                            text: modelData.photographed ? qsTr("Photographed") : qsTr("Not photographed yet")
                            font.pixelSize: Theme.body
                            font.bold: true
                            font.family: Theme.fontFamily
                            color: modelData.photographed ? Theme.success : Theme.danger
                            Layout.fillWidth: true
                        }
                    }
                    BigButton {
                        objectName: "supplementPhoto_" + modelData.material
                        text: modelData.photographed ? qsTr("Retake") : qsTr("Photograph")
                        kind: modelData.photographed ? "secondary" : "primary"
                        enabled: !supplement.busy
                        Layout.preferredWidth: Math.round(260 * Theme.s)
                        onClicked: supplement.photograph(modelData.material)
                    }
                }
            }
        }

        ColumnLayout {
            visible: queued
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: Theme.gap
            Text {
                text: qsTr("Hand-in number")
                font.pixelSize: Theme.body
                font.family: Theme.fontFamily
                color: Theme.muted
            }
            Text {
                objectName: "supplementTrackingNumber"
                text: supplement.trackingNumber
                font.pixelSize: Theme.title
                font.bold: true
                font.family: Theme.fontFamily
                color: Theme.text
                wrapMode: Text.WrapAnywhere
                Layout.fillWidth: true
            }
            Text {
                text: qsTr("It is sent to the service hall automatically, also if the network is down now. You will be told by SMS how it goes; the progress shows it too.")
                font.pixelSize: Theme.body
                font.family: Theme.fontFamily
                color: Theme.text
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
            Item { Layout.fillHeight: true }
        }

        // Keeps the look-up at the top while nothing below it fills the screen.
        Item {
            visible: finding && !supplement.scanning
            Layout.fillHeight: true
        }
    }

    actions: [
        BigButton {
            objectName: "supplementBackButton"
            visible: !queued && !supplement.scanning
            text: finding ? qsTr("Back") : qsTr("Another filing")
            enabled: !supplement.busy
            Layout.preferredWidth: Math.round(320 * Theme.s)
            onClicked: finding ? supplement.close() : supplement.again()
        },
        BigButton {
            objectName: "supplementStopScanButton"
            visible: supplement.scanning
            text: qsTr("Type the number instead")
            Layout.fillWidth: true
            onClicked: supplement.stopScan()
        },
        BigButton {
            objectName: "supplementConfirmButton"
            visible: !finding && !queued
            kind: "primary"
            text: qsTr("Confirm and hand in")
            enabled: supplement.canConfirm
            Layout.fillWidth: true
            onClicked: supplement.confirm()
        },
        BigButton {
            objectName: "supplementDoneButton"
            visible: queued
            kind: "primary"
            text: qsTr("Done")
            Layout.fillWidth: true
            onClicked: supplement.finish()
        }
    ]
}
