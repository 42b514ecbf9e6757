// One form field rendered from its schema row: label, input, help, error, "filled by helper".
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Settings

ColumnLayout {
    id: field
    property var row: ({})
    signal focused(Item item)
    spacing: 8

    function hintsFor(kind) {
        if (kind === "id_number")
            return Qt.ImhPreferNumbers | Qt.ImhPreferUppercase | Qt.ImhLatinOnly | Qt.ImhNoPredictiveText
        if (kind === "number" || kind === "amount" || kind === "date")
            return Qt.ImhFormattedNumbersOnly | Qt.ImhNoPredictiveText
        if (kind === "mobile")
            return Qt.ImhDialableCharactersOnly | Qt.ImhNoPredictiveText
        if (kind === "uscc")
            return Qt.ImhPreferUppercase | Qt.ImhLatinOnly | Qt.ImhNoPredictiveText
        return Qt.ImhNone
    }

    // The virtual keyboard keeps the last input mode (Latin after a number field); a Chinese text
    // field should open in Pinyin again, as a walk-in expects. They can still switch to ABC.
    function preferPinyin() {
        if (VirtualKeyboardSettings.locale !== "zh_CN")
            return
        var engine = InputContext.inputEngine
        if (engine.inputModes.indexOf(InputEngine.InputMode.Pinyin) >= 0)
            engine.inputMode = InputEngine.InputMode.Pinyin
    }
    function onFieldFocus(item) {
        field.focused(field)
        if (field.row.kind === "text" || field.row.kind === "multiline")
            Qt.callLater(field.preferPinyin)
    }

    RowLayout {
        Layout.fillWidth: true
        Text {
            text: field.row.label + (field.row.required ? " *" : "")
            font.pixelSize: theme.body
            font.bold: true
            font.family: theme.fontFamily
            color: theme.text
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
        Text {
            objectName: "highlight_" + field.row.name
            visible: assist.highlightField === field.row.name
            text: qsTr("← The helper points here")
            font.pixelSize: theme.small
            font.bold: true
            font.family: theme.fontFamily
            color: theme.accent
        }
        Text {
            objectName: "helperFilled_" + field.row.name
            visible: field.row.helperFilled === true
            text: qsTr("Filled by helper")
            font.pixelSize: theme.small
            font.family: theme.fontFamily
            color: theme.primary
        }
    }

    TextField {
        id: input
        objectName: "field_" + field.row.name
        visible: field.row.kind !== "choice" && field.row.kind !== "multiline"
        Layout.fillWidth: true
        Layout.preferredHeight: theme.touch
        text: field.row.value !== undefined ? field.row.value : ""
        font.pixelSize: theme.large
        font.family: theme.fontFamily
        color: theme.text
        maximumLength: field.row.maxLength > 0 ? field.row.maxLength : 32767
        inputMethodHints: field.hintsFor(field.row.kind)
        placeholderText: field.row.kind === "date" ? qsTr("YYYY-MM-DD") : ""
        placeholderTextColor: theme.muted
        onTextEdited: session.setField(field.row.name, text)
        onActiveFocusChanged: if (activeFocus) field.onFieldFocus(this)
        background: Rectangle {
            radius: theme.radius
            color: theme.surface
            border.color: field.row.error ? theme.danger : (input.activeFocus ? theme.primary : theme.border)
            border.width: input.activeFocus || field.row.error ? 3 : 2
        }
    }

    TextArea {
        id: area
        objectName: "field_" + field.row.name
        visible: field.row.kind === "multiline"
        Layout.fillWidth: true
        Layout.preferredHeight: Math.round(theme.touch * 1.8)
        text: field.row.value !== undefined ? field.row.value : ""
        font.pixelSize: theme.large
        font.family: theme.fontFamily
        color: theme.text
        wrapMode: TextEdit.Wrap
        onTextChanged: if (activeFocus) session.setField(field.row.name, text)
        onActiveFocusChanged: if (activeFocus) field.onFieldFocus(this)
        background: Rectangle {
            radius: theme.radius
            color: theme.surface
            border.color: field.row.error ? theme.danger : (area.activeFocus ? theme.primary : theme.border)
            border.width: area.activeFocus || field.row.error ? 3 : 2
        }
    }

    Flow {
        visible: field.row.kind === "choice"
        Layout.fillWidth: true
        spacing: theme.gap / 2
        Repeater {
            model: field.row.kind === "choice" ? field.row.choices : []
            delegate: Button {
                id: chip
                objectName: "choice_" + field.row.name + "_" + modelData.value
                readonly property bool selected: field.row.value === modelData.value
                height: Math.round(theme.touch * 0.85)
                width: Math.max(Math.round(220 * theme.s), chipText.implicitWidth + 48)
                focusPolicy: Qt.NoFocus
                onClicked: { input.focus = false; session.setField(field.row.name, modelData.value) }
                contentItem: Text {
                    id: chipText
                    text: modelData.label
                    font.pixelSize: theme.body
                    font.family: theme.fontFamily
                    font.bold: chip.selected
                    color: chip.selected ? theme.primaryText : theme.text
                    horizontalAlignment: Text.AlignHCenter
                    verticalAlignment: Text.AlignVCenter
                }
                background: Rectangle {
                    radius: theme.radius
                    color: chip.selected ? theme.primary : theme.surface
                    border.color: chip.selected ? theme.primary
                                                : (field.row.error ? theme.danger : theme.border)
                    border.width: 2
                }
            }
        }
    }

    // A category suggested from what the walk-in wrote: applied only when they tap it.
    ColumnLayout {
        objectName: "suggestions_" + field.row.name
        visible: field.row.suggestions !== undefined && field.row.suggestions.length > 0
        Layout.fillWidth: true
        spacing: 8
        Text {
            text: qsTr("From what you wrote, this may belong to (tap to use it):")
            font.pixelSize: theme.small
            font.family: theme.fontFamily
            color: theme.muted
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
        Repeater {
            model: field.row.suggestions || []
            delegate: ChoiceChip {
                objectName: "suggestion_" + modelData.category
                text: modelData.name + "  (" + qsTr("words: %1").arg(modelData.because) + ")"
                selected: modelData.chosen
                Layout.fillWidth: true
                onClicked: session.confirmDemandCategory(modelData.category)
            }
        }
    }

    Text {
        visible: field.row.help !== "" && !field.row.error
        text: field.row.help
        font.pixelSize: theme.small
        font.family: theme.fontFamily
        color: theme.muted
        wrapMode: Text.WordWrap
        Layout.fillWidth: true
    }
    Text {
        objectName: "error_" + field.row.name
        visible: field.row.error !== ""
        text: field.row.error
        font.pixelSize: theme.body
        font.family: theme.fontFamily
        color: theme.danger
        wrapMode: Text.WordWrap
        Layout.fillWidth: true
    }
}
