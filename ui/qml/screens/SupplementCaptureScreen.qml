// 补正: the document camera for one missing material; the capture screen itself, whose bridge
// hands the photo to the hand-in (not the form) while the session is in `supplementing`.
import QtQuick

CaptureScreen {
    objectName: "supplementCaptureScreen"
}
