// One test's outcome: running / passed / failed, the words, and the failure code.
import QtQuick
import QtQuick.Layouts

Rectangle {
    id: line
    property var result: ({ state: "idle", text: "", code: "" })
    visible: result.state !== "idle"
    implicitHeight: visible ? col.implicitHeight + Theme.gap : 0
    radius: Theme.radius
    color: result.state === "failed" ? Theme.dangerBg : Theme.surfaceAlt
    border.color: result.state === "failed" ? Theme.danger
                : result.state === "ok" ? Theme.success : Theme.border
    border.width: 2

    ColumnLayout {
        id: col
        anchors.fill: parent
        anchors.margins: Theme.gap / 2
        spacing: 4
        Text {
            text: (line.result.state === "ok" ? "✔ " : line.result.state === "failed" ? "✖ " : "… ")
                  + line.result.text
            font.pixelSize: Theme.body
            font.family: Theme.fontFamily
            color: line.result.state === "failed" ? Theme.danger : Theme.text
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
        Text {
            visible: line.result.code !== ""
            text: qsTr("Code: %1").arg(line.result.code)
            font.pixelSize: Theme.small
            font.family: Theme.fontFamily
            color: Theme.muted
            Layout.fillWidth: true
        }
    }
}
