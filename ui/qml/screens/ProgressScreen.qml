// Progress look-up: type the tracking number or scan the receipt's QR code; then every part of
// the filing with its status in plain words and dates (or the last known status when offline).
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import "../components"

ScreenFrame {
    objectName: "progressScreen"
    title: qsTr("Check the progress of a filing")
    subtitle: consult.scanning ? qsTr("Hold the QR code on your receipt up to the camera.")
                               : qsTr("Type the tracking number printed on your receipt, or scan its QR code.")

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap

        RowLayout {
            visible: !consult.scanning
            Layout.fillWidth: true
            spacing: Theme.gap
            TextField {
                id: numberField
                objectName: "trackingField"
                Accessible.name: qsTr("Tracking number")
                Layout.fillWidth: true
                Layout.preferredHeight: Theme.touch
                text: consult.query
                font.pixelSize: Theme.large
                font.family: Theme.fontFamily
                color: Theme.text
                placeholderText: qsTr("e.g. SND-SS-001-20261127-0001")
                placeholderTextColor: Theme.muted
                // Tracking numbers are Latin capitals, digits and dashes: no Pinyin here.
                // A tracking number leads to someone's filing: sensitive too.
                inputMethodHints: PersonalInput.hints | Qt.ImhPreferUppercase | Qt.ImhLatinOnly
                selectByMouse: false
                persistentSelection: false
                ContextMenu.menu: null
                Keys.onPressed: (event) => PersonalInput.refuseClipboard(event)
                onTextEdited: consult.setQuery(text)
                onAccepted: { OnScreenKeyboard.hide(); consult.lookUp() }
                background: Rectangle {
                    radius: Theme.radius
                    color: Theme.surface
                    border.color: consult.status === "invalid" ? Theme.danger
                                : (numberField.activeFocus ? Theme.primary : Theme.border)
                    border.width: numberField.activeFocus ? 3 : 2
                }
            }
            BigButton {
                objectName: "scanButton"
                text: qsTr("Scan QR code")
                Layout.preferredWidth: Math.round(300 * Theme.s)
                onClicked: { OnScreenKeyboard.hide(); consult.startScan() }
            }
        }

        Banner {
            objectName: "consultStatus"
            visible: consult.statusTitle !== ""
            tone: consult.busy ? "info" : "error"
            heading: consult.statusTitle
            detail: consult.statusDetail
            Layout.fillWidth: true
        }

        // The camera while scanning for the receipt's QR code.
        Rectangle {
            objectName: "qrViewport"
            visible: consult.scanning
            Layout.fillWidth: true
            Layout.fillHeight: true
            color: "#000000"
            radius: Theme.radius
            clip: true
            Image {
                id: qrLive
                objectName: "qrPreview"
                anchors.fill: parent
                fillMode: Image.PreserveAspectFit
                cache: false
                source: qrScan.active && qrScan.frameNo > 0 ? "image://qrscan/frame/" + qrScan.frameNo : ""
            }
            Rectangle {
                anchors.bottom: parent.bottom
                anchors.left: parent.left
                anchors.right: parent.right
                height: scanHint.implicitHeight + 2 * Theme.gap
                color: Qt.rgba(0, 0, 0, 0.65)
                Text {
                    id: scanHint
                    objectName: "scanHint"
                    anchors.centerIn: parent
                    width: parent.width - 2 * Theme.gap
                    text: qrScan.errorTitle !== ""
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
        }

        Flickable {
            id: resultFlick
            objectName: "progressResult"
            visible: !consult.scanning && consult.progressFound
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            contentHeight: resultCol.implicitHeight
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar { width: 16; policy: ScrollBar.AsNeeded }

            ColumnLayout {
                id: resultCol
                width: resultFlick.width - 24
                spacing: Theme.gap

                Banner {
                    objectName: "progressNotice"
                    visible: consult.progressNotice !== ""
                    tone: "info"
                    heading: consult.progressSource === "outbox" ? qsTr("Not yet sent to the service hall")
                                                                 : qsTr("Offline: last known status")
                    detail: consult.progressNotice
                    Layout.fillWidth: true
                }
                Text {
                    objectName: "progressHeadline"
                    text: consult.progressHeadline
                    font.pixelSize: Theme.title
                    font.bold: true
                    font.family: Theme.fontFamily
                    color: Theme.text
                    wrapMode: Text.WordWrap
                    Layout.fillWidth: true
                }
                Text {
                    text: (consult.progressService !== "" ? consult.progressService + "  ·  " : "")
                          + qsTr("Tracking number %1").arg(consult.progressTrackingNumber)
                    font.pixelSize: Theme.body
                    font.family: Theme.fontFamily
                    color: Theme.muted
                    wrapMode: Text.WrapAnywhere
                    Layout.fillWidth: true
                }
                Repeater {
                    model: consult.progressParts
                    delegate: Rectangle {
                        id: partCard
                        objectName: "part_" + modelData.id
                        readonly property var part: modelData
                        // Demands still say completed/rejected; the hall's part model closed/refused/not_accepted.
                        readonly property color tone: ["completed", "closed"].indexOf(partCard.part.status) >= 0 ? Theme.success
                                                    : ["needs_more", "rejected", "refused", "not_accepted"].indexOf(partCard.part.status) >= 0 ? Theme.danger
                                                    : Theme.primary
                        Layout.fillWidth: true
                        implicitHeight: partCol.implicitHeight + 2 * Theme.gap
                        radius: Theme.radius
                        color: Theme.surface
                        border.color: Theme.border
                        border.width: Theme.borderWidth
                        Rectangle {
                            width: 10; radius: 5
                            anchors { left: parent.left; top: parent.top; bottom: parent.bottom; margins: 16 }
                            color: partCard.tone
                        }
                        ColumnLayout {
                            id: partCol
                            anchors.fill: parent
                            anchors.leftMargin: Theme.gap * 2
                            anchors.rightMargin: Theme.gap
                            anchors.topMargin: Theme.gap
                            anchors.bottomMargin: Theme.gap
                            spacing: 6
                            Text {
                                text: partCard.part.name + (partCard.part.department !== "" ? "  ·  " + partCard.part.department : "")
                                font.pixelSize: Theme.body
                                font.family: Theme.fontFamily
                                color: Theme.muted
                                wrapMode: Text.WordWrap
                                Layout.fillWidth: true
                            }
                            Text {
                                text: partCard.part.words
                                font.pixelSize: Theme.large
                                font.bold: true
                                font.family: Theme.fontFamily
                                color: partCard.tone
                                wrapMode: Text.WordWrap
                                Layout.fillWidth: true
                            }
                            Text {
                                visible: partCard.part.updatedAt !== ""
                                text: qsTr("Updated %1").arg(partCard.part.updatedAt)
                                font.pixelSize: Theme.small
                                font.family: Theme.fontFamily
                                color: Theme.muted
                                Layout.fillWidth: true
                            }
                            Text {
                                visible: partCard.part.note !== ""
                                text: partCard.part.note
                                font.pixelSize: Theme.body
                                font.family: Theme.fontFamily
                                color: Theme.text
                                wrapMode: Text.WordWrap
                                Layout.fillWidth: true
                            }
                            Repeater {
                                model: partCard.part.steps
                                delegate: RowLayout {
                                    Layout.fillWidth: true
                                    spacing: Theme.gap / 2
                                    Text {
                                        text: (modelData.status === "done" ? "✓ " : "• ") + modelData.name
                                              + (modelData.party !== "" ? "（" + modelData.party + "）" : "")
                                        font.pixelSize: Theme.body
                                        font.family: Theme.fontFamily
                                        color: Theme.text
                                        wrapMode: Text.WordWrap
                                        Layout.fillWidth: true
                                    }
                                    Text {
                                        text: modelData.words + (modelData.updatedAt !== "" ? "  " + modelData.updatedAt : "")
                                        font.pixelSize: Theme.small
                                        font.family: Theme.fontFamily
                                        color: Theme.muted
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        Item {
            visible: !consult.scanning && !consult.progressFound
            Layout.fillHeight: true
        }
    }

    actions: [
        BigButton {
            objectName: "backButton"
            visible: !consult.scanning
            text: consult.progressFound ? qsTr("Another number") : qsTr("Back")
            Layout.preferredWidth: Math.round(320 * Theme.s)
            onClicked: consult.progressFound ? consult.newQuery() : consult.close()
        },
        BigButton {
            objectName: "stopScanButton"
            visible: consult.scanning
            text: qsTr("Type the number instead")
            Layout.fillWidth: true
            onClicked: consult.stopScan()
        },
        BigButton {
            objectName: "lookUpButton"
            visible: !consult.scanning && !consult.progressFound
            enabled: !consult.busy
            kind: "primary"
            text: qsTr("Look up")
            Layout.fillWidth: true
            onClicked: { OnScreenKeyboard.hide(); consult.lookUp() }
        },
        BigButton {
            objectName: "doneButton"
            visible: !consult.scanning && consult.progressFound
            kind: "primary"
            text: qsTr("Done")
            Layout.fillWidth: true
            onClicked: consult.close()
        }
    ]
}
