// Top bar: who we are, the station, read aloud, language and care-mode switches (every screen).
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

Rectangle {
    id: header
    readonly property int rowHeight: Math.round(132 * Math.min(Theme.s, 1.2))
    // Care mode's large toggles (with 远程帮办 and 重听 showing) leave the brand no room beside
    // them: it then takes a row of its own above them instead of ending in an ellipsis.
    readonly property bool stacked: brandMetrics.advanceWidth + toggles.implicitWidth
                                    + Theme.margin + 3 * Theme.gap > width
    implicitHeight: stacked ? rowHeight + brandTop.implicitHeight + Theme.gap : rowHeight
    color: Theme.headerBg

    TextMetrics {
        id: brandMetrics
        text: qsTr("Su Xin Ban · Qihang Station")
        font.pixelSize: Theme.large
        font.bold: true
        font.family: Theme.fontFamily
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.leftMargin: Theme.margin
        anchors.rightMargin: Theme.gap
        anchors.topMargin: header.stacked ? Theme.gap / 2 : 0
        spacing: 0

        Brand {
            id: brandTop
            visible: header.stacked
            Layout.fillWidth: true
        }

        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: Theme.gap

            Brand {
                visible: !header.stacked
                Layout.fillWidth: true
            }
            Item {
                visible: header.stacked
                Layout.fillWidth: true
            }

            RowLayout {
                id: toggles
                spacing: Theme.gap

                HeaderToggle {
                    // Remote help on every screen after the attract one (the Q&A screen
                    // offers its own where no answer was found); hidden during a call.
                    objectName: "getHelpButton"
                    visible: assist.available && !assist.active && session.screen !== "Attract"
                             && session.screen !== "Qa"
                    text: qsTr("Get help")
                    onClicked: assist.requestHelp()
                }
                HeaderToggle {
                    // Care mode reads each screen aloud by itself: 重听 says the last sentence
                    // again (on the receipt, the tracking number). Else 朗读 reads it once.
                    objectName: "speechButton"
                    visible: speech.available && session.screen !== "Attract" && !technician.active
                    text: settings.careMode ? qsTr("Repeat") : qsTr("Read aloud")
                    Accessible.name: text
                    onClicked: settings.careMode ? speech.repeat() : speech.readAloud()
                }
                HeaderToggle {
                    objectName: "languageButton"
                    // Shows the language you switch TO, in that language.
                    text: settings.language === "en_US" ? "中文" : "English"
                    // What it does, in the language being read now too.
                    Accessible.name: settings.language === "en_US" ? "中文 (Chinese)" : "English（英文）"
                    onClicked: settings.setLanguage(settings.language === "en_US" ? "zh_CN" : "en_US")
                }
                HeaderToggle {
                    objectName: "careModeButton"
                    text: settings.careMode ? qsTr("Standard") : qsTr("Large text")
                    onClicked: settings.setCareMode(!settings.careMode)
                }
            }
        }
    }

    component Brand: ColumnLayout {
        spacing: 2
        Text {
            text: brandMetrics.text
            color: Theme.headerText
            font.pixelSize: Theme.large
            font.bold: true
            font.family: Theme.fontFamily
            elide: Text.ElideRight
            Layout.fillWidth: true
        }
        Text {
            text: kioskInfo.stationName
            color: Theme.headerText
            opacity: 0.85
            font.pixelSize: Theme.small
            font.family: Theme.fontFamily
            elide: Text.ElideRight
            Layout.fillWidth: true
        }
    }

    component HeaderToggle: Button {
        id: t
        implicitHeight: Math.round(96 * Math.min(Theme.s, 1.2))
        implicitWidth: Math.max(200, contentItem.implicitWidth + 48)
        focusPolicy: Qt.NoFocus
        font.pixelSize: Theme.body
        font.family: Theme.fontFamily
        contentItem: Text {
            text: t.text
            font: t.font
            color: Theme.headerText
            horizontalAlignment: Text.AlignHCenter
            verticalAlignment: Text.AlignVCenter
        }
        background: Rectangle {
            radius: Theme.radius
            color: t.down ? Qt.rgba(1, 1, 1, 0.25) : "transparent"
            border.color: Theme.headerText
            border.width: 2
        }
    }
}
