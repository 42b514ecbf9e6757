// Technician mode: test print, test card read (masked), network test to the hall, camera preview.
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
            spacing: theme.gap

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
                    Layout.preferredHeight: Math.round(260 * theme.s)
                    color: "#000000"
                    radius: theme.radius
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
        implicitHeight: inner.implicitHeight + theme.gap * 1.5
        radius: theme.radius
        color: theme.surface
        border.color: theme.border
        border.width: theme.borderWidth

        ColumnLayout {
            id: inner
            anchors.fill: parent
            anchors.margins: theme.gap * 0.75
            spacing: theme.gap / 2
            RowLayout {
                Layout.fillWidth: true
                spacing: theme.gap
                ColumnLayout {
                    Layout.fillWidth: true
                    spacing: 4
                    Text {
                        text: card.heading
                        font.pixelSize: theme.large
                        font.bold: true
                        font.family: theme.fontFamily
                        color: theme.text
                        Layout.fillWidth: true
                    }
                    Text {
                        text: card.note
                        font.pixelSize: theme.small
                        font.family: theme.fontFamily
                        color: theme.muted
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                }
                BigButton {
                    objectName: card.buttonName
                    text: card.buttonText
                    enabled: !technician.busy
                    Layout.preferredWidth: Math.round(340 * theme.s)
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
