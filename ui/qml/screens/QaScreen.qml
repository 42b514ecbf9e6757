// Q&A: search the common questions (Chinese, or pinyin initials such as "yyzz"); when nothing
// answers, a service agent can help remotely (远程帮办).
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Settings
import "../components"

ScreenFrame {
    objectName: "qaScreen"
    title: qsTr("Ask a question")
    subtitle: qsTr("Type a few words, or the first letters of their pinyin (e.g. yyzz for 营业执照).")
              + (settings.language === "en_US" ? " " + qsTr("The answers are written in Chinese.") : "")

    // A Chinese search box opens in Pinyin, as a walk-in expects; they can still switch to ABC.
    function preferPinyin() {
        if (VirtualKeyboardSettings.locale !== "zh_CN")
            return
        var engine = InputContext.inputEngine
        if (engine.inputModes.indexOf(InputEngine.InputMode.Pinyin) >= 0)
            engine.inputMode = InputEngine.InputMode.Pinyin
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap

        TextField {
            id: searchField
            objectName: "qaSearchField"
            Accessible.name: qsTr("Search")
            Layout.fillWidth: true
            Layout.preferredHeight: Theme.touch
            text: consult.query
            font.pixelSize: Theme.large
            font.family: Theme.fontFamily
            color: Theme.text
            maximumLength: 100
            placeholderText: qsTr("e.g. 营业执照丢了 / 社保 / yyzz")
            placeholderTextColor: Theme.muted
            // Walk-ins search for their company or their own case by name: as personal as a form.
            inputMethodHints: PersonalInput.hints
            selectByMouse: false
            persistentSelection: false
            ContextMenu.menu: null
            Keys.onPressed: (event) => PersonalInput.refuseClipboard(event)
            onTextEdited: consult.setQuery(text)
            onAccepted: { OnScreenKeyboard.hide(); consult.search() }
            onActiveFocusChanged: if (activeFocus) Qt.callLater(preferPinyin)
            background: Rectangle {
                radius: Theme.radius
                color: Theme.surface
                border.color: searchField.activeFocus ? Theme.primary : Theme.border
                border.width: searchField.activeFocus ? 3 : 2
            }
        }

        Banner {
            objectName: "consultStatus"
            visible: consult.statusTitle !== ""
            tone: consult.busy ? "info" : "error"
            heading: consult.statusTitle
            detail: consult.statusDetail
            Layout.fillWidth: true
        }

        // Nothing answers the question: a person can (the assist issue connects the call).
        ColumnLayout {
            visible: consult.status === "not_found" || consult.status === "unavailable"
            Layout.fillWidth: true
            spacing: Theme.gap / 2
            BigButton {
                objectName: "getHelpButton"
                text: qsTr("Get remote help")
                Layout.fillWidth: true
                onClicked: assist.requestHelp()
            }
            Banner {
                objectName: "helpNotice"
                visible: consult.helpRequested
                tone: "info"
                heading: qsTr("Remote help is coming soon")
                detail: qsTr("Video help from a service agent is being set up at this station. Until then, please ask the station staff or call 0512-12345.")
                Layout.fillWidth: true
            }
        }

        ListView {
            id: hitList
            objectName: "qaResults"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: Theme.gap
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar { width: 16; policy: ScrollBar.AsNeeded }
            model: consult.hits
            delegate: Rectangle {
                objectName: "hit_" + modelData.id
                width: hitList.width - 24
                implicitHeight: hitCol.implicitHeight + 2 * Theme.gap
                radius: Theme.radius
                color: Theme.surface
                border.color: Theme.border
                border.width: Theme.borderWidth
                ColumnLayout {
                    id: hitCol
                    anchors.fill: parent
                    anchors.margins: Theme.gap
                    spacing: 8
                    Text {
                        text: modelData.question
                        font.pixelSize: Theme.large
                        font.bold: true
                        font.family: Theme.fontFamily
                        color: Theme.text
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                    Text {
                        text: modelData.answer
                        font.pixelSize: Theme.body
                        font.family: Theme.fontFamily
                        color: Theme.text
                        wrapMode: Text.WordWrap
                        lineHeight: 1.15
                        Layout.fillWidth: true
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
            onClicked: { OnScreenKeyboard.hide(); consult.close() }
        },
        BigButton {
            objectName: "searchButton"
            enabled: !consult.busy
            kind: "primary"
            text: qsTr("Search")
            Layout.fillWidth: true
            onClicked: { OnScreenKeyboard.hide(); consult.search() }
        }
    ]
}
