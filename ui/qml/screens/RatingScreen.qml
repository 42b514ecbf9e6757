// 好差评: the parts of the card holder's filings that are done and not yet rated, one at a time,
// before the service list. One of five levels (which also sets the four indicators), each
// indicator adjustable, an optional comment typed on the on-screen keyboard, then submit; or
// skip. The bridge (`rating`) holds the state.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Settings
import "../components"

ScreenFrame {
    objectName: "ratingScreen"
    title: rating.done ? qsTr("Thank you") : qsTr("Please rate our service")
    subtitle: rating.done
              ? qsTr("Your ratings help the departments improve. Now choose a service.")
              : qsTr("Part %1 of %2 is done. How satisfied are you? You can change a rating within 7 days.")
                    .arg(rating.position).arg(rating.count)

    // Scrolls: with the comment and the keyboard up (care mode's large type too) it is taller
    // than the screen.
    Flickable {
        id: flick
        objectName: "ratingFlickable"
        anchors.fill: parent
        visible: !rating.done
        clip: true
        contentHeight: ratingColumn.implicitHeight + Theme.gap
        boundsBehavior: Flickable.StopAtBounds
        // Always drawn when there is more below (care mode's large type): no hidden content.
        ScrollBar.vertical: ScrollBar {
            width: 16
            policy: flick.contentHeight > flick.height ? ScrollBar.AlwaysOn : ScrollBar.AlwaysOff
        }

        // Once a level is chosen the indicators and the comment box appear at the bottom:
        // scrolled into sight where the screen is too short for all of it (care mode), once the
        // layout has grown by them.
        property bool revealComment: false
        onContentHeightChanged: if (revealComment) {
            revealComment = false
            contentY = Math.max(0, contentHeight - height)
        }

        // The keyboard opens after the comment box took focus and shortens the screen: keep
        // the box in sight above it.
        onHeightChanged: if (commentBox.activeFocus) ensureVisible(commentBox)

        function ensureVisible(item) {
            var p = item.mapToItem(ratingColumn, 0, 0)
            if (p.y < contentY)
                contentY = p.y
            else if (p.y + item.height > contentY + height)
                contentY = Math.min(p.y + item.height - height, contentHeight - height)
        }

        ColumnLayout {
            id: ratingColumn
            width: flick.width - 24
            spacing: Theme.gap

            // The part being rated: the hall's names and the receipt's number, nothing personal.
            Rectangle {
                Layout.fillWidth: true
                implicitHeight: partColumn.implicitHeight + 2 * Theme.gap
                radius: Theme.radius
                color: Theme.surface
                border.color: Theme.border
                border.width: 2
                ColumnLayout {
                    id: partColumn
                    anchors.fill: parent
                    anchors.margins: Theme.gap
                    spacing: 4
                    Text {
                        objectName: "ratingPartName"
                        text: rating.part.name || ""
                        font.pixelSize: Theme.large
                        font.bold: true
                        font.family: Theme.fontFamily
                        color: Theme.text
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                    Text {
                        text: (rating.part.service || "") + " · " + (rating.part.department || "")
                        font.pixelSize: Theme.body
                        font.family: Theme.fontFamily
                        color: Theme.muted
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                    Text {
                        text: qsTr("Tracking number %1").arg(rating.part.trackingNumber || "")
                        font.pixelSize: Theme.small
                        font.family: Theme.fontFamily
                        color: Theme.muted
                        Layout.fillWidth: true
                    }
                }
            }

            // The five levels: the one choice that matters most, as big as the screen allows.
            GridLayout {
                objectName: "ratingLevels"
                Layout.fillWidth: true
                columns: 3
                columnSpacing: Theme.gap / 2
                rowSpacing: Theme.gap / 2
                Repeater {
                    model: rating.levels
                    ChoiceChip {
                        required property var modelData
                        objectName: "ratingLevel" + modelData.level
                        text: modelData.name
                        selected: modelData.chosen
                        Layout.fillWidth: true
                        Layout.preferredHeight: Theme.touch
                        onClicked: rating.chooseLevel(modelData.level)
                    }
                }
            }

            // The four indicators, 1-5 each; they follow the level until changed.
            ColumnLayout {
                visible: rating.level > 0
                Layout.fillWidth: true
                spacing: Theme.gap / 2
                Repeater {
                    model: rating.indicators
                    RowLayout {
                        id: indicatorRow
                        required property var modelData
                        Layout.fillWidth: true
                        spacing: Theme.gap / 2
                        Text {
                            text: indicatorRow.modelData.name
                            font.pixelSize: Theme.body
                            font.family: Theme.fontFamily
                            color: Theme.text
                            Layout.preferredWidth: Math.round(250 * Theme.s)
                            wrapMode: Text.WordWrap
                        }
                        Repeater {
                            model: 5
                            ChoiceChip {
                                required property int index
                                objectName: "ratingScore_" + indicatorRow.modelData.id + "_" + (index + 1)
                                text: String(index + 1)
                                selected: indicatorRow.modelData.score === index + 1
                                // Equal widths: the layout shares the row by preferred width.
                                Layout.preferredWidth: Math.round(100 * Theme.s)
                                Layout.fillWidth: true
                                onClicked: rating.setScore(indicatorRow.modelData.id, index + 1)
                            }
                        }
                    }
                }
            }

            // The optional comment (意见建议): the walk-in's own words, so sensitive input like a
            // form field: the keyboard learns nothing from it, nothing reaches the clipboard, and the
            // session's end forgets it (kiosk/session/rating.py, forget_input_traces).
            ColumnLayout {
                id: commentColumn
                visible: rating.level > 0
                Layout.fillWidth: true
                spacing: 8
                onVisibleChanged: if (visible) flick.revealComment = true
                RowLayout {
                    Layout.fillWidth: true
                    Text {
                        text: qsTr("Comment (optional)")
                        font.pixelSize: Theme.body
                        font.bold: true
                        font.family: Theme.fontFamily
                        color: Theme.text
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                    Text {
                        objectName: "ratingCommentCount"
                        text: qsTr("%1 / %2").arg(rating.comment.length).arg(rating.maxComment)
                        font.pixelSize: Theme.small
                        font.family: Theme.fontFamily
                        color: Theme.muted
                    }
                }
                TextArea {
                    id: commentBox
                    objectName: "ratingComment"
                    Accessible.name: qsTr("Comment (optional)")
                    Layout.fillWidth: true
                    Layout.preferredHeight: Math.round(Theme.touch * 1.8)
                    text: rating.comment
                    font.pixelSize: Theme.large
                    font.family: Theme.fontFamily
                    color: Theme.text
                    wrapMode: TextEdit.Wrap
                    placeholderText: qsTr("What went well, what should improve?")
                    placeholderTextColor: Theme.muted
                    inputMethodHints: PersonalInput.hints
                    selectByMouse: false
                    persistentSelection: false
                    ContextMenu.menu: null
                    Keys.onPressed: (event) => PersonalInput.refuseClipboard(event)
                    // The flow cuts the text at the hall's limit; the binding shows what it kept.
                    onTextChanged: if (activeFocus && text !== rating.comment) rating.setComment(text)
                    onActiveFocusChanged: if (activeFocus) {
                        flick.ensureVisible(commentBox)
                        Qt.callLater(commentBox.preferPinyin)
                    }
                    // The keyboard keeps its last mode; Chinese words open in Pinyin, as in a form.
                    function preferPinyin() {
                        if (VirtualKeyboardSettings.locale !== "zh_CN")
                            return
                        var engine = InputContext.inputEngine
                        if (engine.inputModes.indexOf(InputEngine.InputMode.Pinyin) >= 0)
                            engine.inputMode = InputEngine.InputMode.Pinyin
                    }
                    background: Rectangle {
                        radius: Theme.radius
                        color: Theme.surface
                        border.color: commentBox.activeFocus ? Theme.primary : Theme.border
                        border.width: commentBox.activeFocus ? 3 : 2
                    }
                }
            }

            Banner {
                objectName: "ratingRefusal"
                visible: rating.refusal !== "" || rating.networkFailed || rating.rateLimited
                tone: "error"
                heading: rating.rateLimited ? rating.rateLimitTitle
                       : rating.networkFailed ? qsTr("The service hall cannot be reached") : rating.refusal
                detail: rating.rateLimited ? rating.rateLimitDetail
                      : rating.networkFailed ? qsTr("Try again, or skip: you can also rate on your phone.") : ""
                code: rating.failureCode  // for the station staff: 429 is not an outage
                Layout.fillWidth: true
            }
        }
    }

    actions: [
        BigButton {
            objectName: "ratingSkip"
            visible: !rating.done
            text: qsTr("Skip")
            kind: "quiet"
            onClicked: { OnScreenKeyboard.hide(); rating.skip() }
        },
        Item { Layout.fillWidth: true },
        BigButton {
            objectName: "ratingSubmit"
            visible: !rating.done
            enabled: rating.level > 0 && !rating.sending
            text: rating.sending ? qsTr("Sending…") : qsTr("Submit rating")
            kind: "primary"
            onClicked: { OnScreenKeyboard.hide(); rating.submit() }
        },
        BigButton {
            objectName: "ratingContinue"
            visible: rating.done
            text: qsTr("Continue to services")
            kind: "primary"
            Layout.fillWidth: true
            onClicked: rating.close()
        }
    ]
}
