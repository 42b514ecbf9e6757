// Review: every answer once more, the privacy notice, and agreeing = submitting.
import QtQuick
import QtQuick.Layouts
import "../components"

ScreenFrame {
    objectName: "reviewScreen"
    title: qsTr("Check your answers")
    subtitle: session.serviceName

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap

        ListView {
            objectName: "reviewList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: 0
            model: session.reviewItems
            boundsBehavior: Flickable.StopAtBounds
            delegate: Rectangle {
                width: ListView.view.width
                implicitHeight: reviewRow.implicitHeight + Theme.gap * 1.2
                color: index % 2 === 0 ? Theme.surface : Theme.surfaceAlt
                RowLayout {
                    id: reviewRow
                    anchors.fill: parent
                    anchors.leftMargin: Theme.gap
                    anchors.rightMargin: Theme.gap
                    spacing: Theme.gap
                    Text {
                        text: modelData.label
                        font.pixelSize: Theme.body
                        font.family: Theme.fontFamily
                        color: Theme.muted
                        wrapMode: Text.WordWrap
                        Layout.preferredWidth: parent.width * 0.38
                    }
                    Text {
                        text: modelData.value !== "" ? modelData.value : "—"
                        font.pixelSize: Theme.body
                        font.family: Theme.fontFamily
                        color: Theme.text
                        wrapMode: Text.WrapAnywhere
                        Layout.fillWidth: true
                    }
                }
            }
        }

        Banner {
            objectName: "privacyNotice"
            tone: "info"
            heading: qsTr("Privacy")
            detail: qsTr("By submitting you agree that the service hall uses these answers to handle this filing. They stay on this terminal only until the hall has them, and the screen forgets them when you finish.")
            Layout.fillWidth: true
        }
    }

    actions: [
        BigButton {
            objectName: "backButton"
            text: qsTr("Change answers")
            Layout.preferredWidth: Math.round(360 * Theme.s)
            onClicked: session.back()
        },
        BigButton {
            objectName: "confirmButton"
            kind: "primary"
            text: qsTr("Agree and submit")
            Layout.fillWidth: true
            onClicked: session.confirm()
        }
    ]
}
