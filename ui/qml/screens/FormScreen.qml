// The form for the chosen service, rendered from its field schema.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import "../components"

ScreenFrame {
    objectName: "formScreen"
    title: session.serviceName
    subtitle: session.parts.length > 1
              ? qsTr("One filing, handled by: %1").arg(session.parts.join(qsTr(", ")))
              : qsTr("Fields marked * are required.")

    ColumnLayout {
        anchors.fill: parent
        spacing: theme.gap

        Banner {
            objectName: "formErrors"
            visible: session.errorCount > 0
            heading: qsTr("%n answer(s) need correcting", "", session.errorCount)
            detail: qsTr("Fix the fields marked in red, then continue.")
            Layout.fillWidth: true
        }

        Flickable {
            id: flick
            objectName: "formFlickable"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            contentHeight: fieldColumn.implicitHeight + theme.gap
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar { width: 16; policy: ScrollBar.AsNeeded }

            function ensureVisible(item) {
                var p = item.mapToItem(fieldColumn, 0, 0)
                if (p.y < contentY)
                    contentY = p.y
                else if (p.y + item.height > contentY + height)
                    contentY = Math.min(p.y + item.height - height, contentHeight - height)
            }

            ColumnLayout {
                id: fieldColumn
                width: flick.width - 24
                spacing: theme.gap * 1.5
                Repeater {
                    model: session.fieldNames
                    delegate: FormField {
                        Layout.fillWidth: true
                        row: session.fields[index] || ({})
                        onFocused: function(item) { flick.ensureVisible(item) }
                    }
                }

                Text {
                    visible: session.materials.length > 0
                    text: qsTr("Documents to photograph")
                    font.pixelSize: theme.large
                    font.bold: true
                    font.family: theme.fontFamily
                    color: theme.text
                    Layout.topMargin: theme.gap
                }
                Text {
                    visible: session.materials.length > 0
                    text: qsTr("Lay each page flat under the document camera. The photos go to the hall with your filing.")
                    font.pixelSize: theme.small
                    font.family: theme.fontFamily
                    color: theme.muted
                    wrapMode: Text.WordWrap
                    Layout.fillWidth: true
                }
                Repeater {
                    model: session.materials
                    delegate: MaterialRow {
                        Layout.fillWidth: true
                        row: modelData
                    }
                }
            }
        }
    }

    actions: [
        BigButton {
            objectName: "backButton"
            text: qsTr("Back")
            Layout.preferredWidth: Math.round(300 * theme.s)
            onClicked: session.back()
        },
        BigButton {
            objectName: "nextButton"
            kind: "primary"
            text: qsTr("Next: review")
            Layout.fillWidth: true
            onClicked: { Qt.inputMethod.hide(); session.submitForm() }
        }
    ]
}
