// Review: every answer once more, how to get a document result (pick-up here or EMS), the privacy
// notice, and agreeing = submitting.
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

        // For a document result: pick-up at this station (the default) or EMS to a Jiangsu
        // address. EMS opens the address screen; what review shows of it is masked.
        Rectangle {
            objectName: "deliveryChoice"
            visible: delivery.available
            Layout.fillWidth: true
            implicitHeight: deliveryColumn.implicitHeight + 2 * Theme.gap
            radius: Theme.radius
            color: Theme.surface
            border.color: Theme.border
            border.width: 2
            ColumnLayout {
                id: deliveryColumn
                anchors.fill: parent
                anchors.margins: Theme.gap
                spacing: Theme.gap / 2
                Text {
                    text: qsTr("How to get the result")
                    font.pixelSize: Theme.large
                    font.bold: true
                    font.family: Theme.fontFamily
                    color: Theme.text
                    wrapMode: Text.WordWrap
                    Layout.fillWidth: true
                }
                RowLayout {
                    Layout.fillWidth: true
                    spacing: Theme.gap / 2
                    ChoiceChip {
                        objectName: "deliveryPickup"
                        text: delivery.pickupName
                        selected: delivery.method === "pickup"
                        Layout.fillWidth: true
                        Layout.preferredWidth: 1
                        Layout.preferredHeight: Theme.touch
                        onClicked: delivery.choosePickup()
                    }
                    ChoiceChip {
                        objectName: "deliveryEms"
                        text: delivery.emsName
                        selected: delivery.method === "ems"
                        Layout.fillWidth: true
                        Layout.preferredWidth: 1
                        Layout.preferredHeight: Theme.touch
                        onClicked: delivery.chooseEms()
                    }
                }
                Text {
                    objectName: "deliveryPickupNote"
                    visible: delivery.method === "pickup"
                    text: qsTr("Collect it here with your ID card once the SMS says it is ready.")
                    font.pixelSize: Theme.small
                    font.family: Theme.fontFamily
                    color: Theme.muted
                    wrapMode: Text.WordWrap
                    Layout.fillWidth: true
                }
                RowLayout {
                    visible: delivery.method === "ems"
                    Layout.fillWidth: true
                    spacing: Theme.gap
                    ColumnLayout {
                        Layout.fillWidth: true
                        spacing: 4
                        Text {
                            objectName: "deliveryRegion"
                            text: delivery.regionLine
                            font.pixelSize: Theme.body
                            font.bold: true
                            font.family: Theme.fontFamily
                            color: Theme.text
                            wrapMode: Text.WordWrap
                            Layout.fillWidth: true
                        }
                        Text {
                            objectName: "deliveryTo"
                            text: qsTr("To %1, mobile %2").arg(delivery.recipientMasked).arg(delivery.mobileMasked)
                            font.pixelSize: Theme.body
                            font.family: Theme.fontFamily
                            color: Theme.muted
                            wrapMode: Text.WordWrap
                            Layout.fillWidth: true
                        }
                    }
                    BigButton {
                        objectName: "deliveryChange"
                        text: qsTr("Change address")
                        Layout.preferredWidth: Math.round(300 * Theme.s)
                        onClicked: delivery.chooseEms()
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
