// One form field rendered from its schema row: label, input, help, error, "filled by helper".
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Settings

ColumnLayout {
    id: field
    objectName: "formField_" + name
    // One row of SessionBridge.fieldModel (ui/bridge/field_model.py): each role updates alone.
    required property string name
    required property string kind
    required property string label
    required property string help
    required property bool mandatory
    required property int maxLength
    required property string keyboard
    required property string value
    required property string error
    required property bool helperFilled
    required property bool fromRegister
    required property var choices
    required property var suggestions
    signal focused(Item item)
    spacing: 8

    // Every kind the schema lets a walk-in type (names, ID and phone numbers, addresses, amounts,
    // dates, free text) is their personal data: sensitive, never learned by the keyboard.
    function hintsFor(kind) {
        if (kind === "id_number")
            return PersonalInput.hints | Qt.ImhPreferNumbers | Qt.ImhPreferUppercase | Qt.ImhLatinOnly
        if (kind === "number" || kind === "amount" || kind === "date")
            return PersonalInput.hints | Qt.ImhFormattedNumbersOnly
        if (kind === "mobile")
            return PersonalInput.hints | Qt.ImhDialableCharactersOnly
        if (kind === "uscc")
            return PersonalInput.hints | Qt.ImhPreferUppercase | Qt.ImhLatinOnly
        return PersonalInput.hints
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
        if (field.kind === "text" || field.kind === "multiline")
            Qt.callLater(field.preferPinyin)
    }

    RowLayout {
        Layout.fillWidth: true
        Text {
            text: field.label + (field.mandatory ? " *" : "")
            font.pixelSize: Theme.body
            font.bold: true
            font.family: Theme.fontFamily
            color: Theme.text
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
        Text {
            objectName: "highlight_" + field.name
            visible: assist.highlightField === field.name
            text: qsTr("← The helper points here")
            font.pixelSize: Theme.small
            font.bold: true
            font.family: Theme.fontFamily
            color: Theme.accent
        }
        Text {
            objectName: "fromRegister_" + field.name
            visible: field.fromRegister === true
            text: qsTr("From the enterprise file")
            font.pixelSize: Theme.small
            font.family: Theme.fontFamily
            color: Theme.primary
        }
        Text {
            objectName: "helperFilled_" + field.name
            visible: field.helperFilled === true
            text: qsTr("Filled by helper")
            font.pixelSize: Theme.small
            font.family: Theme.fontFamily
            color: Theme.primary
        }
    }

    TextField {
        id: input
        objectName: "field_" + field.name
        visible: field.kind !== "choice" && field.kind !== "multiline"
        Accessible.name: field.label
        Layout.fillWidth: true
        Layout.preferredHeight: Theme.touch
        // An ID or mobile number is masked (110105********002X) except while it is being typed.
        text: input.activeFocus ? field.value : masking.mask(field.kind, field.value)
        font.pixelSize: Theme.large
        font.family: Theme.fontFamily
        color: Theme.text
        maximumLength: field.maxLength > 0 ? field.maxLength : 32767
        inputMethodHints: field.hintsFor(field.kind)
        selectByMouse: false
        persistentSelection: false
        ContextMenu.menu: null
        Keys.onPressed: (event) => PersonalInput.refuseClipboard(event)
        placeholderText: field.kind === "date" ? qsTr("YYYY-MM-DD") : ""
        placeholderTextColor: Theme.muted
        onTextEdited: session.setField(field.name, text)
        onActiveFocusChanged: if (activeFocus) field.onFieldFocus(this)
        background: Rectangle {
            radius: Theme.radius
            color: Theme.surface
            border.color: field.error ? Theme.danger : (input.activeFocus ? Theme.primary : Theme.border)
            border.width: input.activeFocus || field.error ? 3 : 2
        }
    }

    TextArea {
        id: area
        objectName: "field_" + field.name
        visible: field.kind === "multiline"
        Accessible.name: field.label
        Layout.fillWidth: true
        Layout.preferredHeight: Math.round(Theme.touch * 1.8)
        text: field.value
        font.pixelSize: Theme.large
        font.family: Theme.fontFamily
        color: Theme.text
        wrapMode: TextEdit.Wrap
        inputMethodHints: field.hintsFor(field.kind)
        selectByMouse: false
        persistentSelection: false
        ContextMenu.menu: null
        Keys.onPressed: (event) => PersonalInput.refuseClipboard(event)
        onTextChanged: if (activeFocus) session.setField(field.name, text)
        onActiveFocusChanged: if (activeFocus) field.onFieldFocus(this)
        background: Rectangle {
            radius: Theme.radius
            color: Theme.surface
            border.color: field.error ? Theme.danger : (area.activeFocus ? Theme.primary : Theme.border)
            border.width: area.activeFocus || field.error ? 3 : 2
        }
    }

    Flow {
        visible: field.kind === "choice"
        Layout.fillWidth: true
        spacing: Theme.gap / 2
        Repeater {
            model: field.kind === "choice" ? field.choices : []
            delegate: Button {
                id: chip
                objectName: "choice_" + field.name + "_" + modelData.value
                readonly property bool selected: field.value === modelData.value
                // The label is drawn by contentItem, so the button's own text stays empty.
                Accessible.name: field.label + ": " + modelData.label
                Accessible.checkable: true
                Accessible.checked: chip.selected
                height: Math.round(Theme.touch * 0.85)
                width: Math.max(Math.round(220 * Theme.s), chipText.implicitWidth + 48)
                focusPolicy: Qt.NoFocus
                onClicked: { input.focus = false; session.setField(field.name, modelData.value) }
                contentItem: Text {
                    id: chipText
                    text: modelData.label
                    font.pixelSize: Theme.body
                    font.family: Theme.fontFamily
                    font.bold: chip.selected
                    color: chip.selected ? Theme.primaryText : Theme.text
                    horizontalAlignment: Text.AlignHCenter
                    verticalAlignment: Text.AlignVCenter
                }
                background: Rectangle {
                    radius: Theme.radius
                    // Pressed: drawn at once, as every button is (bench ui's press feedback).
                    color: chip.selected ? Theme.primary : (chip.down ? Theme.surfaceAlt : Theme.surface)
                    border.color: chip.selected ? Theme.primary
                                                : (field.error ? Theme.danger : Theme.border)
                    border.width: 2
                }
            }
        }
    }

    // A category suggested from what the walk-in wrote: applied only when they tap it.
    ColumnLayout {
        objectName: "suggestions_" + field.name
        visible: field.suggestions.length > 0
        Layout.fillWidth: true
        spacing: 8
        Text {
            text: qsTr("From what you wrote, this may belong to (tap to use it):")
            font.pixelSize: Theme.small
            font.family: Theme.fontFamily
            color: Theme.muted
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
        Repeater {
            model: field.suggestions
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
        visible: field.help !== "" && !field.error
        text: field.help
        font.pixelSize: Theme.small
        font.family: Theme.fontFamily
        color: Theme.muted
        wrapMode: Text.WordWrap
        Layout.fillWidth: true
    }
    Text {
        objectName: "error_" + field.name
        visible: field.error !== ""
        text: field.error
        font.pixelSize: Theme.body
        font.family: Theme.fontFamily
        color: Theme.danger
        wrapMode: Text.WordWrap
        Layout.fillWidth: true
    }
}
