// Policy matching (惠企政策匹配): a short enterprise profile, then the policies it fits — why
// each one matched, and for the near-misses what is still missing — with their deadlines.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import "../components"

ScreenFrame {
    id: screen
    objectName: "policiesScreen"
    title: consult.matched ? qsTr("Policies for your enterprise") : qsTr("Find policies for your enterprise")
    subtitle: consult.matched
              ? qsTr("%1 you can apply for · %2 need one more thing").arg(consult.eligible.length).arg(consult.nearMisses.length)
              : qsTr("All questions are optional; the more you answer, the more exact the result.")

    component Heading: Text {
        font.pixelSize: Theme.body
        font.bold: true
        font.family: Theme.fontFamily
        color: Theme.text
        wrapMode: Text.WordWrap
        Layout.fillWidth: true
        Layout.topMargin: Theme.gap / 2
    }
    component Hint: Text {
        font.pixelSize: Theme.small
        font.family: Theme.fontFamily
        color: Theme.muted
        wrapMode: Text.WordWrap
        Layout.fillWidth: true
    }
    component ErrorText: Text {
        property string field: ""
        objectName: "profileError_" + field
        visible: text !== ""
        text: consult.profileErrors[field] || ""
        font.pixelSize: Theme.body
        font.family: Theme.fontFamily
        color: Theme.danger
        wrapMode: Text.WordWrap
        Layout.fillWidth: true
    }
    component ProfileInput: TextField {
        id: input
        property string field: ""
        signal focused(Item item)
        objectName: "profile_" + field
        Layout.fillWidth: true
        Layout.preferredHeight: Theme.touch
        text: consult.profile[field] || ""
        font.pixelSize: Theme.large
        font.family: Theme.fontFamily
        color: Theme.text
        placeholderTextColor: Theme.muted
        selectByMouse: false
        persistentSelection: false
        ContextMenu.menu: null
        Keys.onPressed: (event) => PersonalInput.refuseClipboard(event)
        onTextEdited: consult.setProfile(field, text)
        onActiveFocusChanged: if (activeFocus) input.focused(input)
        background: Rectangle {
            radius: Theme.radius
            color: Theme.surface
            border.color: consult.profileErrors[input.field] ? Theme.danger
                        : (input.activeFocus ? Theme.primary : Theme.border)
            border.width: input.activeFocus || consult.profileErrors[input.field] ? 3 : 2
        }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap

        Banner {
            objectName: "profileFromRegister"
            visible: consult.fromRegister && !consult.matched
            tone: "info"
            heading: qsTr("Filled in from the enterprise file")
            detail: qsTr("Check the answers; you may change any of them.")
            Layout.fillWidth: true
        }
        Banner {
            objectName: "consultStatus"
            visible: consult.statusTitle !== "" || consult.profileErrorCount > 0
            tone: consult.busy ? "info" : "error"
            heading: consult.statusTitle !== "" ? consult.statusTitle
                                                : qsTr("%n answer(s) need correcting", "", consult.profileErrorCount)
            detail: consult.statusTitle !== "" ? consult.statusDetail : qsTr("Fix the answers marked in red, then try again.")
            Layout.fillWidth: true
        }

        // -- the profile form ------------------------------------------------------------------
        Flickable {
            id: flick
            objectName: "profileFlickable"
            visible: !consult.matched
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            contentHeight: formCol.implicitHeight + Theme.gap
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar { width: 16; policy: ScrollBar.AsNeeded }

            function ensureVisible(item) {
                var p = item.mapToItem(formCol, 0, 0)
                if (p.y < contentY)
                    contentY = p.y
                else if (p.y + item.height > contentY + height)
                    contentY = Math.min(p.y + item.height - height, contentHeight - height)
            }

            ColumnLayout {
                id: formCol
                width: flick.width - 24
                spacing: Theme.gap / 2

                Heading { text: qsTr("Unified social credit code (optional)") }
                ProfileInput {
                    field: "uscc"
                    Accessible.name: qsTr("Unified social credit code (optional)")
                    onFocused: function (item) { flick.ensureVisible(item) }
                    maximumLength: 18
                    placeholderText: qsTr("18 characters, on the business licence")
                    inputMethodHints: PersonalInput.hints | Qt.ImhPreferUppercase | Qt.ImhLatinOnly
                }
                ErrorText { field: "uscc" }
                Hint {
                    objectName: "usccSummary"
                    visible: consult.usccSummary !== ""
                    text: consult.usccSummary
                    color: Theme.text
                }
                Hint {
                    visible: consult.usccOutside
                    text: qsTr("This code was issued outside Suzhou High-tech District; most policies here are for enterprises registered in the district.")
                    color: Theme.warn
                }
                Hint {
                    visible: consult.usccSummary !== ""
                    text: qsTr("The code does not tell the industry, size, capital, founding year or certifications: please answer below.")
                }


                Heading { text: qsTr("Enterprise size") }
                Flow {
                    Layout.fillWidth: true
                    spacing: Theme.gap / 2
                    Repeater {
                        model: consult.sizes
                        delegate: ChoiceChip {
                            objectName: "size_" + modelData.id
                            text: modelData.name
                            selected: consult.profile.size === modelData.id
                            onClicked: consult.setProfile("size", selected ? "" : modelData.id)
                        }
                    }
                }

                Heading { text: qsTr("Registered capital (×10,000 CNY)") }
                ProfileInput {
                    field: "capital"
                    Accessible.name: qsTr("Registered capital (×10,000 CNY)")
                    onFocused: function (item) { flick.ensureVisible(item) }
                    maximumLength: 12
                    placeholderText: qsTr("e.g. 500")
                    inputMethodHints: PersonalInput.hints | Qt.ImhFormattedNumbersOnly
                }
                ErrorText { field: "capital" }

                Heading { text: qsTr("Year founded") }
                ProfileInput {
                    field: "founded_year"
                    Accessible.name: qsTr("Year founded")
                    onFocused: function (item) { flick.ensureVisible(item) }
                    maximumLength: 4
                    placeholderText: qsTr("e.g. 2018")
                    inputMethodHints: PersonalInput.hints | Qt.ImhDigitsOnly
                }
                ErrorText { field: "founded_year" }

                Heading { text: qsTr("Certifications (tap all that apply)") }
                Flow {
                    Layout.fillWidth: true
                    spacing: Theme.gap / 2
                    Repeater {
                        model: consult.certifications
                        delegate: ChoiceChip {
                            objectName: "cert_" + modelData.id
                            text: modelData.name
                            selected: modelData.on
                            onClicked: consult.toggleCertification(modelData.id)
                        }
                    }
                }

                Heading { text: qsTr("Where the enterprise is registered") }
                Flow {
                    Layout.fillWidth: true
                    spacing: Theme.gap / 2
                    Repeater {
                        model: consult.districts
                        delegate: ChoiceChip {
                            objectName: "district_" + modelData.id
                            text: modelData.name
                            selected: consult.profile.district === modelData.id
                            onClicked: consult.setProfile("district", selected ? "" : modelData.id)
                        }
                    }
                }

                Heading { text: qsTr("Industry") }
                Flow {
                    Layout.fillWidth: true
                    spacing: Theme.gap / 2
                    Repeater {
                        // Once chosen, only the choice stays: the long list would bury the rest.
                        model: consult.profile.industry
                               ? consult.sections.filter(function (s) { return s.id === consult.profile.industry })
                               : consult.sections
                        delegate: ChoiceChip {
                            objectName: "industry_" + modelData.id
                            text: modelData.name
                            selected: consult.profile.industry === modelData.id
                            width: consult.profile.industry ? implicitWidth : (formCol.width - Theme.gap) / 2
                            onClicked: consult.setProfile("industry", selected ? "" : modelData.id)
                        }
                    }
                    ChoiceChip {
                        objectName: "industryChange"
                        visible: !!consult.profile.industry
                        text: qsTr("Change")
                        onClicked: consult.setProfile("industry", "")
                    }
                }
                ErrorText { field: "industry" }
                ProfileInput {
                    field: "industry_code"
                    Accessible.name: qsTr("Industry code if you know it (optional), e.g. C3973")
                    onFocused: function (item) { flick.ensureVisible(item) }
                    maximumLength: 5
                    placeholderText: qsTr("Industry code if you know it (optional), e.g. C3973")
                    inputMethodHints: PersonalInput.hints | Qt.ImhPreferUppercase | Qt.ImhLatinOnly
                }
                ErrorText { field: "industry_code" }
            }
        }

        // -- the results -----------------------------------------------------------------------
        ListView {
            id: resultList
            objectName: "policyResults"
            visible: consult.matched
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: Theme.gap
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar { width: 16; policy: ScrollBar.AsNeeded }
            model: consult.eligible.map(function (p) { return Object.assign({ eligible: true }, p) })
                   .concat(consult.nearMisses.map(function (p) { return Object.assign({ eligible: false }, p) }))
            delegate: Rectangle {
                id: card
                objectName: "policy_" + modelData.id
                width: resultList.width - 24
                implicitHeight: cardCol.implicitHeight + 2 * Theme.gap
                radius: Theme.radius
                color: Theme.surface
                border.color: modelData.eligible ? Theme.success : Theme.border
                border.width: modelData.eligible ? 3 : Theme.borderWidth
                ColumnLayout {
                    id: cardCol
                    anchors.fill: parent
                    anchors.margins: Theme.gap
                    spacing: 6
                    Text {
                        text: (modelData.eligible ? qsTr("You can apply") : qsTr("One thing missing"))
                        font.pixelSize: Theme.small
                        font.bold: true
                        font.family: Theme.fontFamily
                        color: modelData.eligible ? Theme.success : Theme.warn
                    }
                    Text {
                        text: modelData.title
                        font.pixelSize: Theme.large
                        font.bold: true
                        font.family: Theme.fontFamily
                        color: Theme.text
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                    Text {
                        text: modelData.benefit
                        font.pixelSize: Theme.body
                        font.family: Theme.fontFamily
                        color: Theme.text
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                    Repeater {
                        model: modelData.why
                        delegate: Text {
                            text: "✓ " + modelData
                            font.pixelSize: Theme.small
                            font.family: Theme.fontFamily
                            color: Theme.success
                            wrapMode: Text.WordWrap
                            Layout.fillWidth: true
                        }
                    }
                    Repeater {
                        model: modelData.missing
                        delegate: Text {
                            text: qsTr("Still needed: %1").arg(modelData)
                            font.pixelSize: Theme.body
                            font.bold: true
                            font.family: Theme.fontFamily
                            color: Theme.warn
                            wrapMode: Text.WordWrap
                            Layout.fillWidth: true
                        }
                    }
                    Text {
                        text: modelData.deadline + "  ·  " + modelData.issuer
                        font.pixelSize: Theme.small
                        font.bold: modelData.soon
                        font.family: Theme.fontFamily
                        color: modelData.soon ? Theme.danger : Theme.muted
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                }
            }
            footer: Item {
                readonly property bool none: consult.eligible.length + consult.nearMisses.length === 0
                width: resultList.width - 24
                height: none ? noneText.implicitHeight + Theme.gap : 0
                Text {
                    id: noneText
                    objectName: "noPolicies"
                    visible: parent.none
                    width: parent.width
                    text: qsTr("No policy fits these answers yet. Change the answers, or ask the station staff about other support.")
                    font.pixelSize: Theme.large
                    font.family: Theme.fontFamily
                    color: Theme.text
                    wrapMode: Text.WordWrap
                }
            }
        }
    }

    actions: [
        BigButton {
            objectName: "backButton"
            text: consult.matched ? qsTr("Change answers") : qsTr("Back")
            Layout.preferredWidth: Math.round(360 * Theme.s)
            onClicked: consult.matched ? consult.editProfile() : consult.close()
        },
        BigButton {
            objectName: "matchButton"
            visible: !consult.matched
            enabled: !consult.busy
            kind: "primary"
            text: qsTr("Show matching policies")
            Layout.fillWidth: true
            onClicked: { OnScreenKeyboard.hide(); consult.matchPolicies() }
        },
        BigButton {
            objectName: "doneButton"
            visible: consult.matched
            kind: "primary"
            text: qsTr("Done")
            Layout.fillWidth: true
            onClicked: consult.close()
        }
    ]
}
