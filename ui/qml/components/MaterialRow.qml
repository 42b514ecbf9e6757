// One document to photograph: its name, whether it is done, and the button that opens the camera.
import QtQuick
import QtQuick.Layouts

Rectangle {
    id: materialRow
    property var row: ({})
    implicitHeight: rowLayout.implicitHeight + 2 * Theme.gap
    radius: Theme.radius
    color: Theme.surface
    border.color: row.error ? Theme.danger : Theme.border
    border.width: row.error ? 3 : Theme.borderWidth

    RowLayout {
        id: rowLayout
        anchors.fill: parent
        anchors.margins: Theme.gap
        spacing: Theme.gap
        ColumnLayout {
            Layout.fillWidth: true
            spacing: 4
            Text {
                text: materialRow.row.name + (materialRow.row.required ? " *" : "")
                font.pixelSize: Theme.body
                font.family: Theme.fontFamily
                color: Theme.text
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
            Text {
                objectName: "materialState_" + materialRow.row.id
                text: materialRow.row.captured ? qsTr("Photographed ✓")
                    : materialRow.row.onFile ? materialRow.row.onFile
                    : (materialRow.row.error || (materialRow.row.expiredOnFile ? qsTr("The document on file has expired; please photograph it again")
                                                 : (materialRow.row.required ? qsTr("Required") : qsTr("Optional"))))
                font.pixelSize: Theme.small
                font.family: Theme.fontFamily
                wrapMode: Text.WordWrap
                color: materialRow.row.captured || materialRow.row.onFile ? Theme.success
                     : (materialRow.row.error || materialRow.row.expiredOnFile ? Theme.danger : Theme.muted)
                Layout.fillWidth: true
            }
        }
        BigButton {
            objectName: "capture_" + materialRow.row.id
            // 免提交: the register holds it; no camera step.
            visible: !materialRow.row.onFile
            text: materialRow.row.captured ? qsTr("Retake") : qsTr("Photograph")
            Layout.preferredWidth: Math.round(260 * Theme.s)
            onClicked: session.openCapture(materialRow.row.id)
        }
    }
}
