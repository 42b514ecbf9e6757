// Error: what happened, what to do next, and the code support staff ask for.
import QtQuick
import QtQuick.Layouts
import "../components"

ScreenFrame {
    objectName: "errorScreen"
    title: qsTr("We could not finish")

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap
        Banner {
            objectName: "failureBanner"
            heading: session.failureTitle
            detail: session.failureNextStep
            code: session.failureCode
            Layout.fillWidth: true
        }
        Item { Layout.fillHeight: true }
    }

    actions: [
        BigButton {
            objectName: "acknowledgeButton"
            kind: "primary"
            text: qsTr("Back to the start")
            Layout.fillWidth: true
            onClicked: session.acknowledge()
        }
    ]
}
