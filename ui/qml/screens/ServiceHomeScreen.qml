// Service home: quick tiles for what needs no ID card (progress, policies, Q&A), a search box
// (Chinese, English or pinyin initials such as "qykb"), then the services: first "本站常用" (the
// bundles, then what this station files most), or by theme or by department. With a district
// catalog of 272 items each view stays a short list (serviceHome: ui/bridge/service_home_bridge.py).
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import "../components"

ScreenFrame {
    id: home
    objectName: "serviceHomeScreen"
    // Which chips the grid shows: the themes, or the departments once the walk-in asked for them
    // (kept while a search runs, until the home goes back to its first view).
    property string browse: "theme"
    // While the walk-in types, the results come straight under the box (the keyboard takes the
    // lower half): the tiles, tabs and chips return when the search is cleared.
    readonly property bool searching: serviceHome.view === "search"
    readonly property bool byDepartment: serviceHome.view === "department"
                                         || (serviceHome.view === "search" && browse === "department")

    // Browsing: the keyboard goes, the list gets the room.
    function dropKeyboard() {
        searchField.focus = false
        OnScreenKeyboard.hide()
    }

    function browseBy(how) {
        dropKeyboard()
        searchField.clear()
        if (how === "featured") {
            home.browse = "theme"
            serviceHome.showFeatured()
        } else if (how === "department") {
            home.browse = how
            serviceHome.chooseDepartment(serviceHome.department !== "" ? serviceHome.department
                                                                     : serviceHome.departments[0].id)
        } else {
            home.browse = how
            serviceHome.chooseTheme(session.category)
        }
    }

    // A tab or chip: big, one tap, its selected state seen at once.
    component HomeTab: Button {
        id: tab
        property string label
        property bool selected: false
        // Smaller than a main action (a grid of 12-14 must leave room for the services), still
        // 84 px at least: ≥ 60 px in normal mode, ≥ 80 px in care mode.
        Layout.preferredHeight: Math.max(Math.round(84 * Theme.s), contentItem.implicitHeight + 16)
        focusPolicy: Qt.NoFocus
        Accessible.role: Accessible.Button
        Accessible.name: label
        contentItem: Text {
            text: tab.label
            font.pixelSize: Theme.body
            font.bold: tab.selected
            font.family: Theme.fontFamily
            color: tab.selected ? Theme.primaryText : Theme.primary
            horizontalAlignment: Text.AlignHCenter
            verticalAlignment: Text.AlignVCenter
            wrapMode: Text.WordWrap
            elide: Text.ElideRight
            maximumLineCount: 3
        }
        background: Rectangle {
            radius: Theme.radius
            color: tab.selected ? Theme.primary : (tab.down ? Theme.surfaceAlt : Theme.surface)
            border.color: Theme.primary
            border.width: 2
        }
    }
    title: session.greetingName !== "" ? qsTr("Hello, %1. What would you like to do?").arg(session.greetingName)
                                      : qsTr("What would you like to do?")

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap

        Banner {
            objectName: "noticeBanner"
            visible: session.notice !== ""
            heading: session.notice
            detail: session.noticeNextStep
            Layout.fillWidth: true
        }

        // The enterprise register cannot be reached: the walk-in types and photographs as before.
        Banner {
            objectName: "registerUnavailable"
            visible: enterprise.unavailableText !== ""
            tone: "info"
            heading: enterprise.unavailableText
            Layout.fillWidth: true
        }

        // Search: a keystroke at a time, the input method's pre-edit included, so pinyin
        // initials (qykb) find 企业开办 before any candidate is chosen. Above the list, not in its
        // header: a list hands its focus to its current item when the model changes, which
        // would take the keyboard away mid-word.
        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.gap / 2
            TextField {
                id: searchField
                objectName: "homeSearchField"
                Layout.fillWidth: true
                Layout.preferredHeight: Theme.touch
                font.pixelSize: Theme.large
                font.family: Theme.fontFamily
                color: Theme.text
                maximumLength: 40
                placeholderText: qsTr("Search services, e.g. 营业执照 / qykb")
                placeholderTextColor: Theme.muted
                inputMethodHints: PersonalInput.hints
                selectByMouse: false
                ContextMenu.menu: null
                Accessible.role: Accessible.EditableText
                Accessible.name: qsTr("Search services")
                Keys.onPressed: (event) => PersonalInput.refuseClipboard(event)
                onDisplayTextChanged: serviceHome.setQuery(displayText)
                onAccepted: OnScreenKeyboard.hide()
                // The session ended or the walk-in chose a view: the box follows.
                Connections {
                    target: serviceHome
                    function onChanged() {
                        if (serviceHome.query === "" && searchField.displayText !== "")
                            searchField.clear()
                    }
                }
                background: Rectangle {
                    radius: Theme.radius
                    color: Theme.surface
                    border.color: searchField.activeFocus ? Theme.primary : Theme.border
                    border.width: searchField.activeFocus ? 3 : 2
                }
            }
            BigButton {
                objectName: "homeSearchClear"
                visible: serviceHome.query !== ""
                text: qsTr("Clear")
                Accessible.role: Accessible.Button
                Accessible.name: qsTr("Clear the search")
                onClicked: { searchField.clear(); serviceHome.setQuery("") }
            }
        }

        ListView {
            id: serviceList
            objectName: "serviceList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: Theme.gap
            model: serviceHome.services
            boundsBehavior: Flickable.StopAtBounds
            // Everything above the services scrolls with them: in care mode the large tiles would
            // otherwise leave the list a sliver. Then the consultations that belong to this
            // category (办事进度, 政策服务) come first.
            header: ColumnLayout {
                width: serviceList.width
                spacing: Theme.gap
                // The header grows or shrinks (another language's longer words, a search started or
                // cleared, departments instead of themes): a list at its top stays at its top,
                // instead of keeping the old offset and cutting the first row in half.
                onHeightChanged: if (!serviceList.moving && serviceList.contentY <= serviceList.originY + height)
                                     Qt.callLater(serviceList.positionViewAtBeginning)

                // 办理企业: acting for an enterprise from the register (after the card is read).
                RowLayout {
                    objectName: "enterpriseRow"
                    visible: session.greetingName !== "" && enterprise.available && !home.searching
                    Layout.fillWidth: true
                    spacing: Theme.gap / 2
                    Text {
                        objectName: "enterpriseChosen"
                        visible: enterprise.chosen.name !== undefined
                        text: qsTr("Filing for: %1").arg(enterprise.chosen.name || "")
                        font.pixelSize: Theme.body
                        font.bold: true
                        font.family: Theme.fontFamily
                        color: Theme.text
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                    BigButton {
                        objectName: "archiveButton"
                        visible: enterprise.chosen.name !== undefined
                        text: qsTr("E-archive")
                        Layout.preferredWidth: Math.round(240 * Theme.s)
                        onClicked: enterprise.openArchive()
                    }
                    BigButton {
                        objectName: "enterpriseButton"
                        text: enterprise.chosen.name !== undefined ? qsTr("Change") : qsTr("File for an enterprise")
                        Layout.fillWidth: enterprise.chosen.name === undefined
                        Layout.preferredWidth: Math.round(240 * Theme.s)
                        onClicked: enterprise.open()
                    }
                }

                // Most walk-ins without a card come to check progress or ask: those are one tap away.
                RowLayout {
                    objectName: "consultRow"
                    visible: !home.searching
                    Layout.fillWidth: true
                    spacing: Theme.gap / 2
                    // One height for the row: the tallest tile's (a long English heading wraps).
                    Repeater {
                        model: ["progress", "policies", "qa"]
                        delegate: ConsultTile {
                            objectName: "consult_" + modelData
                            kind: modelData
                            compact: true
                            Layout.fillWidth: true
                            Layout.fillHeight: true
                            Layout.preferredWidth: 1
                        }
                    }
                    // 补正: hand in what an officer asked for, at any station (the receipt or the card).
                    ConsultTile {
                        objectName: "supplementTile"
                        kind: "supplement"
                        compact: true
                        Layout.fillWidth: true
                        Layout.fillHeight: true
                        Layout.preferredWidth: 1
                    }
                }

                // Three ways to browse: 本站常用 (first), by theme, by department.
                RowLayout {
                    objectName: "browseRow"
                    visible: !home.searching
                    Layout.fillWidth: true
                    spacing: Theme.gap / 2
                    Repeater {
                        model: [
                            { "id": "featured", "name": qsTr("Most used here") },
                            { "id": "theme", "name": qsTr("By theme") },
                            { "id": "department", "name": qsTr("By department") }
                        ]
                        delegate: HomeTab {
                            objectName: "browse_" + modelData.id
                            label: modelData.name
                            selected: serviceHome.view === modelData.id
                            Accessible.role: Accessible.PageTab
                            Layout.fillWidth: true
                            Layout.preferredWidth: 1
                            onClicked: home.browseBy(modelData.id)
                        }
                    }
                }

                GridLayout {
                    objectName: "groupGrid"
                    // Care mode's large type leaves room for the list only when the walk-in asks
                    // for themes or departments; elsewhere the themes are always one tap away.
                    visible: !home.searching && !(Theme.s > 1.1 && serviceHome.view === "featured")
                    // English department names are long: two to a row, up to three lines each.
                    columns: home.byDepartment && settings.language === "en_US" ? 2 : Theme.s > 1.1 ? 3 : 4
                    columnSpacing: Theme.gap / 2
                    rowSpacing: Theme.gap / 2
                    Layout.fillWidth: true
                    Repeater {
                        // Themes unless the walk-in browses by department.
                        model: home.byDepartment ? serviceHome.departments : serviceHome.themes
                        delegate: HomeTab {
                            objectName: (home.byDepartment ? "department_" : "category_") + modelData.id
                            label: modelData.name
                            selected: home.byDepartment ? serviceHome.department === modelData.id
                                                        : serviceHome.theme === modelData.id
                            Layout.fillWidth: true
                            Layout.preferredWidth: 1
                            onClicked: {
                                home.dropKeyboard()
                                if (home.byDepartment)
                                    serviceHome.chooseDepartment(modelData.id)
                                else
                                    serviceHome.chooseTheme(modelData.id)
                            }
                        }
                    }
                }

                // What the list below is: a heading that also says when nothing matched.
                Text {
                    objectName: "homeListNote"
                    // While a search runs the last results stay, so typing never blanks the list.
                    text: serviceHome.view === "search"
                          ? (serviceHome.services.length > 0
                             ? qsTr("%1 services found").arg(serviceHome.services.length)
                             : serviceHome.searching ? ""
                             : qsTr("No service matches “%1”. Try fewer characters, or browse by theme.").arg(serviceHome.query))
                          : serviceHome.view === "featured"
                            ? (serviceHome.hasUsage ? qsTr("One-filing bundles first, then what is filed most at this station")
                                                    : qsTr("One-filing bundles first. Browse by theme or department for all %1 services.").arg(serviceHome.catalogSize))
                            : qsTr("%1 services").arg(serviceHome.services.length)
                    font.pixelSize: Theme.body
                    font.family: Theme.fontFamily
                    color: Theme.muted
                    wrapMode: Text.WordWrap
                    Layout.fillWidth: true
                }

                Repeater {
                    model: serviceHome.view === "theme" ? session.categoryConsults : []
                    delegate: ConsultTile {
                        objectName: "consultTile_" + modelData
                        kind: modelData
                        Layout.fillWidth: true
                    }
                }
                Item {
                    Layout.preferredHeight: 0
                }
            }
            delegate: Button {
                id: tile
                objectName: "service_" + modelData.id
                width: ListView.view.width
                implicitHeight: Math.max(Math.round(200 * Theme.s), tileCol.implicitHeight + 2 * Theme.gap)
                focusPolicy: Qt.NoFocus
                onClicked: session.chooseService(modelData.id)
                Accessible.role: Accessible.Button
                Accessible.name: modelData.name
                background: Rectangle {
                    radius: Theme.radius
                    color: tile.down ? Theme.surfaceAlt : Theme.surface
                    border.color: Theme.border
                    border.width: Theme.borderWidth
                    Rectangle {
                        width: 10; radius: 5
                        anchors { left: parent.left; top: parent.top; bottom: parent.bottom; margins: 16 }
                        color: Theme.primary
                    }
                }
                contentItem: ColumnLayout {
                    id: tileCol
                    spacing: 8
                    anchors.fill: parent
                    anchors.leftMargin: Theme.gap * 2
                    anchors.rightMargin: Theme.gap
                    anchors.topMargin: Theme.gap
                    anchors.bottomMargin: Theme.gap
                    RowLayout {
                        Layout.fillWidth: true
                        spacing: Theme.gap / 2
                        Text {
                            text: modelData.name
                            font.pixelSize: Theme.large
                            font.bold: true
                            font.family: Theme.fontFamily
                            color: Theme.text
                            wrapMode: Text.WordWrap
                            Layout.fillWidth: true
                        }
                        Rectangle {
                            objectName: "usedBadge"
                            visible: modelData.used && !modelData.bundle
                            radius: 8
                            color: "transparent"
                            border.color: Theme.primary
                            border.width: 2
                            implicitWidth: usedText.implicitWidth + 24
                            implicitHeight: usedText.implicitHeight + 8
                            Text {
                                id: usedText
                                anchors.centerIn: parent
                                text: qsTr("Often used here")
                                font.pixelSize: Theme.small
                                font.family: Theme.fontFamily
                                color: Theme.primary
                            }
                        }
                        Rectangle {
                            visible: modelData.bundle
                            radius: 8
                            color: Theme.accent
                            implicitWidth: bundleText.implicitWidth + 24
                            implicitHeight: bundleText.implicitHeight + 8
                            Text {
                                id: bundleText
                                anchors.centerIn: parent
                                text: qsTr("One filing")
                                font.pixelSize: Theme.small
                                font.family: Theme.fontFamily
                                color: Theme.contrast ? "#000000" : "#FFFFFF"
                            }
                        }
                    }
                    Text {
                        text: modelData.summary
                        font.pixelSize: Theme.body
                        font.family: Theme.fontFamily
                        color: Theme.muted
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                    Text {
                        text: modelData.department + (modelData.needsCard ? "  ·  " + qsTr("ID card needed") : "")
                        font.pixelSize: Theme.small
                        font.family: Theme.fontFamily
                        color: Theme.muted
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                }
            }
        }
    }

    actions: [
        BigButton {
            objectName: "cancelButton"
            text: qsTr("Exit")
            Layout.fillWidth: true
            onClicked: session.cancel()
        }
    ]
}
