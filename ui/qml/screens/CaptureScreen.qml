// Capture: the live document camera with the page outline and a hint; then accept or retake.
import QtQuick
import QtQuick.Layouts
import "../components"

ScreenFrame {
    objectName: "captureScreen"
    title: capture.hasCapture ? qsTr("Is the page clear and complete?")
                              : qsTr("Photograph: %1").arg(capture.material)
    subtitle: capture.hasCapture ? capture.material
                                 : qsTr("Lay the page flat under the camera. It is taken by itself when it is sharp and still.")

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.gap

        Banner {
            objectName: "cameraError"
            visible: capture.errorTitle !== ""
            heading: capture.errorTitle
            detail: capture.errorStep
            code: capture.errorCode
            Layout.fillWidth: true
        }

        Rectangle {
            id: viewport
            Layout.fillWidth: true
            Layout.fillHeight: true
            color: "#000000"
            radius: Theme.radius
            clip: true

            // Live preview; the frame number in the URL makes the provider serve each new frame.
            Image {
                id: live
                objectName: "livePreview"
                anchors.fill: parent
                visible: !capture.hasCapture
                fillMode: Image.PreserveAspectFit
                cache: false
                asynchronous: false
                source: capture.frameNo > 0 ? "image://camera/frame/" + capture.frameNo : ""
            }
            Canvas {
                id: outlineCanvas
                anchors.fill: parent
                visible: live.visible
                property var points: capture.outline
                onPointsChanged: requestPaint()
                onPaint: {
                    var ctx = getContext("2d")
                    ctx.reset()
                    if (!points || points.length < 3 || live.paintedWidth <= 0)
                        return
                    var ox = (width - live.paintedWidth) / 2
                    var oy = (height - live.paintedHeight) / 2
                    ctx.lineWidth = 8
                    ctx.strokeStyle = capture.ready ? "#2ECC71" : "#FFD400"
                    ctx.beginPath()
                    for (var i = 0; i < points.length; ++i) {
                        var x = ox + points[i].x * live.paintedWidth
                        var y = oy + points[i].y * live.paintedHeight
                        if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y)
                    }
                    ctx.closePath()
                    ctx.stroke()
                }
            }
            Image {
                objectName: "capturedPage"
                anchors.fill: parent
                anchors.margins: Theme.gap
                visible: capture.hasCapture
                fillMode: Image.PreserveAspectFit
                cache: false
                source: capture.hasCapture ? "image://camera/captured/" + capture.frameNo : ""
            }
            Rectangle {
                visible: !capture.hasCapture && capture.hint !== ""
                anchors.bottom: parent.bottom
                anchors.left: parent.left
                anchors.right: parent.right
                height: hintText.implicitHeight + 2 * Theme.gap
                color: Qt.rgba(0, 0, 0, 0.65)
                Text {
                    id: hintText
                    objectName: "captureHint"
                    anchors.centerIn: parent
                    width: parent.width - 2 * Theme.gap
                    text: capture.hint
                    font.pixelSize: Theme.large
                    font.bold: true
                    font.family: Theme.fontFamily
                    color: "#FFFFFF"
                    horizontalAlignment: Text.AlignHCenter
                    wrapMode: Text.WordWrap
                }
            }
        }
    }

    actions: [
        BigButton {
            objectName: "captureCancelButton"
            visible: !capture.hasCapture
            text: qsTr("Back")
            Layout.preferredWidth: Math.round(300 * Theme.s)
            onClicked: capture.cancel()
        },
        BigButton {
            objectName: "shutterButton"
            visible: !capture.hasCapture
            enabled: capture.errorTitle === ""
            kind: "primary"
            text: qsTr("Take the photo now")
            Layout.fillWidth: true
            onClicked: capture.shutter()
        },
        BigButton {
            objectName: "retakeButton"
            visible: capture.hasCapture
            text: qsTr("Retake")
            Layout.preferredWidth: Math.round(300 * Theme.s)
            onClicked: capture.retake()
        },
        BigButton {
            objectName: "usePhotoButton"
            visible: capture.hasCapture
            kind: "primary"
            text: qsTr("Use this photo")
            Layout.fillWidth: true
            onClicked: capture.use()
        }
    ]
}
