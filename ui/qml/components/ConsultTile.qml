// An entry to a consultation that needs no ID card (check progress, find policies, ask a
// question), or to handing in missing material with the receipt or the card (kind "supplement").
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

Button {
    id: tile
    property string kind: ""
    property bool compact: false   // the short form, for the row of quick tiles
    readonly property string heading: kind === "progress" ? qsTr("Check progress")
                                    : kind === "policies" ? qsTr("Find policies for you")
                                    : kind === "supplement" ? qsTr("Hand in missing material")
                                    : qsTr("Ask a question")
    readonly property string summary: kind === "progress" ? qsTr("Type the number on your receipt, or scan its QR code.")
                                    : kind === "policies" ? qsTr("Answer a few questions about your enterprise and see which support policies fit.")
                                    : kind === "supplement" ? qsTr("Photograph what the officer asked for; scan your receipt's QR code or read your ID card.")
                                    : qsTr("Search common questions; if there is no answer, a service agent can help.")
    implicitHeight: Math.max(compact ? Math.round(150 * Theme.s) : Math.round(200 * Theme.s),
                             col.implicitHeight + 2 * Theme.gap)
    focusPolicy: Qt.NoFocus
    Accessible.name: tile.heading  // the words are drawn by contentItem: the button has no text
    onClicked: kind === "supplement" ? supplement.open() : consult.open(kind)
    background: Rectangle {
        radius: Theme.radius
        color: tile.down ? Theme.surfaceAlt : Theme.surface
        border.color: Theme.primary
        border.width: 2
    }
    contentItem: ColumnLayout {
        id: col
        spacing: 6
        anchors.fill: parent
        anchors.margins: Theme.gap
        Text {
            text: tile.heading
            font.pixelSize: Theme.large
            font.bold: true
            font.family: Theme.fontFamily
            color: Theme.primary
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
        Text {
            visible: !tile.compact
            text: tile.summary
            font.pixelSize: Theme.body
            font.family: Theme.fontFamily
            color: Theme.muted
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
        Text {
            text: tile.kind === "supplement" ? qsTr("With your receipt or ID card")
                                             : qsTr("No ID card needed")
            font.pixelSize: Theme.small
            font.family: Theme.fontFamily
            color: Theme.muted
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
    }
}
