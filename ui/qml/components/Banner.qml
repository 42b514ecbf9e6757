// A message box: what happened and what to do next. `tone`: "error", "info", "success".
import QtQuick
import QtQuick.Layouts

Rectangle {
    id: banner
    property string tone: "error"
    property string heading: ""
    property string detail: ""
    property string code: ""
    implicitHeight: col.implicitHeight + 2 * Theme.gap
    radius: Theme.radius
    color: tone === "error" ? Theme.dangerBg : Theme.surfaceAlt
    border.color: tone === "error" ? Theme.danger : tone === "success" ? Theme.success : Theme.border
    border.width: 2

    ColumnLayout {
        id: col
        anchors.fill: parent
        anchors.margins: Theme.gap
        spacing: 8
        Text {
            text: banner.heading
            font.pixelSize: Theme.large
            font.bold: true
            font.family: Theme.fontFamily
            color: banner.tone === "error" ? Theme.danger : Theme.text
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
        Text {
            visible: banner.detail !== ""
            text: banner.detail
            font.pixelSize: Theme.body
            font.family: Theme.fontFamily
            color: Theme.text
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
        Text {
            visible: banner.code !== ""
            text: qsTr("Failure code: %1").arg(banner.code)
            font.pixelSize: Theme.small
            font.family: Theme.fontFamily
            color: Theme.muted
            Layout.fillWidth: true
        }
    }
}
