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
        spacing: theme.gap

        Banner {
            objectName: "noticeBanner"
            visible: session.notice !== ""
            heading: session.notice
            detail: session.noticeNextStep
            Layout.fillWidth: true
        }

        // Most walk-ins without a card come to check progress or ask: those are one tap away.
        RowLayout {
            objectName: "consultRow"
            Layout.fillWidth: true
            spacing: theme.gap / 2
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
        }

        GridLayout {
            columns: 3
            columnSpacing: theme.gap / 2
            rowSpacing: theme.gap / 2
            Layout.fillWidth: true
            Repeater {
                model: session.categories
                delegate: Button {
                    id: tab
                    objectName: "category_" + modelData.id
                    readonly property bool selected: session.category === modelData.id
                    Layout.fillWidth: true
                    Layout.preferredHeight: theme.touch
                    focusPolicy: Qt.NoFocus
                    onClicked: session.chooseCategory(modelData.id)
                    contentItem: Text {
                        text: modelData.name
                        font.pixelSize: theme.body
                        font.bold: tab.selected
                        font.family: theme.fontFamily
                        color: tab.selected ? theme.primaryText : theme.primary
                        horizontalAlignment: Text.AlignHCenter
                        verticalAlignment: Text.AlignVCenter
                        wrapMode: Text.WordWrap
                    }
                    background: Rectangle {
                        radius: theme.radius
                        color: tab.selected ? theme.primary : theme.surface
                        border.color: theme.primary
                        border.width: 2
                    }
                }
            }
        }

        ListView {
            id: serviceList
            objectName: "serviceList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: theme.gap
            model: session.services
            boundsBehavior: Flickable.StopAtBounds
            // The consultations that belong to this category (办事进度, 政策服务) come first.
            header: Column {
                width: serviceList.width
                spacing: serviceList.spacing
                bottomPadding: session.categoryConsults.length > 0 ? serviceList.spacing : 0
                Repeater {
                    model: session.categoryConsults
                    delegate: ConsultTile {
                        objectName: "consultTile_" + modelData
                        kind: modelData
                        width: serviceList.width
                    }
                }
            }
            delegate: Button {
                id: tile
                objectName: "service_" + modelData.id
                width: ListView.view.width
                implicitHeight: Math.max(Math.round(200 * theme.s), tileCol.implicitHeight + 2 * theme.gap)
                focusPolicy: Qt.NoFocus
                onClicked: session.chooseService(modelData.id)
                background: Rectangle {
                    radius: theme.radius
                    color: tile.down ? theme.surfaceAlt : theme.surface
                    border.color: theme.border
                    border.width: theme.borderWidth
                    Rectangle {
                        width: 10; radius: 5
                        anchors { left: parent.left; top: parent.top; bottom: parent.bottom; margins: 16 }
                        color: theme.primary
                    }
                }
                contentItem: ColumnLayout {
                    id: tileCol
                    spacing: 8
                    anchors.fill: parent
                    anchors.leftMargin: theme.gap * 2
                    anchors.rightMargin: theme.gap
                    anchors.topMargin: theme.gap
                    anchors.bottomMargin: theme.gap
                    RowLayout {
                        Layout.fillWidth: true
                        spacing: theme.gap / 2
                        Text {
                            text: modelData.name
                            font.pixelSize: theme.large
                            font.bold: true
                            font.family: theme.fontFamily
                            color: theme.text
                            wrapMode: Text.WordWrap
                            Layout.fillWidth: true
                        }
                        Rectangle {
                            visible: modelData.bundle
                            radius: 8
                            color: theme.accent
                            implicitWidth: bundleText.implicitWidth + 24
                            implicitHeight: bundleText.implicitHeight + 8
                            Text {
                                id: bundleText
                                anchors.centerIn: parent
                                text: qsTr("One filing")
                                font.pixelSize: theme.small
                                font.family: theme.fontFamily
                                color: theme.contrast ? "#000000" : "#FFFFFF"
                            }
                        }
                    }
                    Text {
                        text: modelData.summary
                        font.pixelSize: theme.body
                        font.family: theme.fontFamily
                        color: theme.muted
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                    Text {
                        text: modelData.department + (modelData.needsCard ? "  ·  " + qsTr("ID card needed") : "")
                        font.pixelSize: theme.small
                        font.family: theme.fontFamily
                        color: theme.muted
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
