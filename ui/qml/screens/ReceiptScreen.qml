// Receipt: the filing is taken. Take the receipt and the card; if the printer failed, photograph this.
import QtQuick
import QtQuick.Controls
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
        spacing: theme.gap * 1.5

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
            Layout.preferredHeight: receiptCol.implicitHeight + 2 * theme.margin
            radius: theme.radius
            color: theme.surface
            border.color: theme.border
            border.width: theme.borderWidth
            ColumnLayout {
                id: receiptCol
                anchors.fill: parent
                anchors.margins: theme.margin
                spacing: theme.gap
                Text {
                    text: qsTr("Tracking number")
                    font.pixelSize: theme.body
                    font.family: theme.fontFamily
                    color: theme.muted
                    Layout.alignment: Qt.AlignHCenter
                }
                Text {
                    objectName: "trackingNumber"
                    text: session.trackingNumber
                    font.pixelSize: theme.title
                    font.bold: true
                    font.family: theme.fontFamily
                    color: theme.primary
                    Layout.alignment: Qt.AlignHCenter
                }
                Image {
                    objectName: "progressQr"
                    visible: session.progressUrl !== ""
                    source: session.progressUrl !== "" ? "image://qr/" + encodeURIComponent(session.progressUrl) : ""
                    sourceSize.width: Math.round(320 * theme.s)
                    sourceSize.height: Math.round(320 * theme.s)
                    fillMode: Image.PreserveAspectFit
                    smooth: false
                    Layout.alignment: Qt.AlignHCenter
                }
                Text {
                    text: qsTr("Scan to follow the progress. We will finish within %n working day(s).", "", session.timeLimitDays)
                    font.pixelSize: theme.body
                    font.family: theme.fontFamily
                    color: theme.text
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
