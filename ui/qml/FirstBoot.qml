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
    color: theme.background
    font.family: theme.fontFamily
    font.pixelSize: theme.body

    Theme { id: theme }

    component EntryField: TextField {
        Layout.fillWidth: true
        implicitHeight: theme.touch
        font.pixelSize: theme.large
        font.family: theme.fontFamily
        color: theme.text
        placeholderTextColor: theme.muted
        leftPadding: theme.gap
        background: Rectangle {
            radius: theme.radius
            color: theme.surface
            border.width: parent.activeFocus ? 4 : 2
            border.color: parent.activeFocus ? theme.primary : theme.border
        }
    }

    component HeaderButton: Button {
        implicitHeight: Math.round(88 * Math.min(theme.s, 1.2))
        implicitWidth: Math.max(implicitHeight * 2, contentItem.implicitWidth + 48)
        focusPolicy: Qt.NoFocus
        contentItem: Text {
            text: parent.text
            color: theme.headerText
            font.pixelSize: theme.body
            font.family: theme.fontFamily
            horizontalAlignment: Text.AlignHCenter
            verticalAlignment: Text.AlignVCenter
        }
        background: Rectangle {
            radius: theme.radius
            color: "transparent"
            border.width: 2
            border.color: theme.headerText
        }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        Rectangle {
            Layout.fillWidth: true
            implicitHeight: Math.round(132 * Math.min(theme.s, 1.2))
            color: theme.headerBg
            RowLayout {
                anchors.fill: parent
                anchors.leftMargin: theme.margin
                anchors.rightMargin: theme.gap
                spacing: theme.gap
                Text {
                    Layout.fillWidth: true
                    text: qsTr("Su Xin Ban · Qihang Station")
                    color: theme.headerText
                    font.pixelSize: theme.large
                    font.bold: true
                    elide: Text.ElideRight
                }
                HeaderButton {
                    objectName: "languageButton"
                    text: settings.language === "en_US" ? "中文" : "English"
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
            contentHeight: body.implicitHeight + 2 * theme.margin
            clip: true

            ColumnLayout {
                id: body
                x: theme.margin
                y: theme.margin
                width: parent.width - 2 * theme.margin
                spacing: theme.gap

                Text {
                    Layout.fillWidth: true
                    text: qsTr("Set up this terminal")
                    color: theme.text
                    font.pixelSize: theme.title
                    font.bold: true
                    wrapMode: Text.WordWrap
                }
                Text {
                    Layout.fillWidth: true
                    visible: enrolment.phase === "entry"
                    text: qsTr("For technicians. Enter the hall's address and the enrolment code the hall staff gave you. A code works once, for 30 minutes.")
                    color: theme.muted
                    font.pixelSize: theme.body
                    wrapMode: Text.WordWrap
                }

                // --- entry ---------------------------------------------------------------------
                ColumnLayout {
                    Layout.fillWidth: true
                    visible: enrolment.phase === "entry"
                    spacing: theme.gap
                    Text {
                        text: qsTr("Hall address")
                        color: theme.text
                        font.pixelSize: theme.body
                        font.bold: true
                    }
                    EntryField {
                        id: hallField
                        objectName: "hallUrlField"
                        text: enrolment.hallUrl
                        placeholderText: "https://hall.example"
                        inputMethodHints: Qt.ImhUrlCharactersOnly | Qt.ImhNoPredictiveText
                                          | Qt.ImhNoAutoUppercase | Qt.ImhPreferLatin
                    }
                    Text {
                        text: qsTr("Enrolment code")
                        color: theme.text
                        font.pixelSize: theme.body
                        font.bold: true
                    }
                    EntryField {
                        id: codeField
                        objectName: "codeField"
                        placeholderText: "XXXX-XXXX-XXXX-XXXX"
                        font.pixelSize: theme.title
                        font.letterSpacing: 4
                        maximumLength: 24
                        inputMethodHints: Qt.ImhUppercaseOnly | Qt.ImhNoPredictiveText
                                          | Qt.ImhPreferLatin
                    }
                    Text {
                        Layout.fillWidth: true
                        text: qsTr("16 letters and digits; codes never use O, I, L, 0 or 1.")
                        color: theme.muted
                        font.pixelSize: theme.small
                        wrapMode: Text.WordWrap
                    }
                    BigButton {
                        objectName: "enrolButton"
                        Layout.fillWidth: true
                        Layout.topMargin: theme.gap
                        kind: "primary"
                        text: qsTr("Enrol this terminal")
                        enabled: codeField.text.replace(/[\s-]/g, "").length >= 16
                                 && hallField.text.length > 0
                        onClicked: {
                            // The keyboard goes with the form: the next view has no field.
                            hallField.focus = false
                            codeField.focus = false
                            Qt.inputMethod.hide()
                            enrolment.enrol(hallField.text, codeField.text)
                        }
                    }
                }

                // --- working -------------------------------------------------------------------
                RowLayout {
                    visible: enrolment.phase === "working"
                    spacing: theme.gap
                    BusyIndicator {
                        running: enrolment.phase === "working"
                        implicitWidth: theme.touch
                        implicitHeight: theme.touch
                    }
                    Text {
                        Layout.fillWidth: true
                        objectName: "workingText"
                        text: qsTr("Contacting the hall…")
                        color: theme.text
                        font.pixelSize: theme.large
                        wrapMode: Text.WordWrap
                    }
                }

                // --- done ----------------------------------------------------------------------
                ColumnLayout {
                    Layout.fillWidth: true
                    visible: enrolment.phase === "done"
                    spacing: theme.gap
                    Text {
                        Layout.fillWidth: true
                        text: qsTr("This terminal is enrolled")
                        color: theme.success
                        font.pixelSize: theme.large
                        font.bold: true
                        wrapMode: Text.WordWrap
                    }
                    Text {
                        Layout.fillWidth: true
                        objectName: "stationText"
                        text: qsTr("Station: %1 (%2)").arg(enrolment.stationName).arg(enrolment.stationId)
                        color: theme.text
                        font.pixelSize: theme.large
                        wrapMode: Text.WordWrap
                    }
                    BigButton {
                        objectName: "startButton"
                        Layout.fillWidth: true
                        Layout.topMargin: theme.gap
                        kind: "primary"
                        text: qsTr("Start the kiosk")
                        onClicked: enrolment.finish()
                    }
                }

                // --- failed --------------------------------------------------------------------
                Rectangle {
                    Layout.fillWidth: true
                    visible: enrolment.phase === "failed"
                    implicitHeight: failedColumn.implicitHeight + 2 * theme.gap
                    radius: theme.radius
                    color: theme.dangerBg
                    border.width: theme.borderWidth
                    border.color: theme.danger
                    ColumnLayout {
                        id: failedColumn
                        x: theme.gap
                        y: theme.gap
                        width: parent.width - 2 * theme.gap
                        spacing: theme.gap / 2
                        Text {
                            Layout.fillWidth: true
                            objectName: "failureTitle"
                            text: enrolment.failureTitle
                            color: theme.danger
                            font.pixelSize: theme.large
                            font.bold: true
                            wrapMode: Text.WordWrap
                        }
                        Text {
                            Layout.fillWidth: true
                            text: enrolment.failureNext
                            color: theme.text
                            font.pixelSize: theme.body
                            wrapMode: Text.WordWrap
                        }
                        Text {
                            text: qsTr("Fault code: %1").arg(enrolment.failureCode)
                            color: theme.muted
                            font.pixelSize: theme.small
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
            Layout.preferredHeight: item && item.active ? item.implicitHeight : 0
            source: "components/Keyboard.qml"
        }
    }
}
