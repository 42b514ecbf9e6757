// 好差评: the parts of the card holder's filings that are done and not yet rated, one at a time,
// before the service list. One of five levels (which also sets the four indicators), each
// indicator adjustable, then submit; or skip. The bridge (`rating`) holds the state.
import QtQuick
import QtQuick.Layouts
import "../components"

ScreenFrame {
    objectName: "ratingScreen"
    title: rating.done ? qsTr("Thank you") : qsTr("Please rate our service")
    subtitle: rating.done
              ? qsTr("Your ratings help the departments improve. Now choose a service.")
              : qsTr("Part %1 of %2 is done. How satisfied are you? You can change a rating within 7 days.")
                    .arg(rating.position).arg(rating.count)

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap
        visible: !rating.done

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

        Banner {
            objectName: "ratingRefusal"
            visible: rating.refusal !== "" || rating.networkFailed
            tone: "error"
            heading: rating.networkFailed ? qsTr("The service hall cannot be reached") : rating.refusal
            detail: rating.networkFailed ? qsTr("Try again, or skip: you can also rate on your phone.") : ""
            Layout.fillWidth: true
        }

        Item { Layout.fillHeight: true }
    }

    actions: [
        BigButton {
            objectName: "ratingSkip"
            visible: !rating.done
            text: qsTr("Skip")
            kind: "quiet"
            onClicked: rating.skip()
        },
        Item { Layout.fillWidth: true },
        BigButton {
            objectName: "ratingSubmit"
            visible: !rating.done
            enabled: rating.level > 0 && !rating.sending
            text: rating.sending ? qsTr("Sending…") : qsTr("Submit rating")
            kind: "primary"
            onClicked: rating.submit()
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
