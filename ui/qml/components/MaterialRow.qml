// One document to photograph: its name, whether it is done, and the button that opens the camera.
import QtQuick
import QtQuick.Layouts

Rectangle {
    id: materialRow
    property var row: ({})
    implicitHeight: rowLayout.implicitHeight + 2 * theme.gap
    radius: theme.radius
    color: theme.surface
    border.color: row.error ? theme.danger : theme.border
    border.width: row.error ? 3 : theme.borderWidth

    RowLayout {
        id: rowLayout
        anchors.fill: parent
        anchors.margins: theme.gap
        spacing: theme.gap
        ColumnLayout {
            Layout.fillWidth: true
            spacing: 4
            Text {
                text: materialRow.row.name + (materialRow.row.required ? " *" : "")
                font.pixelSize: theme.body
                font.family: theme.fontFamily
                color: theme.text
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
            Text {
                text: materialRow.row.captured ? qsTr("Photographed ✓") : (materialRow.row.error || (materialRow.row.required ? qsTr("Required") : qsTr("Optional")))
                font.pixelSize: theme.small
                font.family: theme.fontFamily
                color: materialRow.row.captured ? theme.success : (materialRow.row.error ? theme.danger : theme.muted)
                Layout.fillWidth: true
            }
        }
        BigButton {
            objectName: "capture_" + materialRow.row.id
            text: materialRow.row.captured ? qsTr("Retake") : qsTr("Photograph")
            Layout.preferredWidth: Math.round(260 * theme.s)
            onClicked: session.openCapture(materialRow.row.id)
        }
    }
}
