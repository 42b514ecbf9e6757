// Receipt: the filing is taken. Take the receipt and the card; if the printer failed, photograph this.
import QtQuick
import QtQuick.Layouts
import "../components"

ScreenFrame {
    objectName: "receiptScreen"
    title: qsTr("Your filing has been received")
    subtitle: session.printStatus === "printing" ? qsTr("Printing your receipt…")
            : session.printStatus === "printed" ? qsTr("Please take your receipt and your ID card.")
            : ""

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap * 1.5

        Banner {
            objectName: "printFailure"
            visible: session.printMessage !== ""
            heading: session.printMessage
            detail: session.printNextStep
            code: session.printStatus
            Layout.fillWidth: true
        }

        Rectangle {
            Layout.fillWidth: true
            Layout.preferredHeight: receiptCol.implicitHeight + 2 * Theme.margin
            radius: Theme.radius
            color: Theme.surface
            border.color: Theme.border
            border.width: Theme.borderWidth
            ColumnLayout {
                id: receiptCol
                anchors.fill: parent
                anchors.margins: Theme.margin
                spacing: Theme.gap
                Text {
                    text: qsTr("Tracking number")
                    font.pixelSize: Theme.body
                    font.family: Theme.fontFamily
                    color: Theme.muted
                    Layout.alignment: Qt.AlignHCenter
                }
                Text {
                    objectName: "trackingNumber"
                    text: session.trackingNumber
                    font.pixelSize: Theme.title
                    font.bold: true
                    font.family: Theme.fontFamily
                    color: Theme.primary
                    Layout.alignment: Qt.AlignHCenter
                }
                Image {
                    objectName: "progressQr"
                    visible: session.progressUrl !== ""
                    source: session.progressUrl !== "" ? "image://qr/" + encodeURIComponent(session.progressUrl) : ""
                    sourceSize.width: Math.round(320 * Theme.s)
                    sourceSize.height: Math.round(320 * Theme.s)
                    fillMode: Image.PreserveAspectFit
                    smooth: false
                    Layout.alignment: Qt.AlignHCenter
                }
                Text {
                    text: qsTr("Scan to follow the progress. We will finish within %n working day(s).", "", session.timeLimitDays)
                    font.pixelSize: Theme.body
                    font.family: Theme.fontFamily
                    color: Theme.text
                    wrapMode: Text.WordWrap
                    horizontalAlignment: Text.AlignHCenter
                    Layout.fillWidth: true
                }
            }
        }
        // The optional A4 summary (only when the station has an A4 printer).
        BigButton {
            objectName: "a4SummaryButton"
            visible: summary.available && session.trackingNumber !== ""
            enabled: summary.status !== "printing" && summary.status !== "printed"
            text: summary.status === "printing" ? qsTr("Printing the A4 summary…")
                : summary.status === "printed" ? qsTr("A4 summary printed ✓")
                : qsTr("Print an A4 summary of this filing")
            Layout.fillWidth: true
            onClicked: summary.printSummary()
        }
        Banner {
            objectName: "a4SummaryFailure"
            visible: summary.message !== ""
            heading: summary.message
            code: summary.status
            Layout.fillWidth: true
        }
        Item { Layout.fillHeight: true }
    }

    actions: [
        BigButton {
            objectName: "finishButton"
            kind: "primary"
            text: qsTr("Done")
            Layout.fillWidth: true
            onClicked: session.finish()
        }
    ]
}
