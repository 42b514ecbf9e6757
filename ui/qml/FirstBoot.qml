// First boot: the technician enrols this terminal with the hall (hall address + one-time code).
// Shown instead of the kiosk while the terminal has no station; the work is in EnrolmentBridge.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import "components"

ApplicationWindow {
    id: window
    objectName: "firstBootWindow"
    width: 1080
    height: 1920
    visible: true
    title: qsTr("Qihang Station Kiosk")
    color: Theme.background
    font.family: Theme.fontFamily
    font.pixelSize: Theme.body

    // The theme follows the walk-in's care mode (larger type, high contrast).
    Binding { target: Theme; property: "s"; value: settings.scale }
    Binding { target: Theme; property: "contrast"; value: settings.careMode }

    component EntryField: TextField {
        Layout.fillWidth: true
        implicitHeight: Theme.touch
        font.pixelSize: Theme.large
        font.family: Theme.fontFamily
        color: Theme.text
        placeholderTextColor: Theme.muted
        leftPadding: Theme.gap
        background: Rectangle {
            radius: Theme.radius
            color: Theme.surface
            border.width: parent.activeFocus ? 4 : 2
            border.color: parent.activeFocus ? Theme.primary : Theme.border
        }
    }

    component HeaderButton: Button {
        id: headerButton
        implicitHeight: Math.round(88 * Math.min(Theme.s, 1.2))
        implicitWidth: Math.max(implicitHeight * 2, contentItem.implicitWidth + 48)
        focusPolicy: Qt.NoFocus
        contentItem: Text {
            text: headerButton.text
            color: Theme.headerText
            font.pixelSize: Theme.body
            font.family: Theme.fontFamily
            horizontalAlignment: Text.AlignHCenter
            verticalAlignment: Text.AlignVCenter
        }
        background: Rectangle {
            radius: Theme.radius
            color: "transparent"
            border.width: 2
            border.color: Theme.headerText
        }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        Rectangle {
            Layout.fillWidth: true
            implicitHeight: Math.round(132 * Math.min(Theme.s, 1.2))
            color: Theme.headerBg
            RowLayout {
                anchors.fill: parent
                anchors.leftMargin: Theme.margin
                anchors.rightMargin: Theme.gap
                spacing: Theme.gap
                Text {
                    Layout.fillWidth: true
                    text: qsTr("Su Xin Ban · Qihang Station")
                    color: Theme.headerText
                    font.pixelSize: Theme.large
                    font.bold: true
                    elide: Text.ElideRight
                }
                HeaderButton {
                    objectName: "languageButton"
                    text: settings.language === "en_US" ? "中文" : "English"
                    // What it does, in the language being read now too.
                    Accessible.name: settings.language === "en_US" ? "中文 (Chinese)" : "English（英文）"
                    onClicked: settings.setLanguage(settings.language === "en_US" ? "zh_CN" : "en_US")
                }
                HeaderButton {
                    objectName: "careButton"
                    text: settings.careMode ? qsTr("Standard") : qsTr("Large text")
                    onClicked: settings.setCareMode(!settings.careMode)
                }
            }
        }

        Flickable {
            Layout.fillWidth: true
            Layout.fillHeight: true
            contentHeight: body.implicitHeight + 2 * Theme.margin
            clip: true

            ColumnLayout {
                id: body
                x: Theme.margin
                y: Theme.margin
                width: parent.width - 2 * Theme.margin
                spacing: Theme.gap

                Text {
                    Layout.fillWidth: true
                    text: qsTr("Set up this terminal")
                    color: Theme.text
                    font.pixelSize: Theme.title
                    font.bold: true
                    wrapMode: Text.WordWrap
                }
                Text {
                    Layout.fillWidth: true
                    visible: enrolment.phase === "entry"
                    text: qsTr("For technicians. Enter the hall's address and the enrolment code the hall staff gave you. A code works once, for 30 minutes.")
                    color: Theme.muted
                    font.pixelSize: Theme.body
                    wrapMode: Text.WordWrap
                }

                // --- entry ---------------------------------------------------------------------
                ColumnLayout {
                    Layout.fillWidth: true
                    visible: enrolment.phase === "entry"
                    spacing: Theme.gap
                    Text {
                        text: qsTr("Hall address")
                        color: Theme.text
                        font.pixelSize: Theme.body
                        font.bold: true
                    }
                    EntryField {
                        id: hallField
                        objectName: "hallUrlField"
                        Accessible.name: qsTr("Hall address")
                        text: enrolment.hallUrl
                        placeholderText: "https://hall.example"
                        inputMethodHints: Qt.ImhUrlCharactersOnly | Qt.ImhNoPredictiveText
                                          | Qt.ImhNoAutoUppercase | Qt.ImhPreferLatin
                    }
                    Text {
                        text: qsTr("Enrolment code")
                        color: Theme.text
                        font.pixelSize: Theme.body
                        font.bold: true
                    }
                    EntryField {
                        id: codeField
                        objectName: "codeField"
                        Accessible.name: qsTr("Enrolment code")
                        placeholderText: "XXXX-XXXX-XXXX-XXXX"
                        font.pixelSize: Theme.title
                        font.letterSpacing: 4
                        maximumLength: 24
                        inputMethodHints: Qt.ImhUppercaseOnly | Qt.ImhNoPredictiveText
                                          | Qt.ImhPreferLatin
                    }
                    Text {
                        Layout.fillWidth: true
                        text: qsTr("16 letters and digits; codes never use O, I, L, 0 or 1.")
                        color: Theme.muted
                        font.pixelSize: Theme.small
                        wrapMode: Text.WordWrap
                    }
                    BigButton {
                        objectName: "enrolButton"
                        Layout.fillWidth: true
                        Layout.topMargin: Theme.gap
                        kind: "primary"
                        text: qsTr("Enrol this terminal")
                        enabled: codeField.text.replace(/[\s-]/g, "").length >= 16
                                 && hallField.text.length > 0
                        onClicked: {
                            // The keyboard goes with the form: the next view has no field.
                            hallField.focus = false
                            codeField.focus = false
                            OnScreenKeyboard.hide()
                            enrolment.enrol(hallField.text, codeField.text)
                        }
                    }
                }

                // --- working -------------------------------------------------------------------
                RowLayout {
                    visible: enrolment.phase === "working"
                    spacing: Theme.gap
                    BusyIndicator {
                        running: enrolment.phase === "working"
                        implicitWidth: Theme.touch
                        implicitHeight: Theme.touch
                    }
                    Text {
                        Layout.fillWidth: true
                        objectName: "workingText"
                        text: qsTr("Contacting the hall…")
                        color: Theme.text
                        font.pixelSize: Theme.large
                        wrapMode: Text.WordWrap
                    }
                }

                // --- done ----------------------------------------------------------------------
                ColumnLayout {
                    Layout.fillWidth: true
                    visible: enrolment.phase === "done"
                    spacing: Theme.gap
                    Text {
                        Layout.fillWidth: true
                        text: qsTr("This terminal is enrolled")
                        color: Theme.success
                        font.pixelSize: Theme.large
                        font.bold: true
                        wrapMode: Text.WordWrap
                    }
                    Text {
                        Layout.fillWidth: true
                        objectName: "stationText"
                        text: qsTr("Station: %1 (%2)").arg(enrolment.stationName).arg(enrolment.stationId)
                        color: Theme.text
                        font.pixelSize: Theme.large
                        wrapMode: Text.WordWrap
                    }
                    BigButton {
                        objectName: "startButton"
                        Layout.fillWidth: true
                        Layout.topMargin: Theme.gap
                        kind: "primary"
                        text: qsTr("Start the kiosk")
                        onClicked: enrolment.finish()
                    }
                }

                // --- failed --------------------------------------------------------------------
                Rectangle {
                    Layout.fillWidth: true
                    visible: enrolment.phase === "failed"
                    implicitHeight: failedColumn.implicitHeight + 2 * Theme.gap
                    radius: Theme.radius
                    color: Theme.dangerBg
                    border.width: Theme.borderWidth
                    border.color: Theme.danger
                    ColumnLayout {
                        id: failedColumn
                        x: Theme.gap
                        y: Theme.gap
                        width: parent.width - 2 * Theme.gap
                        spacing: Theme.gap / 2
                        Text {
                            Layout.fillWidth: true
                            objectName: "failureTitle"
                            text: enrolment.failureTitle
                            color: Theme.danger
                            font.pixelSize: Theme.large
                            font.bold: true
                            wrapMode: Text.WordWrap
                        }
                        Text {
                            Layout.fillWidth: true
                            text: enrolment.failureNext
                            color: Theme.text
                            font.pixelSize: Theme.body
                            wrapMode: Text.WordWrap
                        }
                        Text {
                            text: qsTr("Fault code: %1").arg(enrolment.failureCode)
                            color: Theme.muted
                            font.pixelSize: Theme.small
                        }
                    }
                }
                BigButton {
                    objectName: "retryButton"
                    Layout.fillWidth: true
                    visible: enrolment.phase === "failed"
                    kind: "primary"
                    text: qsTr("Try again")
                    onClicked: enrolment.retry()
                }
            }
        }

        Loader {
            id: keyboardLoader
            objectName: "keyboardLoader"
            Layout.fillWidth: true
            // The panel is visible while it is active (Keyboard.qml).
            Layout.preferredHeight: item && (item as Item).visible ? (item as Item).implicitHeight : 0
            source: "components/Keyboard.qml"
        }
    }
}
