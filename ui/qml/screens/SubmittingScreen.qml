// Submitting: the filing is being saved on this terminal (it is sent to the hall from there).
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import "../components"

Item {
    objectName: "submittingScreen"
    ColumnLayout {
        anchors.centerIn: parent
        width: parent.width - 2 * theme.margin
        spacing: theme.gap * 2
        BusyIndicator {
            running: true
            Layout.alignment: Qt.AlignHCenter
            Layout.preferredWidth: 160
            Layout.preferredHeight: 160
        }
        Text {
            text: qsTr("Saving your filing…")
            font.pixelSize: theme.title
            font.family: theme.fontFamily
            color: theme.text
            horizontalAlignment: Text.AlignHCenter
            Layout.fillWidth: true
        }
        Text {
            text: qsTr("Please wait. Do not remove your card.")
            font.pixelSize: theme.body
            font.family: theme.fontFamily
            color: theme.muted
            horizontalAlignment: Text.AlignHCenter
            Layout.fillWidth: true
        }
    }
}
