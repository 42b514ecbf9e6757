// Submitting: the filing is being saved on this terminal (it is sent to the hall from there).
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import "../components"

Item {
    objectName: "submittingScreen"
    ColumnLayout {
        anchors.centerIn: parent
        width: parent.width - 2 * Theme.margin
        spacing: Theme.gap * 2
        BusyIndicator {
            running: true
            Layout.alignment: Qt.AlignHCenter
            Layout.preferredWidth: 160
            Layout.preferredHeight: 160
        }
        Text {
            text: qsTr("Saving your filing…")
            font.pixelSize: Theme.title
            font.family: Theme.fontFamily
            color: Theme.text
            horizontalAlignment: Text.AlignHCenter
            Layout.fillWidth: true
        }
        Text {
            text: qsTr("Please wait. Do not remove your card.")
            font.pixelSize: Theme.body
            font.family: Theme.fontFamily
            color: Theme.muted
            horizontalAlignment: Text.AlignHCenter
            Layout.fillWidth: true
        }
    }
}
