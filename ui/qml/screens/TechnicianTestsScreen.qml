// Technician mode: test print, test card read (masked), network test to the hall, camera preview,
// the speech volume.
import QtQuick
import QtQuick.Layouts
import "../components"

TechnicianFrame {
    objectName: "technicianTestsScreen"
    title: qsTr("Device tests")
    section: "Tests"

    Flickable {
        id: flick
        anchors.fill: parent
        contentHeight: col.implicitHeight
        clip: true
        boundsBehavior: Flickable.StopAtBounds

        ColumnLayout {
            id: col
            width: flick.width
            spacing: Theme.gap

            TestCard {
                heading: qsTr("Receipt printer")
                note: qsTr("Prints a test page with Chinese text, a QR code and a cut.")
                buttonName: "techPrintButton"
                buttonText: qsTr("Print a test page")
                result: technician.results.print
                onRun: technician.runPrintTest()
            }
            TestCard {
                heading: qsTr("Card reader")
                note: qsTr("Place any ID card after tapping. Only masked values are shown.")
                buttonName: "techCardButton"
                buttonText: qsTr("Read a card")
                result: technician.results.card
                onRun: technician.runCardTest()
            }
            TestCard {
                heading: qsTr("Network")
                note: qsTr("Looks up the hall, connects to it and asks its health check.")
                buttonName: "techNetworkButton"
                buttonText: qsTr("Test the hall link")
                result: technician.results.network
                onRun: technician.runNetworkTest()
            }
            TestCard {
                heading: qsTr("Camera")
                note: qsTr("A live picture from the document camera; nothing is saved.")
                buttonName: "techCameraButton"
                buttonText: technician.cameraOn ? qsTr("Stop the preview") : qsTr("Show the preview")
                result: technician.results.camera
                onRun: technician.toggleCamera()

                Rectangle {
                    visible: technician.cameraOn
                    Layout.fillWidth: true
                    Layout.preferredHeight: Math.round(260 * Theme.s)
                    color: "#000000"
                    radius: Theme.radius
                    clip: true
                    Image {
                        objectName: "techCameraPreview"
                        anchors.fill: parent
                        fillMode: Image.PreserveAspectFit
                        cache: false
                        source: technician.cameraOn && technician.frameNo > 0
                                ? "image://techcam/frame/" + technician.frameNo : ""
                    }
                }
            }
            TestCard {
                // Care mode's voice: the station's loudness, kept across restarts.
                heading: qsTr("Speech volume")
                note: speech.available ? qsTr("Care mode reads the screens aloud at this volume.")
                                       : qsTr("Speech is switched off for this station (kiosk.toml [speech]).")
                buttonName: "techSpeechTestButton"
                buttonText: qsTr("Play a sample")
                onRun: speech.testVoice()

                RowLayout {
                    Layout.fillWidth: true
                    spacing: Theme.gap
                    BigButton {
                        objectName: "techVolumeDown"
                        text: qsTr("Quieter")
                        Accessible.name: text
                        enabled: speech.volume > 0
                        Layout.preferredWidth: Math.round(240 * Theme.s)
                        onClicked: speech.quieter()
                    }
                    Text {
                        objectName: "techVolumeValue"
                        text: speech.volume + " %"
                        font.pixelSize: Theme.large
                        font.bold: true
                        font.family: Theme.fontFamily
                        color: Theme.text
                        horizontalAlignment: Text.AlignHCenter
                        Layout.fillWidth: true
                    }
                    BigButton {
                        objectName: "techVolumeUp"
                        text: qsTr("Louder")
                        Accessible.name: text
                        enabled: speech.volume < 100
                        Layout.preferredWidth: Math.round(240 * Theme.s)
                        onClicked: speech.louder()
                    }
                }
            }
        }
    }

    component TestCard: Rectangle {
        id: card
        property string heading: ""
        property string note: ""
        property string buttonName: ""
        property string buttonText: ""
        property var result: ({ state: "idle", text: "", code: "" })
        default property alias extra: extraArea.data
        signal run()
        Layout.fillWidth: true
        implicitHeight: inner.implicitHeight + Theme.gap * 1.5
        radius: Theme.radius
        color: Theme.surface
        border.color: Theme.border
        border.width: Theme.borderWidth

        ColumnLayout {
            id: inner
            anchors.fill: parent
            anchors.margins: Theme.gap * 0.75
            spacing: Theme.gap / 2
            RowLayout {
                Layout.fillWidth: true
                spacing: Theme.gap
                ColumnLayout {
                    Layout.fillWidth: true
                    spacing: 4
                    Text {
                        text: card.heading
                        font.pixelSize: Theme.large
                        font.bold: true
                        font.family: Theme.fontFamily
                        color: Theme.text
                        Layout.fillWidth: true
                    }
                    Text {
                        text: card.note
                        font.pixelSize: Theme.small
                        font.family: Theme.fontFamily
                        color: Theme.muted
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                }
                BigButton {
                    objectName: card.buttonName
                    text: card.buttonText
                    enabled: !technician.busy
                    Layout.preferredWidth: Math.round(340 * Theme.s)
                    onClicked: card.run()
                }
            }
            ResultLine {
                result: card.result
                Layout.fillWidth: true
            }
            ColumnLayout {
                id: extraArea
                Layout.fillWidth: true
            }
        }
    }
}
