// One test's outcome: running / passed / failed, the words, and the failure code.
import QtQuick
import QtQuick.Layouts

Rectangle {
    id: line
    property var result: ({ state: "idle", text: "", code: "" })
    visible: result.state !== "idle"
    implicitHeight: visible ? col.implicitHeight + theme.gap : 0
    radius: theme.radius
    color: result.state === "failed" ? theme.dangerBg : theme.surfaceAlt
    border.color: result.state === "failed" ? theme.danger
                : result.state === "ok" ? theme.success : theme.border
    border.width: 2

    ColumnLayout {
        id: col
        anchors.fill: parent
        anchors.margins: theme.gap / 2
        spacing: 4
        Text {
            text: (line.result.state === "ok" ? "✔ " : line.result.state === "failed" ? "✖ " : "… ")
                  + line.result.text
            font.pixelSize: theme.body
            font.family: theme.fontFamily
            color: line.result.state === "failed" ? theme.danger : theme.text
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
        Text {
            visible: line.result.code !== ""
            text: qsTr("Code: %1").arg(line.result.code)
            font.pixelSize: theme.small
            font.family: theme.fontFamily
            color: theme.muted
            Layout.fillWidth: true
        }
    }
}
