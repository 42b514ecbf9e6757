// Service home: quick tiles for what needs no ID card (progress, policies, Q&A), big category
// tiles, then the services in the chosen category.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import "../components"

ScreenFrame {
    objectName: "serviceHomeScreen"
    title: session.greetingName !== "" ? qsTr("Hello, %1. What would you like to do?").arg(session.greetingName)
                                      : qsTr("What would you like to do?")

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap

        Banner {
            objectName: "noticeBanner"
            visible: session.notice !== ""
            heading: session.notice
            detail: session.noticeNextStep
            Layout.fillWidth: true
        }

        // The enterprise register cannot be reached: the walk-in types and photographs as before.
        Banner {
            objectName: "registerUnavailable"
            visible: enterprise.unavailableText !== ""
            tone: "info"
            heading: enterprise.unavailableText
            Layout.fillWidth: true
        }

        ListView {
            id: serviceList
            objectName: "serviceList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: Theme.gap
            model: session.services
            boundsBehavior: Flickable.StopAtBounds
            // Everything above the services scrolls with them: in care mode the large tiles would
            // otherwise leave the list a sliver. Then the consultations that belong to this
            // category (办事进度, 政策服务) come first.
            header: ColumnLayout {
                width: serviceList.width
                spacing: Theme.gap

                // 办理企业: acting for an enterprise from the register (after the card is read).
                RowLayout {
                    objectName: "enterpriseRow"
                    visible: session.greetingName !== "" && enterprise.available
                    Layout.fillWidth: true
                    spacing: Theme.gap / 2
                    Text {
                        objectName: "enterpriseChosen"
                        visible: enterprise.chosen.name !== undefined
                        text: qsTr("Filing for: %1").arg(enterprise.chosen.name || "")
                        font.pixelSize: Theme.body
                        font.bold: true
                        font.family: Theme.fontFamily
                        color: Theme.text
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                    BigButton {
                        objectName: "archiveButton"
                        visible: enterprise.chosen.name !== undefined
                        text: qsTr("E-archive")
                        Layout.preferredWidth: Math.round(240 * Theme.s)
                        onClicked: enterprise.openArchive()
                    }
                    BigButton {
                        objectName: "enterpriseButton"
                        text: enterprise.chosen.name !== undefined ? qsTr("Change") : qsTr("File for an enterprise")
                        Layout.fillWidth: enterprise.chosen.name === undefined
                        Layout.preferredWidth: Math.round(240 * Theme.s)
                        onClicked: enterprise.open()
                    }
                }

                // Most walk-ins without a card come to check progress or ask: those are one tap away.
                RowLayout {
                    objectName: "consultRow"
                    Layout.fillWidth: true
                    spacing: Theme.gap / 2
                    Repeater {
                        model: ["progress", "policies", "qa"]
                        delegate: ConsultTile {
                            objectName: "consult_" + modelData
                            kind: modelData
                            compact: true
                            Layout.fillWidth: true
                            Layout.preferredWidth: 1
                        }
                    }
                    // 补正: hand in what an officer asked for, at any station (the receipt or the card).
                    BigButton {
                        objectName: "supplementTile"
                        text: qsTr("Hand in missing material")
                        Layout.fillWidth: true
                        Layout.preferredWidth: 1
                        Layout.preferredHeight: Math.round(150 * Theme.s)
                        onClicked: supplement.open()
                    }
                }

                GridLayout {
                    columns: 3
                    columnSpacing: Theme.gap / 2
                    rowSpacing: Theme.gap / 2
                    Layout.fillWidth: true
                    Repeater {
                        model: session.categories
                        delegate: Button {
                            id: tab
                            objectName: "category_" + modelData.id
                            readonly property bool selected: session.category === modelData.id
                            Layout.fillWidth: true
                            Layout.preferredHeight: Theme.touch
                            focusPolicy: Qt.NoFocus
                            onClicked: session.chooseCategory(modelData.id)
                            contentItem: Text {
                                text: modelData.name
                                font.pixelSize: Theme.body
                                font.bold: tab.selected
                                font.family: Theme.fontFamily
                                color: tab.selected ? Theme.primaryText : Theme.primary
                                horizontalAlignment: Text.AlignHCenter
                                verticalAlignment: Text.AlignVCenter
                                wrapMode: Text.WordWrap
                            }
                            background: Rectangle {
                                radius: Theme.radius
                                color: tab.selected ? Theme.primary : (tab.down ? Theme.surfaceAlt : Theme.surface)
                                border.color: Theme.primary
                                border.width: 2
                            }
                        }
                    }
                }

                Repeater {
                    model: session.categoryConsults
                    delegate: ConsultTile {
                        objectName: "consultTile_" + modelData
                        kind: modelData
                        Layout.fillWidth: true
                    }
                }
                Item {
                    Layout.preferredHeight: 0
                }
            }
            delegate: Button {
                id: tile
                objectName: "service_" + modelData.id
                width: ListView.view.width
                implicitHeight: Math.max(Math.round(200 * Theme.s), tileCol.implicitHeight + 2 * Theme.gap)
                focusPolicy: Qt.NoFocus
                onClicked: session.chooseService(modelData.id)
                background: Rectangle {
                    radius: Theme.radius
                    color: tile.down ? Theme.surfaceAlt : Theme.surface
                    border.color: Theme.border
                    border.width: Theme.borderWidth
                    Rectangle {
                        width: 10; radius: 5
                        anchors { left: parent.left; top: parent.top; bottom: parent.bottom; margins: 16 }
                        color: Theme.primary
                    }
                }
                contentItem: ColumnLayout {
                    id: tileCol
                    spacing: 8
                    anchors.fill: parent
                    anchors.leftMargin: Theme.gap * 2
                    anchors.rightMargin: Theme.gap
                    anchors.topMargin: Theme.gap
                    anchors.bottomMargin: Theme.gap
                    RowLayout {
                        Layout.fillWidth: true
                        spacing: Theme.gap / 2
                        Text {
                            text: modelData.name
                            font.pixelSize: Theme.large
                            font.bold: true
                            font.family: Theme.fontFamily
                            color: Theme.text
                            wrapMode: Text.WordWrap
                            Layout.fillWidth: true
                        }
                        Rectangle {
                            visible: modelData.bundle
                            radius: 8
                            color: Theme.accent
                            implicitWidth: bundleText.implicitWidth + 24
                            implicitHeight: bundleText.implicitHeight + 8
                            Text {
                                id: bundleText
                                anchors.centerIn: parent
                                text: qsTr("One filing")
                                font.pixelSize: Theme.small
                                font.family: Theme.fontFamily
                                color: Theme.contrast ? "#000000" : "#FFFFFF"
                            }
                        }
                    }
                    Text {
                        text: modelData.summary
                        font.pixelSize: Theme.body
                        font.family: Theme.fontFamily
                        color: Theme.muted
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                    Text {
                        text: modelData.department + (modelData.needsCard ? "  ·  " + qsTr("ID card needed") : "")
                        font.pixelSize: Theme.small
                        font.family: Theme.fontFamily
                        color: Theme.muted
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                }
            }
        }
    }

    actions: [
        BigButton {
            objectName: "cancelButton"
            text: qsTr("Exit")
            Layout.fillWidth: true
            onClicked: session.cancel()
        }
    ]
}
