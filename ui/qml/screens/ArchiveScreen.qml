// 电子档案: the chosen enterprise's filings, demands, documents on file and ratings, newest
// first; a document on file prints on the station's A4 printer where there is one.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import "../components"

ScreenFrame {
    objectName: "archiveScreen"
    title: qsTr("E-archive: %1").arg(enterprise.chosen.name || "")
    subtitle: qsTr("Filings, documents issued, demands and ratings, newest first.")

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap

        Text {
            visible: enterprise.archiveStatus === "busy"
            text: qsTr("Reading the e-archive…")
            font.pixelSize: Theme.large
            font.family: Theme.fontFamily
            color: Theme.muted
            Layout.fillWidth: true
        }
        // The enterprise's 一企一码 (the hall's signed token, read fresh with the archive): a
        // phone photo of it does for a lost receipt; withdrawn codes are not shown.
        Rectangle {
            objectName: "archiveCodeCard"
            visible: enterprise.archiveStatus === "done" && enterprise.enterpriseCode !== ""
            Layout.fillWidth: true
            implicitHeight: codeRow.implicitHeight + 2 * Theme.gap
            radius: Theme.radius
            color: Theme.surface
            border.color: Theme.border
            border.width: Theme.borderWidth
            RowLayout {
                id: codeRow
                anchors.fill: parent
                anchors.margins: Theme.gap
                spacing: Theme.gap
                Image {
                    objectName: "archiveCodeQr"
                    source: enterprise.enterpriseCode !== "" ? "image://qr/" + encodeURIComponent(enterprise.enterpriseCode) : ""
                    sourceSize.width: Math.round(240 * Theme.s)
                    sourceSize.height: Math.round(240 * Theme.s)
                    Layout.preferredWidth: Math.round(240 * Theme.s)
                    Layout.preferredHeight: Math.round(240 * Theme.s)
                    fillMode: Image.PreserveAspectFit
                    smooth: false
                }
                ColumnLayout {
                    Layout.fillWidth: true
                    spacing: 8
                    Text {
                        text: qsTr("Enterprise code")
                        font.pixelSize: Theme.large
                        font.bold: true
                        font.family: Theme.fontFamily
                        color: Theme.text
                        Layout.fillWidth: true
                    }
                    Text {
                        objectName: "archiveCodeCaption"
                        text: qsTr("Scan it at a station to act for this enterprise (its legal representative and agents only). It is printed on your receipts too.")
                        font.pixelSize: Theme.body
                        font.family: Theme.fontFamily
                        color: Theme.text
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                }
            }
        }
        Banner {
            objectName: "archiveCodeWithdrawn"
            visible: enterprise.archiveStatus === "done" && enterprise.codeWithdrawn
            tone: "info"
            heading: qsTr("The enterprise code has been withdrawn; please apply for a new one at the service hall")
            Layout.fillWidth: true
        }
        Banner {
            objectName: "archiveProblem"
            visible: enterprise.archiveStatus === "unavailable" || enterprise.archiveStatus === "refused"
            heading: enterprise.archiveStatus === "refused"
                     ? qsTr("You are not registered as this enterprise's legal representative or agent")
                     : qsTr("The e-archive cannot be read right now")
            detail: qsTr("Please try again later, or ask at a counter.")
            Layout.fillWidth: true
        }
        Banner {
            objectName: "archivePrintStatus"
            visible: enterprise.printStatus !== ""
            tone: enterprise.printStatus === "printed" || enterprise.printStatus === "printing" ? "info" : "error"
            heading: enterprise.printStatus === "printing" ? qsTr("Printing…")
                   : enterprise.printStatus === "printed" ? qsTr("Printed: take it from the A4 printer.")
                   : enterprise.printStatus === "no_file" ? qsTr("The hall holds this document on paper only")
                   : qsTr("The document could not be printed")
            detail: enterprise.printStatus === "failed" ? qsTr("Please ask the station staff.") : ""
            Layout.fillWidth: true
        }
        Text {
            visible: enterprise.archiveStatus === "done" && enterprise.archive.length === 0
            text: qsTr("Nothing in the e-archive yet.")
            font.pixelSize: Theme.large
            font.family: Theme.fontFamily
            color: Theme.muted
            Layout.fillWidth: true
        }

        ListView {
            objectName: "archiveList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: Theme.gap / 2
            boundsBehavior: Flickable.StopAtBounds
            model: enterprise.archive
            ScrollBar.vertical: ScrollBar { width: 16; policy: ScrollBar.AsNeeded }
            delegate: Rectangle {
                width: ListView.view.width
                implicitHeight: row.implicitHeight + 2 * Theme.gap
                radius: Theme.radius
                color: Theme.surface
                border.color: Theme.border
                border.width: Theme.borderWidth
                RowLayout {
                    id: row
                    anchors.fill: parent
                    anchors.margins: Theme.gap
                    spacing: Theme.gap
                    ColumnLayout {
                        Layout.fillWidth: true
                        spacing: 4
                        Text {
                            text: modelData.date + "  ·  " + modelData.kind
                            font.pixelSize: Theme.small
                            font.family: Theme.fontFamily
                            color: Theme.muted
                            Layout.fillWidth: true
                        }
                        Text {
                            text: modelData.title
                            font.pixelSize: Theme.body
                            font.bold: true
                            font.family: Theme.fontFamily
                            color: Theme.text
                            wrapMode: Text.WordWrap
                            Layout.fillWidth: true
                        }
                        Text {
                            visible: text !== ""
                            text: [modelData.trackingNumber, modelData.status].filter(function(t) { return t !== "" }).join("  ·  ")
                            font.pixelSize: Theme.small
                            font.family: Theme.fontFamily
                            color: Theme.text
                            wrapMode: Text.WordWrap
                            Layout.fillWidth: true
                        }
                    }
                    BigButton {
                        objectName: "archivePrint_" + modelData.materialId
                        visible: modelData.printable
                        enabled: enterprise.printStatus !== "printing"
                        text: qsTr("Print")
                        Layout.preferredWidth: Math.round(200 * Theme.s)
                        onClicked: enterprise.printDocument(modelData.materialId)
                    }
                }
            }
        }
    }

    actions: [
        BigButton {
            objectName: "archiveBackButton"
            text: qsTr("Back to the services")
            Layout.fillWidth: true
            onClicked: enterprise.closeArchive()
        },
        BigButton {
            objectName: "cancelButton"
            text: qsTr("Exit")
            Layout.preferredWidth: Math.round(260 * Theme.s)
            onClicked: session.cancel()
        }
    ]
}
