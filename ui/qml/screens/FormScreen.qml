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
        spacing: Theme.gap

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
            contentHeight: fieldColumn.implicitHeight + Theme.gap
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
                spacing: Theme.gap * 1.5
                // Each delegate binds its own row's roles (required properties of FormField), so
                // a keystroke updates the one field typed in, not every field of the form.
                Repeater {
                    objectName: "formFields"
                    model: session.fieldModel
                    delegate: FormField {
                        Layout.fillWidth: true
                        onFocused: function(item) { flick.ensureVisible(item) }
                    }
                }

                Text {
                    visible: session.materials.length > 0
                    text: qsTr("Documents to photograph")
                    font.pixelSize: Theme.large
                    font.bold: true
                    font.family: Theme.fontFamily
                    color: Theme.text
                    Layout.topMargin: Theme.gap
                }
                Text {
                    visible: session.materials.length > 0
                    text: qsTr("Lay each page flat under the document camera. The photos go to the hall with your filing.")
                    font.pixelSize: Theme.small
                    font.family: Theme.fontFamily
                    color: Theme.muted
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
            Layout.preferredWidth: Math.round(300 * Theme.s)
            onClicked: session.back()
        },
        BigButton {
            objectName: "nextButton"
            kind: "primary"
            text: qsTr("Next: review")
            Layout.fillWidth: true
            onClicked: { OnScreenKeyboard.hide(); session.submitForm() }
        }
    ]
}
