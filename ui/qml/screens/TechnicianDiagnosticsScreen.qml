// Technician mode: the diagnostics bundle, saved to a USB stick or sent to the hall.
import QtQuick
import QtQuick.Layouts
import "../components"

TechnicianFrame {
    objectName: "technicianDiagnosticsScreen"
    title: qsTr("Diagnostics")
    section: "Diagnostics"

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap

        Text {
            text: qsTr("One zip file for the support team: software versions, settings without passwords or keys, device health and its history, failure codes, outbox counts, the technician log and recent log lines.")
            font.pixelSize: Theme.body
            font.family: Theme.fontFamily
            color: Theme.text
            wrapMode: Text.WordWrap
            lineHeight: 1.15
            Layout.fillWidth: true
        }
        Banner {
            tone: "info"
            heading: qsTr("No personal data")
            detail: qsTr("Names, ID numbers, phone numbers and form answers are never included; the bundle is checked for them before it is written.")
            Layout.fillWidth: true
        }

        BigButton {
            objectName: "techExportButton"
            kind: "primary"
            text: qsTr("Save to the USB stick")
            enabled: !technician.busy && technician.exportDir !== ""
            Layout.fillWidth: true
            onClicked: technician.exportBundle()
        }
        Text {
            text: technician.exportDir !== "" ? qsTr("Folder: %1").arg(technician.exportDir)
                                              : qsTr("No USB folder is configured (technician.export_dir).")
            font.pixelSize: Theme.small
            font.family: Theme.fontFamily
            color: Theme.muted
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
        BigButton {
            objectName: "techUploadButton"
            text: qsTr("Send to the hall")
            enabled: !technician.busy
            Layout.fillWidth: true
            onClicked: technician.uploadBundle()
        }
        ResultLine {
            objectName: "techDiagnosticsResult"
            result: technician.results.diagnostics
            Layout.fillWidth: true
        }
        Item { Layout.fillHeight: true }
    }
}
