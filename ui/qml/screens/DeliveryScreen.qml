// The EMS 政务专递 address (state `addressing`, from review): Jiangsu is fixed, the city and its
// district are picked, the street and recipient typed (Pinyin), the mobile prefilled from the
// form. Confirm checks it (contracts/delivery.py) and returns to review with EMS chosen; back
// returns with the earlier choice. The bridge (`delivery`) holds nothing: the session does.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Settings
import "../components"

ScreenFrame {
    objectName: "deliveryScreen"
    title: qsTr("Delivery address")
    subtitle: qsTr("%1: the result is mailed to you; the courier calls before delivering.").arg(delivery.emsName)

    // A label, one typed line and its error: the street, the recipient, the mobile.
    component AddressField: ColumnLayout {
        id: addressField
        property string name: ""
        property string label: ""
        property string value: ""
        // "mobile": masked (139****5678) except while the field has focus; "" for plain text.
        property string maskKind: ""
        property string help: ""
        property bool pinyin: true
        property int hints: PersonalInput.hints
        property int maxLength: 80
        readonly property string error: delivery.errors[name] || ""
        signal focused(Item item)
        spacing: 8

        // The keyboard keeps the last input mode (digits after the mobile): Chinese text opens
        // in Pinyin again, as a walk-in expects. They can still switch to ABC.
        function preferPinyin() {
            if (VirtualKeyboardSettings.locale !== "zh_CN")
                return
            var engine = InputContext.inputEngine
            if (engine.inputModes.indexOf(InputEngine.InputMode.Pinyin) >= 0)
                engine.inputMode = InputEngine.InputMode.Pinyin
        }

        Text {
            text: addressField.label + " *"
            font.pixelSize: Theme.body
            font.bold: true
            font.family: Theme.fontFamily
            color: Theme.text
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
        TextField {
            id: line
            objectName: "deliveryField_" + addressField.name
            Accessible.name: addressField.label
            Layout.fillWidth: true
            Layout.preferredHeight: Theme.touch
            text: line.activeFocus ? addressField.value
                                   : masking.mask(addressField.maskKind, addressField.value)
            font.pixelSize: Theme.large
            font.family: Theme.fontFamily
            color: Theme.text
            maximumLength: addressField.maxLength
            // An address and a name are personal: never learned by the keyboard, never copied.
            inputMethodHints: addressField.hints
            selectByMouse: false
            persistentSelection: false
            ContextMenu.menu: null
            Keys.onPressed: (event) => PersonalInput.refuseClipboard(event)
            onTextEdited: delivery.setField(addressField.name, text)
            onActiveFocusChanged: {
                if (!activeFocus)
                    return
                addressField.focused(addressField)
                if (addressField.pinyin)
                    Qt.callLater(addressField.preferPinyin)
            }
            background: Rectangle {
                radius: Theme.radius
                color: Theme.surface
                border.color: addressField.error ? Theme.danger : (line.activeFocus ? Theme.primary : Theme.border)
                border.width: line.activeFocus || addressField.error ? 3 : 2
            }
        }
        Text {
            visible: addressField.help !== "" && addressField.error === ""
            text: addressField.help
            font.pixelSize: Theme.small
            font.family: Theme.fontFamily
            color: Theme.muted
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
        Text {
            objectName: "deliveryError_" + addressField.name
            visible: addressField.error !== ""
            text: addressField.error
            font.pixelSize: Theme.body
            font.family: Theme.fontFamily
            color: Theme.danger
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
    }

    // A heading over chips, and a picker's error.
    component PickerHeading: Text {
        font.pixelSize: Theme.body
        font.bold: true
        font.family: Theme.fontFamily
        color: Theme.text
        wrapMode: Text.WordWrap
        Layout.fillWidth: true
        Layout.topMargin: Theme.gap / 2
    }
    component PickerError: Text {
        font.pixelSize: Theme.body
        font.family: Theme.fontFamily
        color: Theme.danger
        wrapMode: Text.WordWrap
        visible: text !== ""
        Layout.fillWidth: true
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap

        Banner {
            objectName: "deliveryErrors"
            visible: delivery.errorCount > 0
            heading: qsTr("%n entry(ies) need correcting", "", delivery.errorCount)
            detail: qsTr("Fix what is marked in red, then confirm.")
            Layout.fillWidth: true
        }

        Flickable {
            id: flick
            objectName: "deliveryFlickable"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            contentHeight: addressColumn.implicitHeight + Theme.gap
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar { width: 16; policy: ScrollBar.AsNeeded }

            // The field being typed in: kept in view when the keyboard opens and the screen
            // shrinks under it.
            property Item typing: null
            onHeightChanged: if (typing && typing.visible) ensureVisible(typing)

            function ensureVisible(item) {
                typing = item
                var p = item.mapToItem(addressColumn, 0, 0)
                if (p.y < contentY)
                    contentY = p.y
                else if (p.y + item.height > contentY + height)
                    contentY = Math.min(p.y + item.height - height, contentHeight - height)
            }

            ColumnLayout {
                id: addressColumn
                width: flick.width - 24
                spacing: Theme.gap / 2

                // Jiangsu is shown, not chosen: EMS from this station delivers within it.
                RowLayout {
                    Layout.fillWidth: true
                    spacing: Theme.gap
                    Text {
                        text: qsTr("Province")
                        font.pixelSize: Theme.body
                        font.bold: true
                        font.family: Theme.fontFamily
                        color: Theme.text
                    }
                    Text {
                        objectName: "deliveryProvince"
                        text: delivery.province
                        font.pixelSize: Theme.large
                        font.family: Theme.fontFamily
                        color: Theme.text
                    }
                    Text {
                        text: qsTr("(delivery within Jiangsu only)")
                        font.pixelSize: Theme.small
                        font.family: Theme.fontFamily
                        color: Theme.muted
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                }

                PickerHeading { text: qsTr("City") + " *" }
                Flow {
                    objectName: "deliveryCities"
                    Layout.fillWidth: true
                    spacing: Theme.gap / 2
                    Repeater {
                        model: delivery.cities
                        delegate: ChoiceChip {
                            required property var modelData
                            objectName: "deliveryCity_" + modelData.value
                            text: modelData.name
                            selected: modelData.chosen
                            invalid: (delivery.errors["city"] || "") !== ""
                            onClicked: delivery.setField("city", modelData.value)
                        }
                    }
                }
                PickerError {
                    objectName: "deliveryError_city"
                    text: delivery.errors["city"] || ""
                }

                PickerHeading { text: qsTr("District") + " *" }
                Text {
                    visible: delivery.districts.length === 0
                    text: qsTr("Choose the city first.")
                    font.pixelSize: Theme.body
                    font.family: Theme.fontFamily
                    color: Theme.muted
                    Layout.fillWidth: true
                }
                Flow {
                    objectName: "deliveryDistricts"
                    Layout.fillWidth: true
                    spacing: Theme.gap / 2
                    Repeater {
                        model: delivery.districts
                        delegate: ChoiceChip {
                            required property var modelData
                            objectName: "deliveryDistrict_" + modelData.value
                            text: modelData.name
                            selected: modelData.chosen
                            invalid: (delivery.errors["district"] || "") !== ""
                            onClicked: delivery.setField("district", modelData.value)
                        }
                    }
                }
                PickerError {
                    objectName: "deliveryError_district"
                    text: delivery.errors["district"] || ""
                }

                AddressField {
                    name: "street"
                    label: qsTr("Street, building and room")
                    help: qsTr("For example: 狮山路88号3幢502室")
                    value: delivery.street
                    maxLength: 80
                    Layout.fillWidth: true
                    Layout.topMargin: Theme.gap / 2
                    onFocused: function(item) { flick.ensureVisible(item) }
                }
                AddressField {
                    name: "recipient"
                    label: qsTr("Recipient")
                    value: delivery.recipient
                    maxLength: 20
                    Layout.fillWidth: true
                    onFocused: function(item) { flick.ensureVisible(item) }
                }
                AddressField {
                    name: "mobile"
                    label: qsTr("Recipient's mobile")
                    value: delivery.mobile
                    maskKind: "mobile"
                    pinyin: false
                    hints: PersonalInput.hints | Qt.ImhDialableCharactersOnly
                    maxLength: 11
                    Layout.fillWidth: true
                    onFocused: function(item) { flick.ensureVisible(item) }
                }
            }
        }
    }

    actions: [
        BigButton {
            objectName: "deliveryBack"
            text: qsTr("Back")
            Layout.preferredWidth: Math.round(300 * Theme.s)
            onClicked: { OnScreenKeyboard.hide(); delivery.back() }
        },
        BigButton {
            objectName: "deliveryConfirm"
            kind: "primary"
            text: qsTr("Confirm address")
            Layout.fillWidth: true
            onClicked: { OnScreenKeyboard.hide(); delivery.confirm() }
        }
    ]
}
