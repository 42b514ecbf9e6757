// A message box: what happened and what to do next. `tone`: "error", "info", "success".
import QtQuick
import QtQuick.Layouts

Rectangle {
    id: banner
    property string tone: "error"
    property string heading: ""
    property string detail: ""
    property string code: ""
    implicitHeight: col.implicitHeight + 2 * theme.gap
    radius: theme.radius
    color: tone === "error" ? theme.dangerBg : theme.surfaceAlt
    border.color: tone === "error" ? theme.danger : tone === "success" ? theme.success : theme.border
    border.width: 2

    ColumnLayout {
        id: col
        anchors.fill: parent
        anchors.margins: theme.gap
        spacing: 8
        Text {
            text: banner.heading
            font.pixelSize: theme.large
            font.bold: true
            font.family: theme.fontFamily
            color: banner.tone === "error" ? theme.danger : theme.text
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
        Text {
            visible: banner.detail !== ""
            text: banner.detail
            font.pixelSize: theme.body
            font.family: theme.fontFamily
            color: theme.text
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
        Text {
            visible: banner.code !== ""
            text: qsTr("Failure code: %1").arg(banner.code)
            font.pixelSize: theme.small
            font.family: theme.fontFamily
            color: theme.muted
            Layout.fillWidth: true
        }
    }
}
