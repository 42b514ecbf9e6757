// The common screen layout: a title, the content, and one row of actions at the bottom.
import QtQuick
import QtQuick.Layouts

Item {
    id: frame
    property string title: ""
    property string subtitle: ""
    default property alias content: body.data
    property alias actions: actionRow.data

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.margin
        spacing: Theme.gap

        Text {
            visible: frame.title !== ""
            text: frame.title
            font.pixelSize: Theme.title
            font.bold: true
            font.family: Theme.fontFamily
            color: Theme.text
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
        Text {
            visible: frame.subtitle !== ""
            text: frame.subtitle
            font.pixelSize: Theme.body
            font.family: Theme.fontFamily
            color: Theme.muted
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
        Item {
            id: body
            Layout.fillWidth: true
            Layout.fillHeight: true
        }
        RowLayout {
            id: actionRow
            Layout.fillWidth: true
            spacing: Theme.gap
        }
    }
}
