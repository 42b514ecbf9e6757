// Review: every answer once more, the privacy notice, and agreeing = submitting.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import "../components"

ScreenFrame {
    objectName: "reviewScreen"
    title: qsTr("Check your answers")
    subtitle: session.serviceName

    ColumnLayout {
        anchors.fill: parent
        spacing: theme.gap

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
                implicitHeight: reviewRow.implicitHeight + theme.gap * 1.2
                color: index % 2 === 0 ? theme.surface : theme.surfaceAlt
                RowLayout {
                    id: reviewRow
                    anchors.fill: parent
                    anchors.leftMargin: theme.gap
                    anchors.rightMargin: theme.gap
                    spacing: theme.gap
                    Text {
                        text: modelData.label
                        font.pixelSize: theme.body
                        font.family: theme.fontFamily
                        color: theme.muted
                        wrapMode: Text.WordWrap
                        Layout.preferredWidth: parent.width * 0.38
                    }
                    Text {
                        text: modelData.value !== "" ? modelData.value : "—"
                        font.pixelSize: theme.body
                        font.family: theme.fontFamily
                        color: theme.text
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
            Layout.preferredWidth: Math.round(360 * theme.s)
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
