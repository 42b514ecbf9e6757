<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AttractScreen</name>
    <message>
        <location filename="../qml/screens/AttractScreen.qml" line="17"/>
        <source>Enterprise self-service</source>
        <translation>企业自助服务</translation>
    </message>
    <message>
        <location filename="../qml/screens/AttractScreen.qml" line="27"/>
        <source>Start a company, connect electricity, report a business need, find policies and check progress — here, with help from the service hall.</source>
        <translation>开办企业、用电报装、反映诉求、查找政策、查询进度——就在这里办，服务大厅远程协助。</translation>
    </message>
    <message>
        <location filename="../qml/screens/AttractScreen.qml" line="45"/>
        <source>Company start-up + electricity, one filing</source>
        <translation>企业开办+用电报装，一次办</translation>
    </message>
    <message>
        <location filename="../qml/screens/AttractScreen.qml" line="46"/>
        <source>Business needs tracked to closure</source>
        <translation>企业诉求，全程跟踪办结</translation>
    </message>
    <message>
        <location filename="../qml/screens/AttractScreen.qml" line="47"/>
        <source>Policies matched to your company</source>
        <translation>惠企政策，精准匹配</translation>
    </message>
    <message>
        <location filename="../qml/screens/AttractScreen.qml" line="48"/>
        <source>Printed receipt with a tracking code</source>
        <translation>打印回执，扫码查进度</translation>
    </message>
    <message>
        <location filename="../qml/screens/AttractScreen.qml" line="77"/>
        <source>Touch to start</source>
        <translation>点击开始办理</translation>
    </message>
    <message>
        <location filename="../qml/screens/AttractScreen.qml" line="84"/>
        <source>Your information is erased from this terminal when you finish.</source>
        <translation>办理结束后，本机将自动清除您的信息。</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <location filename="../qml/components/Banner.qml" line="42"/>
        <source>Failure code: %1</source>
        <translation>故障代码：%1</translation>
    </message>
</context>
<context>
    <name>ErrorScreen</name>
    <message>
        <location filename="../qml/screens/ErrorScreen.qml" line="8"/>
        <source>We could not finish</source>
        <translation>未能完成办理</translation>
    </message>
    <message>
        <location filename="../qml/screens/ErrorScreen.qml" line="27"/>
        <source>Back to the start</source>
        <translation>返回首页</translation>
    </message>
</context>
<context>
    <name>Failure</name>
    <message>
        <location filename="../bridge/failures.py" line="16"/>
        <source>No card found</source>
        <translation>未检测到证件</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="17"/>
        <source>Place your ID card flat on the reader.</source>
        <translation>请将身份证平放在读卡区。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="20"/>
        <source>The card could not be read</source>
        <translation>证件读取失败</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="21"/>
        <source>Lift the card, then place it flat on the reader again.</source>
        <translation>请拿起证件，再重新平放在读卡区。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="24"/>
        <source>The card reader is not working</source>
        <translation>读卡器暂时无法使用</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="25"/>
        <source>Continue without a card for consultation, or ask the station staff.</source>
        <translation>您可以不刷证件继续咨询，或请站点工作人员协助。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="30"/>
        <source>This ID card has expired</source>
        <translation>该证件已过有效期</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="31"/>
        <source>Filings need a valid ID card. Please renew it at a police service centre.</source>
        <translation>办理事项需要有效证件，请到公安服务窗口换领。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="36"/>
        <source>This service needs your ID card</source>
        <translation>该事项需要刷身份证</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="37"/>
        <source>Go back and place your ID card on the reader.</source>
        <translation>请返回上一步，将身份证放在读卡区。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="40"/>
        <source>Some answers need correcting</source>
        <translation>部分内容需要修改</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="41"/>
        <source>Fix the fields marked in red, then continue.</source>
        <translation>请修改标红的内容后继续。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="44"/>
        <source>Your filing could not be saved</source>
        <translation>您的申请未能保存</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="45"/>
        <source>Nothing was submitted. Please ask the station staff or call 0512-12345.</source>
        <translation>本次未提交任何内容。请联系站点工作人员或拨打 0512-12345。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="51"/>
        <source>The receipt printer is out of paper</source>
        <translation>回执打印机缺纸</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="52"/>
        <location filename="../bridge/failures.py" line="58"/>
        <location filename="../bridge/failures.py" line="64"/>
        <location filename="../bridge/failures.py" line="70"/>
        <source>Your filing is saved. Take a photo of the tracking number and QR code.</source>
        <translation>您的申请已保存。请拍下受理编号和二维码留存。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="57"/>
        <source>The receipt printer cover is open</source>
        <translation>回执打印机仓盖未关</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="63"/>
        <source>The receipt printer is not responding</source>
        <translation>回执打印机无响应</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="69"/>
        <source>The receipt could not be printed</source>
        <translation>回执未能打印</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="75"/>
        <source>The camera is not working</source>
        <translation>摄像头暂时无法使用</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="76"/>
        <source>Please ask the station staff for help.</source>
        <translation>请联系站点工作人员协助。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="79"/>
        <source>The service hall cannot be reached</source>
        <translation>暂时无法连接服务大厅</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="80"/>
        <source>Your filing is kept and will be sent automatically.</source>
        <translation>您的申请已保存，网络恢复后将自动发送。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="83"/>
        <source>Something went wrong</source>
        <translation>系统出现问题</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="84"/>
        <source>Please start again, or ask the station staff for help.</source>
        <translation>请重新开始，或联系站点工作人员协助。</translation>
    </message>
</context>
<context>
    <name>FieldError</name>
    <message>
        <location filename="../bridge/failures.py" line="100"/>
        <source>Required</source>
        <translation>必填</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="101"/>
        <source>Too long</source>
        <translation>内容过长</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="102"/>
        <source>Not a valid ID number: check the 18 characters</source>
        <translation>身份证号码有误，请核对18位号码</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="105"/>
        <source>Not a valid unified social credit code: check the 18 characters</source>
        <translation>统一社会信用代码有误，请核对18位代码</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="108"/>
        <source>Enter an 11-digit mobile number</source>
        <translation>请输入11位手机号码</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="109"/>
        <source>Enter a whole number</source>
        <translation>请输入整数</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="110"/>
        <source>Enter an amount, e.g. 100 or 12.5</source>
        <translation>请输入金额，例如 100 或 12.5</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="111"/>
        <source>Enter a date as YYYY-MM-DD</source>
        <translation>请按“年-月-日”格式输入，例如 2026-12-01</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="112"/>
        <source>Choose one of the options</source>
        <translation>请选择一项</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="113"/>
        <source>Unexpected field</source>
        <translation>无效字段</translation>
    </message>
</context>
<context>
    <name>FormField</name>
    <message>
        <location filename="../qml/components/FormField.qml" line="37"/>
        <source>Filled by helper</source>
        <translation>帮办人员填写</translation>
    </message>
    <message>
        <location filename="../qml/components/FormField.qml" line="56"/>
        <source>YYYY-MM-DD</source>
        <translation>年-月-日</translation>
    </message>
</context>
<context>
    <name>FormScreen</name>
    <message>
        <location filename="../qml/screens/FormScreen.qml" line="11"/>
        <source>One filing, handled by: %1</source>
        <translation>一件事，一次办：%1</translation>
    </message>
    <message>
        <location filename="../qml/screens/FormScreen.qml" line="11"/>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <location filename="../qml/screens/FormScreen.qml" line="12"/>
        <source>Fields marked * are required.</source>
        <translation>带 * 的为必填项。</translation>
    </message>
    <message numerus="yes">
        <location filename="../qml/screens/FormScreen.qml" line="21"/>
        <source>%n answer(s) need correcting</source>
        <translation><numerusform>%n 项内容需要修改</numerusform></translation>
    </message>
    <message>
        <location filename="../qml/screens/FormScreen.qml" line="22"/>
        <source>Fix the fields marked in red, then continue.</source>
        <translation>请修改标红的内容后继续。</translation>
    </message>
    <message>
        <location filename="../qml/screens/FormScreen.qml" line="63"/>
        <source>Back</source>
        <translation>上一步</translation>
    </message>
    <message>
        <location filename="../qml/screens/FormScreen.qml" line="70"/>
        <source>Next: review</source>
        <translation>下一步：核对信息</translation>
    </message>
</context>
<context>
    <name>Header</name>
    <message>
        <location filename="../qml/components/Header.qml" line="20"/>
        <source>Su Xin Ban · Qihang Station</source>
        <translation>苏新办·企航家</translation>
    </message>
    <message>
        <location filename="../qml/components/Header.qml" line="47"/>
        <source>Standard</source>
        <translation>标准版</translation>
    </message>
    <message>
        <location filename="../qml/components/Header.qml" line="47"/>
        <source>Large text</source>
        <translation>关怀版</translation>
    </message>
</context>
<context>
    <name>IdentifyScreen</name>
    <message>
        <location filename="../qml/screens/IdentifyScreen.qml" line="8"/>
        <source>Place your ID card on the reader</source>
        <translation>请将身份证放在读卡区</translation>
    </message>
    <message>
        <location filename="../qml/screens/IdentifyScreen.qml" line="9"/>
        <source>Resident ID card, Hong Kong/Macau/Taiwan residence permit or foreign permanent resident ID card.</source>
        <translation>支持居民身份证、港澳台居民居住证、外国人永久居留身份证。</translation>
    </message>
    <message>
        <location filename="../qml/screens/IdentifyScreen.qml" line="44"/>
        <source>ID card</source>
        <translation>身份证</translation>
    </message>
    <message>
        <location filename="../qml/screens/IdentifyScreen.qml" line="62"/>
        <source>Waiting for your card… keep it flat and still until you hear a beep.</source>
        <translation>正在等待证件……请平放不动，听到提示音后再拿开。</translation>
    </message>
    <message>
        <location filename="../qml/screens/IdentifyScreen.qml" line="83"/>
        <source>Read the card again</source>
        <translation>重新读卡</translation>
    </message>
    <message>
        <location filename="../qml/screens/IdentifyScreen.qml" line="93"/>
        <source>Exit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../qml/screens/IdentifyScreen.qml" line="99"/>
        <source>Continue without a card (questions only)</source>
        <translation>不刷证件，仅咨询</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <location filename="../qml/Main.qml" line="15"/>
        <source>Qihang Station Kiosk</source>
        <translation>企航站点自助终端</translation>
    </message>
</context>
<context>
    <name>ReceiptScreen</name>
    <message>
        <location filename="../qml/screens/ReceiptScreen.qml" line="9"/>
        <source>Your filing has been received</source>
        <translation>您的申请已受理</translation>
    </message>
    <message>
        <location filename="../qml/screens/ReceiptScreen.qml" line="10"/>
        <source>Printing your receipt…</source>
        <translation>正在打印回执……</translation>
    </message>
    <message>
        <location filename="../qml/screens/ReceiptScreen.qml" line="11"/>
        <source>Please take your receipt and your ID card.</source>
        <translation>请取走回执和身份证。</translation>
    </message>
    <message>
        <location filename="../qml/screens/ReceiptScreen.qml" line="40"/>
        <source>Tracking number</source>
        <translation>受理编号</translation>
    </message>
    <message numerus="yes">
        <location filename="../qml/screens/ReceiptScreen.qml" line="66"/>
        <source>Scan to follow the progress. We will finish within %n working day(s).</source>
        <translation><numerusform>扫码查询办理进度。我们将在 %n 个工作日内办结。</numerusform></translation>
    </message>
    <message>
        <location filename="../qml/screens/ReceiptScreen.qml" line="83"/>
        <source>Done</source>
        <translation>完成</translation>
    </message>
</context>
<context>
    <name>ReviewScreen</name>
    <message>
        <location filename="../qml/screens/ReviewScreen.qml" line="9"/>
        <source>Check your answers</source>
        <translation>请核对您填写的信息</translation>
    </message>
    <message>
        <location filename="../qml/screens/ReviewScreen.qml" line="57"/>
        <source>Privacy</source>
        <translation>隐私说明</translation>
    </message>
    <message>
        <location filename="../qml/screens/ReviewScreen.qml" line="58"/>
        <source>By submitting you agree that the service hall uses these answers to handle this filing. They stay on this terminal only until the hall has them, and the screen forgets them when you finish.</source>
        <translation>提交即表示您同意服务大厅使用以上信息办理本事项。信息送达大厅后即从本机删除，办理结束后屏幕不再保留。</translation>
    </message>
    <message>
        <location filename="../qml/screens/ReviewScreen.qml" line="66"/>
        <source>Change answers</source>
        <translation>返回修改</translation>
    </message>
    <message>
        <location filename="../qml/screens/ReviewScreen.qml" line="73"/>
        <source>Agree and submit</source>
        <translation>同意并提交</translation>
    </message>
</context>
<context>
    <name>ServiceHomeScreen</name>
    <message>
        <location filename="../qml/screens/ServiceHomeScreen.qml" line="9"/>
        <source>Hello, %1. What would you like to do?</source>
        <translation>%1，您好！请选择要办理的事项</translation>
    </message>
    <message>
        <location filename="../qml/screens/ServiceHomeScreen.qml" line="10"/>
        <source>What would you like to do?</source>
        <translation>请选择要办理的事项</translation>
    </message>
    <message>
        <location filename="../qml/screens/ServiceHomeScreen.qml" line="115"/>
        <source>One filing</source>
        <translation>一件事</translation>
    </message>
    <message>
        <location filename="../qml/screens/ServiceHomeScreen.qml" line="131"/>
        <source>ID card needed</source>
        <translation>需刷身份证</translation>
    </message>
    <message>
        <location filename="../qml/screens/ServiceHomeScreen.qml" line="146"/>
        <source>Exit</source>
        <translation>退出</translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <location filename="../qml/components/StatusBar.qml" line="12"/>
        <source>Card reader</source>
        <translation>读卡器</translation>
    </message>
    <message>
        <location filename="../qml/components/StatusBar.qml" line="13"/>
        <source>Printer</source>
        <translation>打印机</translation>
    </message>
    <message>
        <location filename="../qml/components/StatusBar.qml" line="14"/>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <location filename="../qml/components/StatusBar.qml" line="33"/>
        <source>Connected to the service hall</source>
        <translation>已连接服务大厅</translation>
    </message>
    <message>
        <location filename="../qml/components/StatusBar.qml" line="34"/>
        <source>Offline: filings are kept and sent later</source>
        <translation>离线：申请已保存，将稍后发送</translation>
    </message>
    <message numerus="yes">
        <location filename="../qml/components/StatusBar.qml" line="42"/>
        <source>%n waiting to send</source>
        <translation><numerusform>%n 件待发送</numerusform></translation>
    </message>
    <message>
        <location filename="../qml/components/StatusBar.qml" line="43"/>
        <source>Synced %1</source>
        <translation>%1 已同步</translation>
    </message>
</context>
<context>
    <name>SubmittingScreen</name>
    <message>
        <location filename="../qml/screens/SubmittingScreen.qml" line="20"/>
        <source>Saving your filing…</source>
        <translation>正在保存您的申请……</translation>
    </message>
    <message>
        <location filename="../qml/screens/SubmittingScreen.qml" line="28"/>
        <source>Please wait. Do not remove your card.</source>
        <translation>请稍候，请勿拿走证件。</translation>
    </message>
</context>
<context>
    <name>TimeoutOverlay</name>
    <message>
        <location filename="../qml/components/TimeoutOverlay.qml" line="27"/>
        <source>Are you still there?</source>
        <translation>您还在办理吗？</translation>
    </message>
    <message>
        <location filename="../qml/components/TimeoutOverlay.qml" line="36"/>
        <source>In %1 seconds this session ends and your information is erased.</source>
        <translation>%1 秒后将结束本次办理，并清除您的信息。</translation>
    </message>
    <message>
        <location filename="../qml/components/TimeoutOverlay.qml" line="48"/>
        <source>Continue</source>
        <translation>继续办理</translation>
    </message>
</context>
</TS>
