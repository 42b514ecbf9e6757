// 办理企业: the enterprises the card holder may act for (from the hall's register), the
// enterprise's 一企一码 or e-licence QR, a typed unified social credit code, or file as an
// individual. Nothing here is kept after the session (kiosk/session/enterprise.py).
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import "../components"

ScreenFrame {
    objectName: "enterpriseScreen"
    readonly property bool busy: enterprise.status === "busy"
    title: qsTr("Filing for an enterprise")
    subtitle: enterprise.scanning ? qsTr("Hold the enterprise's QR code (enterprise code or electronic business licence) up to the camera.")
            : enterprise.items.length > 0 ? qsTr("Choose the enterprise you act for, or find another one.")
            : qsTr("Scan the enterprise's code or type its unified social credit code.")

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap

        Banner {
            objectName: "enterpriseReason"
            visible: enterprise.reasonTitle !== "" || enterprise.unavailableText !== ""
            heading: enterprise.reasonTitle !== "" ? enterprise.reasonTitle : enterprise.unavailableText
            detail: enterprise.reasonStep
            Layout.fillWidth: true
        }
        // Not authorised: a person can help (the assist button's call).
        BigButton {
            objectName: "enterpriseHelpButton"
            visible: enterprise.refusal === "not_authorised" || enterprise.refusal === "no_authorised_people"
            text: qsTr("Call a helper")
            Layout.fillWidth: true
            onClicked: assist.requestHelp()
        }
        Text {
            objectName: "enterpriseBusy"
            visible: busy || enterprise.status === "listing"
            text: qsTr("Asking the enterprise register…")
            font.pixelSize: Theme.large
            font.family: Theme.fontFamily
            color: Theme.muted
            Layout.fillWidth: true
        }

        // The camera while scanning for the enterprise's QR code.
        Rectangle {
            objectName: "enterpriseQrViewport"
            visible: enterprise.scanning
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
                      ? qrScan.errorTitle + "\n" + qsTr("Please type the unified social credit code instead.")
                      : qsTr("Looking for the QR code…")
                font.pixelSize: Theme.large
                font.bold: true
                font.family: Theme.fontFamily
                color: "#FFFFFF"
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.WordWrap
            }
        }

        ListView {
            id: list
            objectName: "enterpriseList"
            visible: !enterprise.scanning
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: Theme.gap / 2
            boundsBehavior: Flickable.StopAtBounds
            model: enterprise.items
            delegate: Button {
                id: tile
                objectName: "enterprise_" + index
                // The words are drawn by contentItem: the button itself has no text.
                Accessible.name: modelData.name + "  ·  " + qsTr("You: %1").arg(modelData.role)
                width: ListView.view.width
                implicitHeight: tileCol.implicitHeight + 2 * Theme.gap
                focusPolicy: Qt.NoFocus
                enabled: !busy
                onClicked: enterprise.choose(modelData.id)
                background: Rectangle {
                    radius: Theme.radius
                    color: tile.down ? Theme.surfaceAlt : Theme.surface
                    border.color: Theme.primary
                    border.width: Theme.borderWidth
                }
                contentItem: ColumnLayout {
                    id: tileCol
                    spacing: 6
                    anchors.fill: parent
                    anchors.margins: Theme.gap
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
                        text: qsTr("Legal representative: %1").arg(modelData.legalRep) + "  ·  " + qsTr("You: %1").arg(modelData.role)
                        font.pixelSize: Theme.body
                        font.family: Theme.fontFamily
                        color: Theme.muted
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                    // Policies the hall pushed to it (免申即享): a tap opens them on the policies screen.
                    Button {
                        objectName: "enterprisePolicies_" + index
                        visible: modelData.policies > 0
                        text: qsTr("You have %1 policies you can apply for").arg(modelData.policies)
                        font.pixelSize: Theme.body
                        font.family: Theme.fontFamily
                        focusPolicy: Qt.NoFocus
                        enabled: !busy
                        Layout.preferredHeight: Theme.touch
                        onClicked: enterprise.showPolicies(modelData.id)
                    }
                }
            }
        }

        ColumnLayout {
            visible: !enterprise.scanning
            Layout.fillWidth: true
            spacing: Theme.gap / 2
            BigButton {
                objectName: "enterpriseScanButton"
                text: qsTr("Scan the enterprise code or electronic business licence")
                enabled: !busy
                Layout.fillWidth: true
                onClicked: { OnScreenKeyboard.hide(); enterprise.startScan() }
            }
            RowLayout {
                Layout.fillWidth: true
                spacing: Theme.gap / 2
                TextField {
                    id: usccField
                    objectName: "enterpriseUsccField"
                    Accessible.name: placeholderText
                    Layout.fillWidth: true
                    Layout.preferredHeight: Theme.touch
                    text: enterprise.typed
                    maximumLength: 18
                    font.pixelSize: Theme.large
                    font.family: Theme.fontFamily
                    color: Theme.text
                    placeholderText: qsTr("Type the unified social credit code")
                    placeholderTextColor: Theme.muted
                    inputMethodHints: PersonalInput.hints | Qt.ImhPreferUppercase | Qt.ImhLatinOnly
                    selectByMouse: false
                    persistentSelection: false
                    ContextMenu.menu: null
                    Keys.onPressed: (event) => PersonalInput.refuseClipboard(event)
                    onAccepted: { OnScreenKeyboard.hide(); enterprise.submitUscc(text) }
                    background: Rectangle {
                        radius: Theme.radius
                        color: Theme.surface
                        border.color: enterprise.refusal.indexOf("uscc") === 0 ? Theme.danger
                                    : (usccField.activeFocus ? Theme.primary : Theme.border)
                        border.width: usccField.activeFocus ? 3 : 2
                    }
                }
                BigButton {
                    objectName: "enterpriseUsccButton"
                    text: qsTr("Look up")
                    kind: "primary"
                    enabled: !busy
                    Layout.preferredWidth: Math.round(260 * Theme.s)
                    onClicked: { OnScreenKeyboard.hide(); enterprise.submitUscc(usccField.text) }
                }
            }
        }
    }

    actions: [
        BigButton {
            objectName: "enterpriseStopScanButton"
            visible: enterprise.scanning
            text: qsTr("Stop scanning")
            Layout.fillWidth: true
            onClicked: enterprise.stopScan()
        },
        BigButton {
            objectName: "asIndividualButton"
            visible: !enterprise.scanning
            text: qsTr("File as an individual")
            Layout.fillWidth: true
            onClicked: { OnScreenKeyboard.hide(); enterprise.asIndividual() }
        },
        BigButton {
            objectName: "cancelButton"
            text: qsTr("Exit")
            Layout.preferredWidth: Math.round(260 * Theme.s)
            onClicked: session.cancel()
        }
    ]
}
