// The yardstick for `python -m bench ui`: what any Qt Quick window costs for the same gestures.
// A button that changes state, a two-page StackView (no transitions: the kiosk's screens swap
// at once) and a 20-field form of TextFields, in the kiosk's window size and the Basic style.
import QtQuick
import QtQuick.Controls

ApplicationWindow {
    width: 1080
    height: 1920
    visible: true
    font.pixelSize: 36

    StackView {
        id: stack
        objectName: "stack"
        anchors.fill: parent
        pushEnter: Transition {}
        pushExit: Transition {}
        popEnter: Transition {}
        popExit: Transition {}

        initialItem: Page {
            objectName: "page1"
            Column {
                anchors.centerIn: parent
                spacing: 40
                Button {
                    objectName: "toggleButton"
                    property bool on: false
                    width: 600
                    height: 120
                    text: on ? "On" : "Off"
                    onClicked: on = !on
                }
                Button {
                    objectName: "nextButton"
                    width: 600
                    height: 120
                    text: "Next"
                    onClicked: stack.push(formPage)
                }
            }
        }
    }

    Component {
        id: formPage
        Page {
            objectName: "page2"
            Flickable {
                anchors.fill: parent
                contentHeight: column.implicitHeight
                Column {
                    id: column
                    width: parent.width
                    spacing: 16
                    padding: 24
                    Button {
                        objectName: "backButton"
                        width: 300
                        height: 100
                        text: "Back"
                        onClicked: stack.pop()
                    }
                    Repeater {
                        model: 20
                        delegate: TextField {
                            required property int index
                            objectName: "field_" + index
                            width: 1000
                            height: 72
                            placeholderText: "Field " + (index + 1)
                        }
                    }
                }
            }
        }
    }
}
