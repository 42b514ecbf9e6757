// Attract: what this terminal is for and one button to begin.
import QtQuick
import QtQuick.Layouts
import "../components"

Item {
    objectName: "attractScreen"

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.margin
        spacing: Theme.gap * 2

        Item { Layout.fillHeight: true; Layout.preferredHeight: 1 }

        Text {
            text: qsTr("Enterprise self-service")
            font.pixelSize: Theme.hero
            font.bold: true
            font.family: Theme.fontFamily
            color: Theme.primary
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
        Text {
            text: qsTr("Start a company, connect electricity, report a business need, find policies and check progress — here, with help from the service hall.")
            font.pixelSize: Theme.large
            font.family: Theme.fontFamily
            color: Theme.text
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.WordWrap
            lineHeight: 1.2
            Layout.fillWidth: true
        }

        GridLayout {
            columns: 2
            columnSpacing: Theme.gap
            rowSpacing: Theme.gap
            Layout.fillWidth: true
            Layout.topMargin: Theme.gap
            Repeater {
                model: [
                    qsTr("Company start-up + electricity, one filing"),
                    qsTr("Business needs tracked to closure"),
                    qsTr("Policies matched to your company"),
                    qsTr("Printed receipt with a tracking code")
                ]
                delegate: Rectangle {
                    Layout.fillWidth: true
                    Layout.preferredHeight: Math.round(150 * Theme.s)
                    radius: Theme.radius
                    color: Theme.surface
                    border.color: Theme.border
                    border.width: Theme.borderWidth
                    Text {
                        anchors.fill: parent
                        anchors.margins: Theme.gap
                        text: modelData
                        font.pixelSize: Theme.body
                        font.family: Theme.fontFamily
                        color: Theme.text
                        wrapMode: Text.WordWrap
                        verticalAlignment: Text.AlignVCenter
                        horizontalAlignment: Text.AlignHCenter
                    }
                }
            }
        }

        Item { Layout.fillHeight: true; Layout.preferredHeight: 1 }

        BigButton {
            objectName: "startButton"
            kind: "primary"
            text: qsTr("Touch to start")
            implicitHeight: Math.round(Theme.touch * 1.5)
            font.pixelSize: Theme.title
            Layout.fillWidth: true
            onClicked: session.start()
        }
        Text {
            text: qsTr("Your information is erased from this terminal when you finish.")
            font.pixelSize: Theme.small
            font.family: Theme.fontFamily
            color: Theme.muted
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
        Item { Layout.preferredHeight: Theme.gap }
    }

    // Technician mode: five taps here within three seconds open the PIN pad. Invisible and
    // away from the start button; presses count, so quick taps are never merged into a double.
    MouseArea {
        objectName: "technicianCorner"
        Accessible.role: Accessible.Button
        Accessible.name: qsTr("Technician mode")
        anchors.top: parent.top
        anchors.left: parent.left
        width: 120
        height: 120
        onPressed: technician.cornerTapped()
    }
}
