<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ArchiveScreen</name>
    <message>
        <location filename="../qml/screens/ArchiveScreen.qml" line="10"/>
        <source>E-archive: %1</source>
        <translation>电子档案：%1</translation>
    </message>
    <message>
        <location filename="../qml/screens/ArchiveScreen.qml" line="11"/>
        <source>Filings, documents issued, demands and ratings, newest first.</source>
        <translation>办件、证照、诉求和评价，最新的在前。</translation>
    </message>
    <message>
        <location filename="../qml/screens/ArchiveScreen.qml" line="19"/>
        <source>Reading the e-archive…</source>
        <translation>正在读取电子档案…</translation>
    </message>
    <message>
        <location filename="../qml/screens/ArchiveScreen.qml" line="55"/>
        <source>Enterprise code</source>
        <translation>一企一码</translation>
    </message>
    <message>
        <location filename="../qml/screens/ArchiveScreen.qml" line="64"/>
        <source>Scan it at a station to act for this enterprise (its legal representative and agents only). It is printed on your receipts too.</source>
        <translation>在自助终端扫描此码即可办理本企业事项（仅限法定代表人和授权经办人），办事回执上也印有此码。</translation>
    </message>
    <message>
        <location filename="../qml/screens/ArchiveScreen.qml" line="78"/>
        <source>The enterprise code has been withdrawn; please apply for a new one at the service hall</source>
        <translation>企业码已注销，请到服务大厅重新申领</translation>
    </message>
    <message>
        <location filename="../qml/screens/ArchiveScreen.qml" line="85"/>
        <source>You are not registered as this enterprise&apos;s legal representative or agent</source>
        <translation>您不是该企业登记的法定代表人或授权经办人</translation>
    </message>
    <message>
        <location filename="../qml/screens/ArchiveScreen.qml" line="86"/>
        <source>The e-archive cannot be read right now</source>
        <translation>暂时无法读取电子档案</translation>
    </message>
    <message>
        <location filename="../qml/screens/ArchiveScreen.qml" line="87"/>
        <source>Please try again later, or ask at a counter.</source>
        <translation>请稍后再试，或到窗口咨询。</translation>
    </message>
    <message>
        <location filename="../qml/screens/ArchiveScreen.qml" line="94"/>
        <source>Printing…</source>
        <translation>正在打印…</translation>
    </message>
    <message>
        <location filename="../qml/screens/ArchiveScreen.qml" line="95"/>
        <source>Printed: take it from the A4 printer.</source>
        <translation>已打印，请从A4打印机取件。</translation>
    </message>
    <message>
        <location filename="../qml/screens/ArchiveScreen.qml" line="96"/>
        <source>The hall holds this document on paper only</source>
        <translation>大厅只存有这份材料的纸质件</translation>
    </message>
    <message>
        <location filename="../qml/screens/ArchiveScreen.qml" line="97"/>
        <source>The document could not be printed</source>
        <translation>材料未能打印</translation>
    </message>
    <message>
        <location filename="../qml/screens/ArchiveScreen.qml" line="98"/>
        <source>Please ask the station staff.</source>
        <translation>请联系站点工作人员。</translation>
    </message>
    <message>
        <location filename="../qml/screens/ArchiveScreen.qml" line="103"/>
        <source>Nothing in the e-archive yet.</source>
        <translation>电子档案中暂无记录。</translation>
    </message>
    <message>
        <location filename="../qml/screens/ArchiveScreen.qml" line="164"/>
        <source>Print</source>
        <translation>打印</translation>
    </message>
    <message>
        <location filename="../qml/screens/ArchiveScreen.qml" line="176"/>
        <source>Back to the services</source>
        <translation>返回事项列表</translation>
    </message>
    <message>
        <location filename="../qml/screens/ArchiveScreen.qml" line="182"/>
        <source>Exit</source>
        <translation>退出</translation>
    </message>
</context>
<context>
    <name>AssistBar</name>
    <message>
        <location filename="../qml/components/AssistBar.qml" line="83"/>
        <source>Reconnecting to the helper…</source>
        <translation>正在重新连接帮办人员…</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistBar.qml" line="84"/>
        <source>%1 is helping you</source>
        <translation>%1 正在为您帮办</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistBar.qml" line="51"/>
        <source>Video on</source>
        <translation>视频已接通</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistBar.qml" line="62"/>
        <source>Video unavailable</source>
        <translation>视频暂不可用</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistBar.qml" line="63"/>
        <source>Connecting video…</source>
        <translation>正在接通视频…</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistBar.qml" line="95"/>
        <source>Sharing your form</source>
        <translation>正在共享您的表单</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistBar.qml" line="95"/>
        <source>Your answers are hidden</source>
        <translation>您填写的内容已隐藏</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistBar.qml" line="118"/>
        <source>Helper: %1</source>
        <translation>帮办：%1</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistBar.qml" line="118"/>
        <source>You: %1</source>
        <translation>我：%1</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistBar.qml" line="135"/>
        <source>Write to the helper</source>
        <translation>给帮办人员留言</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistBar.qml" line="158"/>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistBar.qml" line="167"/>
        <source>Stop sharing</source>
        <translation>停止共享</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistBar.qml" line="167"/>
        <source>Share my form</source>
        <translation>共享我的表单</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistBar.qml" line="174"/>
        <source>End help</source>
        <translation>结束帮办</translation>
    </message>
</context>
<context>
    <name>AssistOverlay</name>
    <message>
        <location filename="../qml/components/AssistOverlay.qml" line="22"/>
        <source>The service hall cannot be reached right now</source>
        <translation>暂时无法连接服务大厅</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistOverlay.qml" line="24"/>
        <source>The helper has left the call</source>
        <translation>帮办人员已离开</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistOverlay.qml" line="25"/>
        <source>The connection to the helper was lost</source>
        <translation>与帮办人员的连接已中断</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistOverlay.qml" line="29"/>
        <source>Your answers are kept. You can ask for another helper or continue on your own.</source>
        <translation>您填写的内容都已保留。您可以再次请求帮办，或自行继续办理。</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistOverlay.qml" line="30"/>
        <source>Your answers are kept. You can continue on your own, or ask the station staff.</source>
        <translation>您填写的内容都已保留。您可以自行继续办理，或咨询站点工作人员。</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistOverlay.qml" line="54"/>
        <source>Calling a helper at the service hall…</source>
        <translation>正在呼叫服务大厅的帮办人员…</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistOverlay.qml" line="65"/>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistOverlay.qml" line="66"/>
        <source>You are next in line.</source>
        <translation>下一位就是您。</translation>
    </message>
    <message numerus="yes">
        <location filename="../qml/components/AssistOverlay.qml" line="67"/>
        <source>%n people ahead of you.</source>
        <translation>
            <numerusform>您前面还有 %n 位。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../qml/components/AssistOverlay.qml" line="77"/>
        <source>Cancel and continue on my own</source>
        <translation>取消，自行办理</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistOverlay.qml" line="85"/>
        <source>%1 from the service hall is here to help</source>
        <translation>服务大厅的 %1 来帮您办理</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistOverlay.qml" line="97"/>
        <source>May the helper see what you type on this form and the photos you take here? Until you agree, the helper sees only which fields are filled. You can stop sharing at any time.</source>
        <translation>是否允许帮办人员查看您在本表单中填写的内容和在此拍摄的材料照片？在您同意之前，帮办人员只能看到哪些栏目已填写。您可以随时停止共享。</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistOverlay.qml" line="108"/>
        <source>Yes, share my form</source>
        <translation>同意，共享我的表单</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistOverlay.qml" line="115"/>
        <source>No, keep my answers hidden</source>
        <translation>不同意，隐藏我填写的内容</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistOverlay.qml" line="123"/>
        <source>Submit this application now?</source>
        <translation>现在提交申请吗？</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistOverlay.qml" line="133"/>
        <source>The helper thinks your form is complete. Only you can submit it.</source>
        <translation>帮办人员认为您的表单已填写完整。只有您本人可以提交。</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistOverlay.qml" line="144"/>
        <source>Yes, submit</source>
        <translation>确认提交</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistOverlay.qml" line="151"/>
        <source>Not yet</source>
        <translation>暂不提交</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistOverlay.qml" line="159"/>
        <source>The helper asks for a photo of: %1</source>
        <translation>帮办人员请您拍摄：%1</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistOverlay.qml" line="172"/>
        <source>Take the photo</source>
        <translation>去拍摄</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistOverlay.qml" line="179"/>
        <source>Not now</source>
        <translation>暂不拍摄</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistOverlay.qml" line="209"/>
        <source>Continue on my own</source>
        <translation>自行继续办理</translation>
    </message>
    <message>
        <location filename="../qml/components/AssistOverlay.qml" line="216"/>
        <source>Ask for another helper</source>
        <translation>再次请求帮办</translation>
    </message>
</context>
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
    <message>
        <location filename="../qml/screens/AttractScreen.qml" line="100"/>
        <source>Technician mode</source>
        <translation>维护模式</translation>
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
    <name>CaptureScreen</name>
    <message>
        <location filename="../qml/screens/CaptureScreen.qml" line="8"/>
        <source>Is the page clear and complete?</source>
        <translation>页面是否清晰完整？</translation>
    </message>
    <message>
        <location filename="../qml/screens/CaptureScreen.qml" line="9"/>
        <source>Photograph: %1</source>
        <translation>拍摄：%1</translation>
    </message>
    <message>
        <location filename="../qml/screens/CaptureScreen.qml" line="11"/>
        <source>Lay the page flat under the camera. It is taken by itself when it is sharp and still.</source>
        <translation>请将材料平放在高拍仪下，画面清晰稳定后会自动拍摄。</translation>
    </message>
    <message>
        <location filename="../qml/screens/CaptureScreen.qml" line="107"/>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location filename="../qml/screens/CaptureScreen.qml" line="116"/>
        <source>Take the photo now</source>
        <translation>立即拍摄</translation>
    </message>
    <message>
        <location filename="../qml/screens/CaptureScreen.qml" line="123"/>
        <source>Retake</source>
        <translation>重拍</translation>
    </message>
    <message>
        <location filename="../qml/screens/CaptureScreen.qml" line="131"/>
        <source>Use this photo</source>
        <translation>使用这张照片</translation>
    </message>
</context>
<context>
    <name>Consult</name>
    <message>
        <location filename="../bridge/consult_bridge.py" line="34"/>
        <source>Looking up…</source>
        <translation>正在查询…</translation>
    </message>
    <message>
        <location filename="../bridge/consult_bridge.py" line="36"/>
        <source>This is not a tracking number</source>
        <translation>这不是有效的受理编号</translation>
    </message>
    <message>
        <location filename="../bridge/consult_bridge.py" line="37"/>
        <source>Check the number on your receipt, for example SND-SS-001-20261127-0001.</source>
        <translation>请核对回执上的受理编号，例如 SND-SS-001-20261127-0001。</translation>
    </message>
    <message>
        <location filename="../bridge/consult_bridge.py" line="43"/>
        <source>No filing found with this number</source>
        <translation>没有找到这个编号的申请</translation>
    </message>
    <message>
        <location filename="../bridge/consult_bridge.py" line="44"/>
        <source>Check the number, or ask the station staff.</source>
        <translation>请核对编号，或咨询站点工作人员。</translation>
    </message>
    <message>
        <location filename="../bridge/consult_bridge.py" line="47"/>
        <source>The progress cannot be looked up right now</source>
        <translation>暂时无法查询办理进度</translation>
    </message>
    <message>
        <location filename="../bridge/consult_bridge.py" line="48"/>
        <source>Please try again in a moment, or ask the station staff.</source>
        <translation>请稍后再试，或咨询站点工作人员。</translation>
    </message>
    <message>
        <location filename="../bridge/consult_bridge.py" line="51"/>
        <source>This QR code is not from one of our receipts</source>
        <translation>这个二维码不是本站回执上的查询码</translation>
    </message>
    <message>
        <location filename="../bridge/consult_bridge.py" line="52"/>
        <source>Hold up the QR code printed on your receipt.</source>
        <translation>请出示回执上印的二维码。</translation>
    </message>
    <message>
        <location filename="../bridge/consult_bridge.py" line="54"/>
        <source>Finding policies…</source>
        <translation>正在匹配政策…</translation>
    </message>
    <message>
        <location filename="../bridge/consult_bridge.py" line="56"/>
        <source>Policy information is not available right now</source>
        <translation>政策信息暂时无法使用</translation>
    </message>
    <message>
        <location filename="../bridge/consult_bridge.py" line="57"/>
        <source>Please ask the station staff.</source>
        <translation>请咨询站点工作人员。</translation>
    </message>
    <message>
        <location filename="../bridge/consult_bridge.py" line="60"/>
        <source>Matching did not work this time</source>
        <translation>本次匹配未成功</translation>
    </message>
    <message>
        <location filename="../bridge/consult_bridge.py" line="61"/>
        <source>Please try again, or ask the station staff.</source>
        <translation>请再试一次，或咨询站点工作人员。</translation>
    </message>
    <message>
        <location filename="../bridge/consult_bridge.py" line="63"/>
        <source>Searching…</source>
        <translation>正在搜索…</translation>
    </message>
    <message>
        <location filename="../bridge/consult_bridge.py" line="65"/>
        <source>No answer found</source>
        <translation>没有找到答案</translation>
    </message>
    <message>
        <location filename="../bridge/consult_bridge.py" line="66"/>
        <source>Try other words, or ask a service agent to help you.</source>
        <translation>请换个说法再试，或请工作人员远程帮办。</translation>
    </message>
    <message>
        <location filename="../bridge/consult_bridge.py" line="69"/>
        <source>Questions and answers are not available right now</source>
        <translation>问答库暂时无法使用</translation>
    </message>
    <message>
        <location filename="../bridge/consult_bridge.py" line="70"/>
        <source>Ask a service agent to help you.</source>
        <translation>请工作人员远程帮办。</translation>
    </message>
    <message>
        <location filename="../bridge/consult_bridge.py" line="73"/>
        <source>The search did not work this time</source>
        <translation>本次搜索未成功</translation>
    </message>
    <message>
        <location filename="../bridge/consult_bridge.py" line="74"/>
        <source>Please try again, or ask a service agent to help you.</source>
        <translation>请再试一次，或请工作人员远程帮办。</translation>
    </message>
    <message>
        <location filename="../bridge/consult_bridge.py" line="79"/>
        <source>%1 · registered by: %3 %2</source>
        <translation>%1 · 登记机关：%3%2</translation>
    </message>
    <message>
        <location filename="../bridge/consult_bridge.py" line="80"/>
        <source>Applications open on %1</source>
        <translation>%1 开始申报</translation>
    </message>
    <message>
        <location filename="../bridge/consult_bridge.py" line="81"/>
        <source>Apply by %1 (closes today)</source>
        <translation>申报截止 %1（今天截止）</translation>
    </message>
    <message>
        <location filename="../bridge/consult_bridge.py" line="82"/>
        <source>Apply by %1 (1 day left)</source>
        <translation>申报截止 %1（还剩 1 天）</translation>
    </message>
    <message>
        <location filename="../bridge/consult_bridge.py" line="83"/>
        <source>Apply by %1 (%2 days left)</source>
        <translation>申报截止 %1（还剩 %2 天）</translation>
    </message>
</context>
<context>
    <name>ConsultTile</name>
    <message>
        <location filename="../qml/components/ConsultTile.qml" line="11"/>
        <source>Check progress</source>
        <translation>查办事进度</translation>
    </message>
    <message>
        <location filename="../qml/components/ConsultTile.qml" line="12"/>
        <source>Find policies for you</source>
        <translation>政策匹配</translation>
    </message>
    <message>
        <location filename="../qml/components/ConsultTile.qml" line="13"/>
        <source>Hand in missing material</source>
        <translation>补正材料</translation>
    </message>
    <message>
        <location filename="../qml/components/ConsultTile.qml" line="14"/>
        <source>Ask a question</source>
        <translation>政策问答</translation>
    </message>
    <message>
        <location filename="../qml/components/ConsultTile.qml" line="15"/>
        <source>Type the number on your receipt, or scan its QR code.</source>
        <translation>输入回执上的受理编号，或扫描回执二维码。</translation>
    </message>
    <message>
        <location filename="../qml/components/ConsultTile.qml" line="16"/>
        <source>Answer a few questions about your enterprise and see which support policies fit.</source>
        <translation>填写企业基本情况，看看能申报哪些惠企政策。</translation>
    </message>
    <message>
        <location filename="../qml/components/ConsultTile.qml" line="17"/>
        <source>Photograph what the officer asked for; scan your receipt&apos;s QR code or read your ID card.</source>
        <translation>拍照补交工作人员要求的材料；扫描回执二维码或刷身份证。</translation>
    </message>
    <message>
        <location filename="../qml/components/ConsultTile.qml" line="18"/>
        <source>Search common questions; if there is no answer, a service agent can help.</source>
        <translation>搜索常见问题；找不到答案可请工作人员远程帮办。</translation>
    </message>
    <message>
        <location filename="../qml/components/ConsultTile.qml" line="54"/>
        <source>With your receipt or ID card</source>
        <translation>凭回执或身份证</translation>
    </message>
    <message>
        <location filename="../qml/components/ConsultTile.qml" line="55"/>
        <source>No ID card needed</source>
        <translation>无需身份证</translation>
    </message>
</context>
<context>
    <name>Delivery</name>
    <message>
        <location filename="../bridge/delivery_bridge.py" line="35"/>
        <source>Choose the city.</source>
        <translation>请选择城市。</translation>
    </message>
    <message>
        <location filename="../bridge/delivery_bridge.py" line="36"/>
        <source>Choose the district.</source>
        <translation>请选择区县。</translation>
    </message>
    <message>
        <location filename="../bridge/delivery_bridge.py" line="37"/>
        <source>Type the street, building and room number.</source>
        <translation>请填写街道、楼栋和门牌号。</translation>
    </message>
    <message>
        <location filename="../bridge/delivery_bridge.py" line="40"/>
        <source>Too short for a courier to find: the street, building and room number.</source>
        <translation>地址太短，快递员无法找到：请填写街道、楼栋和门牌号。</translation>
    </message>
    <message>
        <location filename="../bridge/delivery_bridge.py" line="43"/>
        <source>Too long: at most 80 characters.</source>
        <translation>太长了：最多80个字。</translation>
    </message>
    <message>
        <location filename="../bridge/delivery_bridge.py" line="44"/>
        <source>Type who receives the mail.</source>
        <translation>请填写收件人姓名。</translation>
    </message>
    <message>
        <location filename="../bridge/delivery_bridge.py" line="45"/>
        <source>Too long: at most 20 characters.</source>
        <translation>太长了：最多20个字。</translation>
    </message>
    <message>
        <location filename="../bridge/delivery_bridge.py" line="46"/>
        <source>A name has Chinese or Latin letters only (and · for some names).</source>
        <translation>姓名只能包含汉字或英文字母（少数民族姓名可用 ·）。</translation>
    </message>
    <message>
        <location filename="../bridge/delivery_bridge.py" line="49"/>
        <source>Type a mobile number: the courier calls before delivering.</source>
        <translation>请填写手机号码：快递员派送前会联系您。</translation>
    </message>
    <message>
        <location filename="../bridge/delivery_bridge.py" line="52"/>
        <source>A mobile number has 11 digits and starts with 1.</source>
        <translation>手机号码为以1开头的11位数字。</translation>
    </message>
    <message>
        <location filename="../bridge/delivery_bridge.py" line="55"/>
        <source>This contains characters that cannot be printed on the mail.</source>
        <translation>含有无法打印在邮件上的字符。</translation>
    </message>
    <message>
        <location filename="../bridge/delivery_bridge.py" line="58"/>
        <source>Choose one of the cities shown.</source>
        <translation>请从列出的城市中选择。</translation>
    </message>
    <message>
        <location filename="../bridge/delivery_bridge.py" line="59"/>
        <source>Choose one of the districts shown.</source>
        <translation>请从列出的区县中选择。</translation>
    </message>
    <message>
        <location filename="../bridge/delivery_bridge.py" line="60"/>
        <source>EMS from this station delivers within Jiangsu only.</source>
        <translation>本站点的EMS仅寄送江苏省内地址。</translation>
    </message>
    <message>
        <location filename="../bridge/delivery_bridge.py" line="63"/>
        <source>Check this entry.</source>
        <translation>请检查这一项。</translation>
    </message>
</context>
<context>
    <name>DeliveryScreen</name>
    <message>
        <location filename="../qml/screens/DeliveryScreen.qml" line="14"/>
        <source>Delivery address</source>
        <translation>邮寄地址</translation>
    </message>
    <message>
        <location filename="../qml/screens/DeliveryScreen.qml" line="15"/>
        <source>%1: the result is mailed to you; the courier calls before delivering.</source>
        <translation>%1：办理结果邮寄给您，快递员派送前会电话联系。</translation>
    </message>
    <message numerus="yes">
        <location filename="../qml/screens/DeliveryScreen.qml" line="132"/>
        <source>%n entry(ies) need correcting</source>
        <translation>
            <numerusform>%n 项内容需要修改</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../qml/screens/DeliveryScreen.qml" line="133"/>
        <source>Fix what is marked in red, then confirm.</source>
        <translation>请修改红色标出的内容，然后确认。</translation>
    </message>
    <message>
        <location filename="../qml/screens/DeliveryScreen.qml" line="171"/>
        <source>Province</source>
        <translation>省份</translation>
    </message>
    <message>
        <location filename="../qml/screens/DeliveryScreen.qml" line="185"/>
        <source>(delivery within Jiangsu only)</source>
        <translation>（仅限江苏省内寄送）</translation>
    </message>
    <message>
        <location filename="../qml/screens/DeliveryScreen.qml" line="194"/>
        <source>City</source>
        <translation>城市</translation>
    </message>
    <message>
        <location filename="../qml/screens/DeliveryScreen.qml" line="216"/>
        <source>District</source>
        <translation>区县</translation>
    </message>
    <message>
        <location filename="../qml/screens/DeliveryScreen.qml" line="219"/>
        <source>Choose the city first.</source>
        <translation>请先选择城市。</translation>
    </message>
    <message>
        <location filename="../qml/screens/DeliveryScreen.qml" line="248"/>
        <source>Street, building and room</source>
        <translation>街道、楼栋和门牌号</translation>
    </message>
    <message>
        <location filename="../qml/screens/DeliveryScreen.qml" line="249"/>
        <source>For example: 狮山路88号3幢502室</source>
        <translation>例如：狮山路88号3幢502室</translation>
    </message>
    <message>
        <location filename="../qml/screens/DeliveryScreen.qml" line="258"/>
        <source>Recipient</source>
        <translation>收件人</translation>
    </message>
    <message>
        <location filename="../qml/screens/DeliveryScreen.qml" line="266"/>
        <source>Recipient&apos;s mobile</source>
        <translation>收件人手机号码</translation>
    </message>
    <message>
        <location filename="../qml/screens/DeliveryScreen.qml" line="282"/>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location filename="../qml/screens/DeliveryScreen.qml" line="289"/>
        <source>Confirm address</source>
        <translation>确认地址</translation>
    </message>
</context>
<context>
    <name>Enterprise</name>
    <message>
        <location filename="../bridge/enterprise_bridge.py" line="31"/>
        <source>Legal representative</source>
        <translation>法定代表人</translation>
    </message>
    <message>
        <location filename="../bridge/enterprise_bridge.py" line="32"/>
        <source>Authorised agent</source>
        <translation>授权经办人</translation>
    </message>
    <message>
        <location filename="../bridge/enterprise_bridge.py" line="34"/>
        <source>Check the code on the business licence and type it again.</source>
        <translation>请核对营业执照上的代码后重新输入。</translation>
    </message>
    <message>
        <location filename="../bridge/enterprise_bridge.py" line="37"/>
        <source>Scan the enterprise&apos;s code again, or type the unified social credit code.</source>
        <translation>请重新扫描企业的一企一码，或输入统一社会信用代码。</translation>
    </message>
    <message>
        <location filename="../bridge/enterprise_bridge.py" line="40"/>
        <source>You can file as an individual: fill in the form and photograph the documents.</source>
        <translation>可以个人身份办理：手动填写并拍摄材料。</translation>
    </message>
    <message>
        <location filename="../bridge/enterprise_bridge.py" line="47"/>
        <source>You are not registered as this enterprise&apos;s legal representative or agent</source>
        <translation>您不是该企业登记的法定代表人或授权经办人</translation>
    </message>
    <message>
        <location filename="../bridge/enterprise_bridge.py" line="51"/>
        <source>File as an individual, or call a helper.</source>
        <translation>可以个人身份办理，或呼叫帮办人员。</translation>
    </message>
    <message>
        <location filename="../bridge/enterprise_bridge.py" line="54"/>
        <source>The register names no legal representative or agent for it</source>
        <translation>企业档案中没有该企业的法定代表人或经办人</translation>
    </message>
    <message>
        <location filename="../bridge/enterprise_bridge.py" line="57"/>
        <source>Ask at a counter to be authorised, or file as an individual.</source>
        <translation>请到窗口办理授权，或以个人身份办理。</translation>
    </message>
    <message>
        <location filename="../bridge/enterprise_bridge.py" line="62"/>
        <source>This is not an enterprise code issued by this hall</source>
        <translation>这不是本大厅签发的一企一码</translation>
    </message>
    <message>
        <location filename="../bridge/enterprise_bridge.py" line="66"/>
        <source>This enterprise code has been withdrawn</source>
        <translation>该一企一码已作废</translation>
    </message>
    <message>
        <location filename="../bridge/enterprise_bridge.py" line="67"/>
        <source>Use the enterprise&apos;s new code, or type the unified social credit code.</source>
        <translation>请使用企业新领取的二维码，或输入统一社会信用代码。</translation>
    </message>
    <message>
        <location filename="../bridge/enterprise_bridge.py" line="73"/>
        <source>This QR code is neither an enterprise code nor an electronic business licence</source>
        <translation>这个二维码不是一企一码，也不是电子营业执照</translation>
    </message>
    <message>
        <location filename="../bridge/enterprise_bridge.py" line="80"/>
        <location filename="../bridge/enterprise_bridge.py" line="84"/>
        <source>The check character (the last one) of this code is wrong</source>
        <translation>统一社会信用代码的校验位（最后一位）不对</translation>
    </message>
    <message>
        <location filename="../bridge/enterprise_bridge.py" line="88"/>
        <source>A unified social credit code has 18 characters</source>
        <translation>统一社会信用代码应为18位</translation>
    </message>
    <message>
        <location filename="../bridge/enterprise_bridge.py" line="92"/>
        <source>The code has letters a credit code never uses (I, O, S, V, Z)</source>
        <translation>代码中含有统一社会信用代码不使用的字母（I、O、S、V、Z）</translation>
    </message>
    <message>
        <location filename="../bridge/enterprise_bridge.py" line="98"/>
        <source>This enterprise is not in the register</source>
        <translation>企业档案中没有这家企业</translation>
    </message>
    <message>
        <location filename="../bridge/enterprise_bridge.py" line="102"/>
        <source>This electronic business licence is of an enterprise registered in another district</source>
        <translation>该电子营业执照属于在其他区登记的企业</translation>
    </message>
    <message>
        <location filename="../bridge/enterprise_bridge.py" line="106"/>
        <source>File where it is registered, or fill in the form and photograph the documents.</source>
        <translation>请到登记地办理，或手动填写并拍摄材料。</translation>
    </message>
    <message>
        <location filename="../bridge/enterprise_bridge.py" line="112"/>
        <source>The card holder could not be confirmed</source>
        <translation>未能确认持卡人</translation>
    </message>
    <message>
        <location filename="../bridge/enterprise_bridge.py" line="113"/>
        <source>Start again and read the ID card.</source>
        <translation>请重新开始并读取身份证。</translation>
    </message>
    <message>
        <location filename="../bridge/enterprise_bridge.py" line="116"/>
        <source>The enterprise register cannot be reached right now; you can fill in the form by hand and photograph the documents</source>
        <translation>暂时无法连接企业档案，可继续手动填写并拍摄材料</translation>
    </message>
    <message>
        <location filename="../bridge/enterprise_bridge.py" line="122"/>
        <source>Filing</source>
        <translation>办件</translation>
    </message>
    <message>
        <location filename="../bridge/enterprise_bridge.py" line="123"/>
        <source>Demand</source>
        <translation>诉求</translation>
    </message>
    <message>
        <location filename="../bridge/enterprise_bridge.py" line="124"/>
        <source>Document</source>
        <translation>证照</translation>
    </message>
    <message>
        <location filename="../bridge/enterprise_bridge.py" line="125"/>
        <source>Rating</source>
        <translation>评价</translation>
    </message>
    <message>
        <location filename="../bridge/enterprise_bridge.py" line="126"/>
        <source>Policy for you</source>
        <translation>政策推送</translation>
    </message>
    <message>
        <location filename="../bridge/session_bridge.py" line="286"/>
        <source>On file, no need to hand in (issued %1)</source>
        <translation>已有，免提交（签发 %1）</translation>
    </message>
    <message>
        <location filename="../bridge/session_bridge.py" line="289"/>
        <source>On file, no need to hand in</source>
        <translation>已有，免提交</translation>
    </message>
</context>
<context>
    <name>EnterpriseScreen</name>
    <message>
        <location filename="../qml/screens/EnterpriseScreen.qml" line="12"/>
        <source>Filing for an enterprise</source>
        <translation>办理企业</translation>
    </message>
    <message>
        <location filename="../qml/screens/EnterpriseScreen.qml" line="13"/>
        <source>Hold the enterprise&apos;s QR code (enterprise code or electronic business licence) up to the camera.</source>
        <translation>请将企业的二维码（一企一码或电子营业执照）对准摄像头。</translation>
    </message>
    <message>
        <location filename="../qml/screens/EnterpriseScreen.qml" line="14"/>
        <source>Choose the enterprise you act for, or find another one.</source>
        <translation>请选择您代办的企业，或查找其他企业。</translation>
    </message>
    <message>
        <location filename="../qml/screens/EnterpriseScreen.qml" line="15"/>
        <source>Scan the enterprise&apos;s code or type its unified social credit code.</source>
        <translation>请扫描企业的一企一码，或输入统一社会信用代码。</translation>
    </message>
    <message>
        <location filename="../qml/screens/EnterpriseScreen.qml" line="32"/>
        <source>Call a helper</source>
        <translation>呼叫帮办人员</translation>
    </message>
    <message>
        <location filename="../qml/screens/EnterpriseScreen.qml" line="39"/>
        <source>Asking the enterprise register…</source>
        <translation>正在查询企业档案…</translation>
    </message>
    <message>
        <location filename="../qml/screens/EnterpriseScreen.qml" line="65"/>
        <source>Please type the unified social credit code instead.</source>
        <translation>请改为输入统一社会信用代码。</translation>
    </message>
    <message>
        <location filename="../qml/screens/EnterpriseScreen.qml" line="66"/>
        <source>Looking for the QR code…</source>
        <translation>正在识别二维码…</translation>
    </message>
    <message>
        <location filename="../qml/screens/EnterpriseScreen.qml" line="117"/>
        <source>Legal representative: %1</source>
        <translation>法定代表人：%1</translation>
    </message>
    <message>
        <location filename="../qml/screens/EnterpriseScreen.qml" line="128"/>
        <source>You have %1 policies you can apply for</source>
        <translation>您有 %1 项可申报政策</translation>
    </message>
    <message>
        <location filename="../qml/screens/EnterpriseScreen.qml" line="90"/>
        <location filename="../qml/screens/EnterpriseScreen.qml" line="117"/>
        <source>You: %1</source>
        <translation>您：%1</translation>
    </message>
    <message>
        <location filename="../qml/screens/EnterpriseScreen.qml" line="146"/>
        <source>Scan the enterprise code or electronic business licence</source>
        <translation>扫描一企一码/电子营业执照</translation>
    </message>
    <message>
        <location filename="../qml/screens/EnterpriseScreen.qml" line="165"/>
        <source>Type the unified social credit code</source>
        <translation>输入统一社会信用代码</translation>
    </message>
    <message>
        <location filename="../qml/screens/EnterpriseScreen.qml" line="183"/>
        <source>Look up</source>
        <translation>查询</translation>
    </message>
    <message>
        <location filename="../qml/screens/EnterpriseScreen.qml" line="197"/>
        <source>Stop scanning</source>
        <translation>停止扫描</translation>
    </message>
    <message>
        <location filename="../qml/screens/EnterpriseScreen.qml" line="204"/>
        <source>File as an individual</source>
        <translation>以个人身份办理</translation>
    </message>
    <message>
        <location filename="../qml/screens/EnterpriseScreen.qml" line="210"/>
        <source>Exit</source>
        <translation>退出</translation>
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
        <location filename="../bridge/failures.py" line="20"/>
        <source>No card found</source>
        <translation>未检测到证件</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="21"/>
        <source>Place your ID card flat on the reader.</source>
        <translation>请将身份证平放在读卡区。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="24"/>
        <source>The card could not be read</source>
        <translation>证件读取失败</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="25"/>
        <source>Lift the card, then place it flat on the reader again.</source>
        <translation>请拿起证件，再重新平放在读卡区。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="28"/>
        <source>The card reader is not working</source>
        <translation>读卡器暂时无法使用</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="29"/>
        <location filename="../bridge/failures.py" line="78"/>
        <source>Continue without a card for consultation, or ask the station staff.</source>
        <translation>您可以不刷证件继续咨询，或请站点工作人员协助。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="34"/>
        <source>This ID card has expired</source>
        <translation>该证件已过有效期</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="35"/>
        <source>Filings need a valid ID card. Please renew it at a police service centre.</source>
        <translation>办理事项需要有效证件，请到公安服务窗口换领。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="40"/>
        <source>The card was moved while it was being read</source>
        <translation>读卡过程中证件被移动了</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="41"/>
        <source>Place it flat on the reader again and keep it still until it is read.</source>
        <translation>请重新将证件平放在读卡区，读取完成前不要移动。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="46"/>
        <source>This card cannot be read here</source>
        <translation>本机无法读取此类卡片</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="47"/>
        <source>Use your resident ID card, residence permit, passport or social security card.</source>
        <translation>请使用居民身份证、居住证、护照或社保卡。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="53"/>
        <source>This card does not allow its data to be read here</source>
        <translation>此卡不允许在本机读取信息</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="54"/>
        <source>Please use your resident ID card or passport instead.</source>
        <translation>请改用居民身份证或护照。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="57"/>
        <source>Enter three items from your passport</source>
        <translation>请输入护照上的三项信息</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="58"/>
        <source>The chip opens with the document number, date of birth and expiry date printed on the photo page.</source>
        <translation>护照芯片需要用资料页上的证件号码、出生日期和有效期至才能读取。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="65"/>
        <source>Those passport details do not open the chip</source>
        <translation>输入的护照信息与芯片不符</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="66"/>
        <source>Check the document number and both dates against the photo page.</source>
        <translation>请对照资料页核对证件号码和两个日期。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="71"/>
        <source>The card reader is not answering properly</source>
        <translation>读卡器通信异常</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="72"/>
        <source>Lift the card and place it again. If it repeats, ask the station staff.</source>
        <translation>请拿起证件后重新放置。如仍不行，请联系站点工作人员。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="77"/>
        <source>The card reader needs a technician</source>
        <translation>读卡器需要技术人员维修</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="83"/>
        <source>This service needs your ID card</source>
        <translation>该事项需要刷身份证</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="84"/>
        <source>Go back and place your ID card on the reader.</source>
        <translation>请返回上一步，将身份证放在读卡区。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="87"/>
        <source>Some answers need correcting</source>
        <translation>部分内容需要修改</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="88"/>
        <source>Fix the fields marked in red, then continue.</source>
        <translation>请修改标红的内容后继续。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="91"/>
        <source>Your filing could not be saved</source>
        <translation>您的申请未能保存</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="92"/>
        <source>Nothing was submitted. Please ask the station staff or call 0512-12345.</source>
        <translation>本次未提交任何内容。请联系站点工作人员或拨打 0512-12345。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="98"/>
        <source>The receipt printer is out of paper</source>
        <translation>回执打印机缺纸</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="99"/>
        <location filename="../bridge/failures.py" line="105"/>
        <location filename="../bridge/failures.py" line="111"/>
        <location filename="../bridge/failures.py" line="117"/>
        <location filename="../bridge/failures.py" line="123"/>
        <source>Your filing is saved. Take a photo of the tracking number and QR code.</source>
        <translation>您的申请已保存。请拍下受理编号和二维码留存。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="104"/>
        <source>The receipt printer cover is open</source>
        <translation>回执打印机仓盖未关</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="110"/>
        <source>The receipt printer is not responding</source>
        <translation>回执打印机无响应</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="116"/>
        <source>The receipt printer&apos;s cutter is stuck</source>
        <translation>回执打印机切刀卡住了</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="122"/>
        <source>The receipt could not be printed</source>
        <translation>回执未能打印</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="128"/>
        <source>The A4 summary could not be printed</source>
        <translation>A4办事摘要未能打印</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="129"/>
        <source>Your filing is saved; scan the QR code to see it, or ask the station staff.</source>
        <translation>您的申请已保存；可扫描二维码查看，或请站点工作人员协助。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="134"/>
        <source>The camera is not working</source>
        <translation>摄像头暂时无法使用</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="135"/>
        <location filename="../bridge/failures.py" line="141"/>
        <source>Go back and continue without the photo, or ask the station staff.</source>
        <translation>请返回继续填写（暂不拍照），或请站点工作人员协助。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="140"/>
        <source>The camera picture has stopped</source>
        <translation>摄像头画面已停止</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="146"/>
        <source>The service hall cannot be reached</source>
        <translation>暂时无法连接服务大厅</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="147"/>
        <source>Your filing is kept and will be sent automatically.</source>
        <translation>您的申请已保存，网络恢复后将自动发送。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="150"/>
        <location filename="../bridge/failures.py" line="158"/>
        <location filename="../bridge/failures.py" line="165"/>
        <location filename="../bridge/failures.py" line="172"/>
        <source>The service hall sent an answer this terminal cannot use</source>
        <translation>服务大厅返回的信息本机无法识别</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="151"/>
        <location filename="../bridge/failures.py" line="159"/>
        <location filename="../bridge/failures.py" line="166"/>
        <location filename="../bridge/failures.py" line="173"/>
        <source>The last known information is shown. If this repeats, ask the station staff.</source>
        <translation>现显示最近一次获取的信息。如反复出现，请联系站点工作人员。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="179"/>
        <source>Too many attempts</source>
        <translation>操作过于频繁</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="180"/>
        <source>Please wait a minute and try again.</source>
        <translation>请稍候一分钟再试。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="183"/>
        <source>The hall does not know this code</source>
        <translation>大厅不认识这个登记码</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="184"/>
        <source>Check it letter by letter: 16 characters, and never the letters O, I, L or the digits 0, 1.</source>
        <translation>请逐位核对：共 16 位，不含字母 O、I、L，也不含数字 0、1。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="191"/>
        <source>This code has already been used</source>
        <translation>这个登记码已被使用</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="192"/>
        <source>Each code works once. Ask the hall for a new code.</source>
        <translation>每个登记码只能使用一次。请向大厅申请新的登记码。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="195"/>
        <source>This code has expired</source>
        <translation>这个登记码已过期</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="196"/>
        <source>Codes are valid for 30 minutes. Ask the hall for a new code.</source>
        <translation>登记码 30 分钟内有效。请向大厅申请新的登记码。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="201"/>
        <source>Too many wrong codes</source>
        <translation>错误次数过多</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="202"/>
        <source>Wait 15 minutes, then enter a code from the hall.</source>
        <translation>请等待 15 分钟，再输入大厅提供的登记码。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="205"/>
        <source>The hall cannot be reached at this address</source>
        <translation>无法通过此地址连接大厅</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="206"/>
        <source>Check the hall address and the station&apos;s network cable.</source>
        <translation>请检查大厅地址和站点的网线。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="209"/>
        <source>The hall refused the enrolment</source>
        <translation>大厅拒绝了登记</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="210"/>
        <source>Call the hall&apos;s support staff and give them the code below.</source>
        <translation>请致电大厅技术支持，并告知下方的故障代码。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="213"/>
        <source>The terminal could not store its credential</source>
        <translation>终端无法保存其凭据</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="214"/>
        <source>Check the storage of this terminal, then try again.</source>
        <translation>请检查本终端的存储，然后重试。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="217"/>
        <source>Something went wrong</source>
        <translation>系统出现问题</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="218"/>
        <source>Please start again, or ask the station staff for help.</source>
        <translation>请重新开始，或联系站点工作人员协助。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="223"/>
        <source>Please try again in %1 seconds.</source>
        <translation>请 %1 秒后再试。</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="224"/>
        <source>Please try again in %1 minutes.</source>
        <translation>请 %1 分钟后再试。</translation>
    </message>
</context>
<context>
    <name>FieldError</name>
    <message>
        <location filename="../bridge/failures.py" line="252"/>
        <source>Required</source>
        <translation>必填</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="253"/>
        <source>Too long</source>
        <translation>内容过长</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="254"/>
        <source>Not a valid ID number: check the 18 characters</source>
        <translation>身份证号码有误，请核对18位号码</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="257"/>
        <source>Not a valid unified social credit code: check the 18 characters</source>
        <translation>统一社会信用代码有误，请核对18位代码</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="260"/>
        <source>Enter an 11-digit mobile number</source>
        <translation>请输入11位手机号码</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="261"/>
        <source>Enter a whole number</source>
        <translation>请输入整数</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="262"/>
        <source>Enter an amount, e.g. 100 or 12.5</source>
        <translation>请输入金额，例如 100 或 12.5</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="263"/>
        <location filename="../bridge/failures.py" line="280"/>
        <location filename="../bridge/failures.py" line="284"/>
        <source>Enter a date as YYYY-MM-DD</source>
        <translation>请按“年-月-日”格式输入，例如 2026-12-01</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="264"/>
        <source>Choose one of the options</source>
        <translation>请选择一项</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="265"/>
        <source>Unexpected field</source>
        <translation>无效字段</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="266"/>
        <source>Please photograph this document</source>
        <translation>请拍摄这份材料</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="267"/>
        <source>The document on file has expired; please photograph it again</source>
        <translation>档案中的材料已过期，请重新拍摄</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="270"/>
        <source>Enter a year such as 2018</source>
        <translation>请输入年份，例如 2018</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="271"/>
        <source>Not an industry code of the chosen industry, e.g. C3973</source>
        <translation>不是所选行业的行业代码，例如 C3973</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="274"/>
        <source>Letters and digits only, up to 9, as printed on the photo page</source>
        <translation>请按资料页填写，仅限字母和数字，最多9位</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="277"/>
        <source>The document number does not match its check digit</source>
        <translation>证件号码与校验位不符</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="281"/>
        <source>The date of birth does not match its check digit</source>
        <translation>出生日期与校验位不符</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="285"/>
        <source>The expiry date does not match its check digit</source>
        <translation>有效期与校验位不符</translation>
    </message>
</context>
<context>
    <name>FirstBoot</name>
    <message>
        <location filename="../qml/FirstBoot.qml" line="14"/>
        <source>Qihang Station Kiosk</source>
        <translation>企航站点自助终端</translation>
    </message>
    <message>
        <location filename="../qml/FirstBoot.qml" line="75"/>
        <source>Su Xin Ban · Qihang Station</source>
        <translation>苏新办·企航家</translation>
    </message>
    <message>
        <location filename="../qml/FirstBoot.qml" line="90"/>
        <source>Standard</source>
        <translation>标准版</translation>
    </message>
    <message>
        <location filename="../qml/FirstBoot.qml" line="90"/>
        <source>Large text</source>
        <translation>关怀版</translation>
    </message>
    <message>
        <location filename="../qml/FirstBoot.qml" line="111"/>
        <source>Set up this terminal</source>
        <translation>设置本终端</translation>
    </message>
    <message>
        <location filename="../qml/FirstBoot.qml" line="120"/>
        <source>For technicians. Enter the hall&apos;s address and the enrolment code the hall staff gave you. A code works once, for 30 minutes.</source>
        <translation>供技术人员使用：请输入大厅地址和大厅工作人员提供的登记码。每个登记码只能使用一次，30 分钟内有效。</translation>
    </message>
    <message>
        <location filename="../qml/FirstBoot.qml" line="132"/>
        <location filename="../qml/FirstBoot.qml" line="140"/>
        <source>Hall address</source>
        <translation>大厅地址</translation>
    </message>
    <message>
        <location filename="../qml/FirstBoot.qml" line="147"/>
        <location filename="../qml/FirstBoot.qml" line="155"/>
        <source>Enrolment code</source>
        <translation>登记码</translation>
    </message>
    <message>
        <location filename="../qml/FirstBoot.qml" line="165"/>
        <source>16 letters and digits; codes never use O, I, L, 0 or 1.</source>
        <translation>共 16 位字母和数字；登记码中没有 O、I、L、0 和 1。</translation>
    </message>
    <message>
        <location filename="../qml/FirstBoot.qml" line="175"/>
        <source>Enrol this terminal</source>
        <translation>登记本终端</translation>
    </message>
    <message>
        <location filename="../qml/FirstBoot.qml" line="200"/>
        <source>Contacting the hall…</source>
        <translation>正在连接大厅…</translation>
    </message>
    <message>
        <location filename="../qml/FirstBoot.qml" line="214"/>
        <source>This terminal is enrolled</source>
        <translation>本终端已登记</translation>
    </message>
    <message>
        <location filename="../qml/FirstBoot.qml" line="223"/>
        <source>Station: %1 (%2)</source>
        <translation>站点：%1（%2）</translation>
    </message>
    <message>
        <location filename="../qml/FirstBoot.qml" line="233"/>
        <source>Start the kiosk</source>
        <translation>启动自助终端</translation>
    </message>
    <message>
        <location filename="../qml/FirstBoot.qml" line="270"/>
        <source>Fault code: %1</source>
        <translation>故障代码：%1</translation>
    </message>
    <message>
        <location filename="../qml/FirstBoot.qml" line="281"/>
        <source>Try again</source>
        <translation>重试</translation>
    </message>
</context>
<context>
    <name>FormField</name>
    <message>
        <location filename="../qml/components/FormField.qml" line="71"/>
        <source>← The helper points here</source>
        <translation>← 帮办人员提示您看这里</translation>
    </message>
    <message>
        <location filename="../qml/components/FormField.qml" line="80"/>
        <source>From the enterprise file</source>
        <translation>来自企业档案</translation>
    </message>
    <message>
        <location filename="../qml/components/FormField.qml" line="88"/>
        <source>Filled by helper</source>
        <translation>帮办人员填写</translation>
    </message>
    <message>
        <location filename="../qml/components/FormField.qml" line="113"/>
        <source>YYYY-MM-DD</source>
        <translation>年-月-日</translation>
    </message>
    <message>
        <location filename="../qml/components/FormField.qml" line="199"/>
        <source>From what you wrote, this may belong to (tap to use it):</source>
        <translation>根据您的描述，建议归入以下类别（点击采用）：</translation>
    </message>
    <message>
        <location filename="../qml/components/FormField.qml" line="210"/>
        <source>words: %1</source>
        <translation>关键词：%1</translation>
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
        <translation>
            <numerusform>%n 项内容需要修改</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../qml/screens/FormScreen.qml" line="22"/>
        <source>Fix the fields marked in red, then continue.</source>
        <translation>请修改标红的内容后继续。</translation>
    </message>
    <message>
        <location filename="../qml/screens/FormScreen.qml" line="61"/>
        <source>Documents to photograph</source>
        <translation>需拍摄的材料</translation>
    </message>
    <message>
        <location filename="../qml/screens/FormScreen.qml" line="70"/>
        <source>Lay each page flat under the document camera. The photos go to the hall with your filing.</source>
        <translation>请将每页材料平放在高拍仪下拍摄，照片将随申请一并提交服务大厅。</translation>
    </message>
    <message>
        <location filename="../qml/screens/FormScreen.qml" line="91"/>
        <source>Back</source>
        <translation>上一步</translation>
    </message>
    <message>
        <location filename="../qml/screens/FormScreen.qml" line="98"/>
        <source>Next: review</source>
        <translation>下一步：核对信息</translation>
    </message>
</context>
<context>
    <name>Guidance</name>
    <message>
        <location filename="../bridge/failures.py" line="299"/>
        <source>Move the page into the frame</source>
        <translation>请将材料移入画面</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="300"/>
        <source>Show the whole page, all four corners</source>
        <translation>请露出整页，四个角都要在画面内</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="301"/>
        <source>Hold still…</source>
        <translation>请保持不动……</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="302"/>
        <source>Too dark: move the page into the light</source>
        <translation>太暗了：请把材料移到光线充足处</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="303"/>
        <source>Blurred: keep the page flat and still</source>
        <translation>画面模糊：请将材料放平并保持不动</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="304"/>
        <source>Glare: tilt the page away from the light</source>
        <translation>有反光：请调整材料角度避开灯光</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="305"/>
        <source>Look at the camera</source>
        <translation>请看摄像头</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="306"/>
        <source>Only one person in the picture, please</source>
        <translation>画面中只能有一个人</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="307"/>
        <source>Move to the centre</source>
        <translation>请移到画面中间</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="308"/>
        <source>Come a little closer</source>
        <translation>请靠近一点</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="309"/>
        <source>Move back a little</source>
        <translation>请稍微后退</translation>
    </message>
    <message>
        <location filename="../bridge/failures.py" line="310"/>
        <source>Too dark: face the light</source>
        <translation>太暗了：请面向光源</translation>
    </message>
</context>
<context>
    <name>Header</name>
    <message>
        <location filename="../qml/components/Header.qml" line="18"/>
        <source>Su Xin Ban · Qihang Station</source>
        <translation>苏新办·企航家</translation>
    </message>
    <message>
        <location filename="../qml/components/Header.qml" line="61"/>
        <source>Get help</source>
        <translation>远程帮办</translation>
    </message>
    <message>
        <location filename="../qml/components/Header.qml" line="69"/>
        <source>Repeat</source>
        <translation>重听</translation>
    </message>
    <message>
        <location filename="../qml/components/Header.qml" line="69"/>
        <source>Read aloud</source>
        <translation>朗读</translation>
    </message>
    <message>
        <location filename="../qml/components/Header.qml" line="83"/>
        <source>Standard</source>
        <translation>标准版</translation>
    </message>
    <message>
        <location filename="../qml/components/Header.qml" line="83"/>
        <source>Large text</source>
        <translation>关怀版</translation>
    </message>
</context>
<context>
    <name>IdentifyScreen</name>
    <message>
        <location filename="../qml/screens/IdentifyScreen.qml" line="14"/>
        <source>Enter three items from your passport</source>
        <translation>请输入护照上的三项信息</translation>
    </message>
    <message>
        <location filename="../qml/screens/IdentifyScreen.qml" line="15"/>
        <source>Hold your card or passport on the reader</source>
        <translation>请将卡片或护照放在感应区</translation>
    </message>
    <message>
        <location filename="../qml/screens/IdentifyScreen.qml" line="16"/>
        <source>Place your ID card on the reader</source>
        <translation>请将身份证放在读卡区</translation>
    </message>
    <message>
        <location filename="../qml/screens/IdentifyScreen.qml" line="17"/>
        <source>They are printed on the photo page. Keep the passport on the reader.</source>
        <translation>这些信息印在护照资料页上。请保持护照放在感应区。</translation>
    </message>
    <message>
        <location filename="../qml/screens/IdentifyScreen.qml" line="18"/>
        <source>Social security card, passport or travel permit with a chip.</source>
        <translation>支持社保卡、电子护照和带芯片的通行证。</translation>
    </message>
    <message>
        <location filename="../qml/screens/IdentifyScreen.qml" line="19"/>
        <source>Resident ID card, Hong Kong/Macau/Taiwan residence permit or foreign permanent resident ID card.</source>
        <translation>支持居民身份证、港澳台居民居住证、外国人永久居留身份证。</translation>
    </message>
    <message>
        <location filename="../qml/screens/IdentifyScreen.qml" line="34"/>
        <source>Document number</source>
        <translation>证件号码</translation>
    </message>
    <message>
        <location filename="../qml/screens/IdentifyScreen.qml" line="37"/>
        <source>Date of birth (YYYY-MM-DD)</source>
        <translation>出生日期（年-月-日）</translation>
    </message>
    <message>
        <location filename="../qml/screens/IdentifyScreen.qml" line="38"/>
        <source>Date of expiry (YYYY-MM-DD)</source>
        <translation>有效期至（年-月-日）</translation>
    </message>
    <message>
        <location filename="../qml/screens/IdentifyScreen.qml" line="42"/>
        <source>Read the chip</source>
        <translation>读取芯片</translation>
    </message>
    <message>
        <location filename="../qml/screens/IdentifyScreen.qml" line="83"/>
        <source>ID card</source>
        <translation>身份证</translation>
    </message>
    <message>
        <location filename="../qml/screens/IdentifyScreen.qml" line="83"/>
        <source>Card or passport</source>
        <translation>卡片或护照</translation>
    </message>
    <message>
        <location filename="../qml/screens/IdentifyScreen.qml" line="101"/>
        <source>Waiting for your card… keep it flat and still until you hear a beep.</source>
        <translation>正在等待证件……请平放不动，听到提示音后再拿开。</translation>
    </message>
    <message>
        <location filename="../qml/screens/IdentifyScreen.qml" line="122"/>
        <source>Read the card again</source>
        <translation>重新读卡</translation>
    </message>
    <message>
        <location filename="../qml/screens/IdentifyScreen.qml" line="186"/>
        <source>Exit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../qml/screens/IdentifyScreen.qml" line="192"/>
        <source>Continue without a card (questions only)</source>
        <translation>不刷证件，仅咨询</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <location filename="../qml/Main.qml" line="13"/>
        <source>Qihang Station Kiosk</source>
        <translation>企航站点自助终端</translation>
    </message>
</context>
<context>
    <name>MaterialRow</name>
    <message>
        <location filename="../qml/components/MaterialRow.qml" line="32"/>
        <source>Photographed ✓</source>
        <translation>已拍摄 ✓</translation>
    </message>
    <message>
        <location filename="../qml/components/MaterialRow.qml" line="34"/>
        <source>The document on file has expired; please photograph it again</source>
        <translation>档案中的材料已过期，请重新拍摄</translation>
    </message>
    <message>
        <location filename="../qml/components/MaterialRow.qml" line="35"/>
        <source>Required</source>
        <translation>必填</translation>
    </message>
    <message>
        <location filename="../qml/components/MaterialRow.qml" line="35"/>
        <source>Optional</source>
        <translation>选填</translation>
    </message>
    <message>
        <location filename="../qml/components/MaterialRow.qml" line="48"/>
        <source>Retake</source>
        <translation>重拍</translation>
    </message>
    <message>
        <location filename="../qml/components/MaterialRow.qml" line="48"/>
        <source>Photograph</source>
        <translation>拍摄</translation>
    </message>
</context>
<context>
    <name>PoliciesScreen</name>
    <message>
        <location filename="../qml/screens/PoliciesScreen.qml" line="11"/>
        <source>Policies for your enterprise</source>
        <translation>您的企业可关注的政策</translation>
    </message>
    <message>
        <location filename="../qml/screens/PoliciesScreen.qml" line="11"/>
        <source>Find policies for your enterprise</source>
        <translation>惠企政策匹配</translation>
    </message>
    <message>
        <location filename="../qml/screens/PoliciesScreen.qml" line="13"/>
        <source>%1 you can apply for · %2 need one more thing</source>
        <translation>可申报 %1 项 · 差一个条件 %2 项</translation>
    </message>
    <message>
        <location filename="../qml/screens/PoliciesScreen.qml" line="14"/>
        <source>All questions are optional; the more you answer, the more exact the result.</source>
        <translation>各项均为选填；填得越多，匹配越准确。</translation>
    </message>
    <message>
        <location filename="../qml/screens/PoliciesScreen.qml" line="78"/>
        <source>Filled in from the enterprise file</source>
        <translation>已按企业档案填写</translation>
    </message>
    <message>
        <location filename="../qml/screens/PoliciesScreen.qml" line="79"/>
        <source>Check the answers; you may change any of them.</source>
        <translation>请核对，如有变化可以修改。</translation>
    </message>
    <message numerus="yes">
        <location filename="../qml/screens/PoliciesScreen.qml" line="87"/>
        <source>%n answer(s) need correcting</source>
        <translation>
            <numerusform>%n 项内容需要修改</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../qml/screens/PoliciesScreen.qml" line="88"/>
        <source>Fix the answers marked in red, then try again.</source>
        <translation>请修改标红的内容后再试。</translation>
    </message>
    <message>
        <location filename="../qml/screens/PoliciesScreen.qml" line="117"/>
        <location filename="../qml/screens/PoliciesScreen.qml" line="120"/>
        <source>Unified social credit code (optional)</source>
        <translation>统一社会信用代码（选填）</translation>
    </message>
    <message>
        <location filename="../qml/screens/PoliciesScreen.qml" line="123"/>
        <source>18 characters, on the business licence</source>
        <translation>18 位，见营业执照</translation>
    </message>
    <message>
        <location filename="../qml/screens/PoliciesScreen.qml" line="135"/>
        <source>This code was issued outside Suzhou High-tech District; most policies here are for enterprises registered in the district.</source>
        <translation>该代码不是在苏州高新区登记的；本站政策大多面向在高新区注册的企业。</translation>
    </message>
    <message>
        <location filename="../qml/screens/PoliciesScreen.qml" line="140"/>
        <source>The code does not tell the industry, size, capital, founding year or certifications: please answer below.</source>
        <translation>代码本身不包含行业、规模、注册资本、成立年份和资质认定，请在下面填写。</translation>
    </message>
    <message>
        <location filename="../qml/screens/PoliciesScreen.qml" line="144"/>
        <source>Enterprise size</source>
        <translation>企业规模</translation>
    </message>
    <message>
        <location filename="../qml/screens/PoliciesScreen.qml" line="159"/>
        <location filename="../qml/screens/PoliciesScreen.qml" line="162"/>
        <source>Registered capital (×10,000 CNY)</source>
        <translation>注册资本（万元）</translation>
    </message>
    <message>
        <location filename="../qml/screens/PoliciesScreen.qml" line="165"/>
        <source>e.g. 500</source>
        <translation>例如 500</translation>
    </message>
    <message>
        <location filename="../qml/screens/PoliciesScreen.qml" line="170"/>
        <location filename="../qml/screens/PoliciesScreen.qml" line="173"/>
        <source>Year founded</source>
        <translation>成立年份</translation>
    </message>
    <message>
        <location filename="../qml/screens/PoliciesScreen.qml" line="176"/>
        <source>e.g. 2018</source>
        <translation>例如 2018</translation>
    </message>
    <message>
        <location filename="../qml/screens/PoliciesScreen.qml" line="181"/>
        <source>Certifications (tap all that apply)</source>
        <translation>资质认定（可多选）</translation>
    </message>
    <message>
        <location filename="../qml/screens/PoliciesScreen.qml" line="196"/>
        <source>Where the enterprise is registered</source>
        <translation>注册地</translation>
    </message>
    <message>
        <location filename="../qml/screens/PoliciesScreen.qml" line="211"/>
        <source>Industry</source>
        <translation>所属行业</translation>
    </message>
    <message>
        <location filename="../qml/screens/PoliciesScreen.qml" line="231"/>
        <source>Change</source>
        <translation>重新选择</translation>
    </message>
    <message>
        <location filename="../qml/screens/PoliciesScreen.qml" line="238"/>
        <location filename="../qml/screens/PoliciesScreen.qml" line="241"/>
        <source>Industry code if you know it (optional), e.g. C3973</source>
        <translation>行业代码（选填，如知道），例如 C3973</translation>
    </message>
    <message>
        <location filename="../qml/screens/PoliciesScreen.qml" line="276"/>
        <source>You can apply</source>
        <translation>可以申报</translation>
    </message>
    <message>
        <location filename="../qml/screens/PoliciesScreen.qml" line="276"/>
        <source>One thing missing</source>
        <translation>还差一个条件</translation>
    </message>
    <message>
        <location filename="../qml/screens/PoliciesScreen.qml" line="313"/>
        <source>Still needed: %1</source>
        <translation>还需：%1</translation>
    </message>
    <message>
        <location filename="../qml/screens/PoliciesScreen.qml" line="342"/>
        <source>No policy fits these answers yet. Change the answers, or ask the station staff about other support.</source>
        <translation>按目前填写的情况，暂未匹配到政策。可修改填写内容，或向站点工作人员咨询其他扶持。</translation>
    </message>
    <message>
        <location filename="../qml/screens/PoliciesScreen.qml" line="355"/>
        <source>Change answers</source>
        <translation>修改填写内容</translation>
    </message>
    <message>
        <location filename="../qml/screens/PoliciesScreen.qml" line="355"/>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location filename="../qml/screens/PoliciesScreen.qml" line="364"/>
        <source>Show matching policies</source>
        <translation>查看可申报政策</translation>
    </message>
    <message>
        <location filename="../qml/screens/PoliciesScreen.qml" line="372"/>
        <source>Done</source>
        <translation>完成</translation>
    </message>
</context>
<context>
    <name>ProgressScreen</name>
    <message>
        <location filename="../qml/screens/ProgressScreen.qml" line="10"/>
        <source>Check the progress of a filing</source>
        <translation>查询办事进度</translation>
    </message>
    <message>
        <location filename="../qml/screens/ProgressScreen.qml" line="11"/>
        <source>Hold the QR code on your receipt up to the camera.</source>
        <translation>请把回执上的二维码对准摄像头。</translation>
    </message>
    <message>
        <location filename="../qml/screens/ProgressScreen.qml" line="12"/>
        <source>Type the tracking number printed on your receipt, or scan its QR code.</source>
        <translation>请输入回执上的受理编号，或扫描回执上的二维码。</translation>
    </message>
    <message>
        <location filename="../qml/screens/ProgressScreen.qml" line="25"/>
        <source>Tracking number</source>
        <translation>受理编号</translation>
    </message>
    <message>
        <location filename="../qml/screens/ProgressScreen.qml" line="32"/>
        <source>e.g. SND-SS-001-20261127-0001</source>
        <translation>例如 SND-SS-001-20261127-0001</translation>
    </message>
    <message>
        <location filename="../qml/screens/ProgressScreen.qml" line="53"/>
        <source>Scan QR code</source>
        <translation>扫描二维码</translation>
    </message>
    <message>
        <location filename="../qml/screens/ProgressScreen.qml" line="97"/>
        <source>Please type the tracking number instead.</source>
        <translation>请改为输入受理编号。</translation>
    </message>
    <message>
        <location filename="../qml/screens/ProgressScreen.qml" line="98"/>
        <source>Looking for the QR code…</source>
        <translation>正在识别二维码…</translation>
    </message>
    <message>
        <location filename="../qml/screens/ProgressScreen.qml" line="129"/>
        <source>Not yet sent to the service hall</source>
        <translation>尚未发送到服务大厅</translation>
    </message>
    <message>
        <location filename="../qml/screens/ProgressScreen.qml" line="130"/>
        <source>Offline: last known status</source>
        <translation>暂时离线：最近一次查到的状态</translation>
    </message>
    <message>
        <location filename="../qml/screens/ProgressScreen.qml" line="146"/>
        <source>Tracking number %1</source>
        <translation>受理编号 %1</translation>
    </message>
    <message>
        <location filename="../qml/screens/ProgressScreen.qml" line="201"/>
        <source>Updated %1</source>
        <translation>更新于 %1</translation>
    </message>
    <message>
        <location filename="../qml/screens/ProgressScreen.qml" line="254"/>
        <source>Another number</source>
        <translation>查询其他编号</translation>
    </message>
    <message>
        <location filename="../qml/screens/ProgressScreen.qml" line="254"/>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location filename="../qml/screens/ProgressScreen.qml" line="261"/>
        <source>Type the number instead</source>
        <translation>改为输入编号</translation>
    </message>
    <message>
        <location filename="../qml/screens/ProgressScreen.qml" line="270"/>
        <source>Look up</source>
        <translation>查询</translation>
    </message>
    <message>
        <location filename="../qml/screens/ProgressScreen.qml" line="278"/>
        <source>Done</source>
        <translation>完成</translation>
    </message>
</context>
<context>
    <name>QaScreen</name>
    <message>
        <location filename="../qml/screens/QaScreen.qml" line="12"/>
        <source>Ask a question</source>
        <translation>政策问答</translation>
    </message>
    <message>
        <location filename="../qml/screens/QaScreen.qml" line="13"/>
        <source>Type a few words, or the first letters of their pinyin (e.g. yyzz for 营业执照).</source>
        <translation>输入几个关键词，或拼音首字母（例如 yyzz 即“营业执照”）。</translation>
    </message>
    <message>
        <location filename="../qml/screens/QaScreen.qml" line="14"/>
        <source>The answers are written in Chinese.</source>
        <translation>答案为中文。</translation>
    </message>
    <message>
        <location filename="../qml/screens/QaScreen.qml" line="40"/>
        <source>e.g. 营业执照丢了 / 社保 / yyzz</source>
        <translation>例如：营业执照丢了、社保、yyzz</translation>
    </message>
    <message>
        <location filename="../qml/screens/QaScreen.qml" line="75"/>
        <source>Get remote help</source>
        <translation>远程帮办</translation>
    </message>
    <message>
        <location filename="../qml/screens/QaScreen.qml" line="83"/>
        <source>Remote help is coming soon</source>
        <translation>远程帮办即将开通</translation>
    </message>
    <message>
        <location filename="../qml/screens/QaScreen.qml" line="84"/>
        <source>Video help from a service agent is being set up at this station. Until then, please ask the station staff or call 0512-12345.</source>
        <translation>本站点正在开通工作人员视频帮办。开通前请咨询站点工作人员，或拨打 0512-12345。</translation>
    </message>
    <message>
        <location filename="../qml/screens/QaScreen.qml" line="138"/>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location filename="../qml/screens/QaScreen.qml" line="32"/>
        <location filename="../qml/screens/QaScreen.qml" line="146"/>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
</context>
<context>
    <name>RatingScreen</name>
    <message>
        <location filename="../qml/screens/RatingScreen.qml" line="14"/>
        <source>Thank you</source>
        <translation>感谢您的评价</translation>
    </message>
    <message>
        <location filename="../qml/screens/RatingScreen.qml" line="14"/>
        <source>Please rate our service</source>
        <translation>请对我们的服务作出评价</translation>
    </message>
    <message>
        <location filename="../qml/screens/RatingScreen.qml" line="16"/>
        <source>Your ratings help the departments improve. Now choose a service.</source>
        <translation>您的评价将帮助各部门改进服务。现在可以选择要办理的业务。</translation>
    </message>
    <message>
        <location filename="../qml/screens/RatingScreen.qml" line="17"/>
        <source>Part %1 of %2 is done. How satisfied are you? You can change a rating within 7 days.</source>
        <translation>第 %1 项（共 %2 项）已办结。您是否满意？评价提交后 7 天内可以修改。</translation>
    </message>
    <message>
        <location filename="../qml/screens/RatingScreen.qml" line="94"/>
        <source>Tracking number %1</source>
        <translation>受理编号 %1</translation>
    </message>
    <message>
        <location filename="../qml/screens/RatingScreen.qml" line="173"/>
        <location filename="../qml/screens/RatingScreen.qml" line="192"/>
        <source>Comment (optional)</source>
        <translation>意见建议（选填）</translation>
    </message>
    <message>
        <location filename="../qml/screens/RatingScreen.qml" line="183"/>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <location filename="../qml/screens/RatingScreen.qml" line="200"/>
        <source>What went well, what should improve?</source>
        <translation>哪些做得好，哪些需要改进？</translation>
    </message>
    <message>
        <location filename="../qml/screens/RatingScreen.qml" line="235"/>
        <source>The service hall cannot be reached</source>
        <translation>暂时无法连接服务大厅</translation>
    </message>
    <message>
        <location filename="../qml/screens/RatingScreen.qml" line="237"/>
        <source>Try again, or skip: you can also rate on your phone.</source>
        <translation>请重试，或先跳过：也可以用手机扫描回执二维码评价。</translation>
    </message>
    <message>
        <location filename="../qml/screens/RatingScreen.qml" line="248"/>
        <source>Skip</source>
        <translation>跳过</translation>
    </message>
    <message>
        <location filename="../qml/screens/RatingScreen.qml" line="257"/>
        <source>Sending…</source>
        <translation>正在提交…</translation>
    </message>
    <message>
        <location filename="../qml/screens/RatingScreen.qml" line="257"/>
        <source>Submit rating</source>
        <translation>提交评价</translation>
    </message>
    <message>
        <location filename="../qml/screens/RatingScreen.qml" line="264"/>
        <source>Continue to services</source>
        <translation>继续办理业务</translation>
    </message>
</context>
<context>
    <name>ReceiptScreen</name>
    <message>
        <location filename="../qml/screens/ReceiptScreen.qml" line="8"/>
        <source>Your filing has been received</source>
        <translation>您的申请已受理</translation>
    </message>
    <message>
        <location filename="../qml/screens/ReceiptScreen.qml" line="9"/>
        <source>Printing your receipt…</source>
        <translation>正在打印回执……</translation>
    </message>
    <message>
        <location filename="../qml/screens/ReceiptScreen.qml" line="10"/>
        <source>Please take your receipt and your ID card.</source>
        <translation>请取走回执和身份证。</translation>
    </message>
    <message>
        <location filename="../qml/screens/ReceiptScreen.qml" line="39"/>
        <source>Tracking number</source>
        <translation>受理编号</translation>
    </message>
    <message numerus="yes">
        <location filename="../qml/screens/ReceiptScreen.qml" line="65"/>
        <source>Scan to follow the progress. We will finish within %n working day(s).</source>
        <translation>
            <numerusform>扫码查询办理进度。我们将在 %n 个工作日内办结。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../qml/screens/ReceiptScreen.qml" line="80"/>
        <source>Printing the A4 summary…</source>
        <translation>正在打印A4办事摘要……</translation>
    </message>
    <message>
        <location filename="../qml/screens/ReceiptScreen.qml" line="81"/>
        <source>A4 summary printed ✓</source>
        <translation>A4办事摘要已打印 ✓</translation>
    </message>
    <message>
        <location filename="../qml/screens/ReceiptScreen.qml" line="82"/>
        <source>Print an A4 summary of this filing</source>
        <translation>打印本次申请的A4办事摘要</translation>
    </message>
    <message>
        <location filename="../qml/screens/ReceiptScreen.qml" line="100"/>
        <source>Done</source>
        <translation>完成</translation>
    </message>
</context>
<context>
    <name>ResultLine</name>
    <message>
        <location filename="../qml/components/ResultLine.qml" line="32"/>
        <source>Code: %1</source>
        <translation>代码：%1</translation>
    </message>
</context>
<context>
    <name>Review</name>
    <message>
        <location filename="../bridge/session_bridge.py" line="306"/>
        <source>Photographed ✓</source>
        <translation>已拍摄 ✓</translation>
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
        <location filename="../qml/screens/ReviewScreen.qml" line="71"/>
        <source>How to get the result</source>
        <translation>领取方式</translation>
    </message>
    <message>
        <location filename="../qml/screens/ReviewScreen.qml" line="104"/>
        <source>Collect it here with your ID card once the SMS says it is ready.</source>
        <translation>收到办结短信后，请凭身份证到本站点领取。</translation>
    </message>
    <message>
        <location filename="../qml/screens/ReviewScreen.qml" line="130"/>
        <source>To %1, mobile %2</source>
        <translation>收件人 %1，手机 %2</translation>
    </message>
    <message>
        <location filename="../qml/screens/ReviewScreen.qml" line="140"/>
        <source>Change address</source>
        <translation>修改地址</translation>
    </message>
    <message>
        <location filename="../qml/screens/ReviewScreen.qml" line="151"/>
        <source>Privacy</source>
        <translation>隐私说明</translation>
    </message>
    <message>
        <location filename="../qml/screens/ReviewScreen.qml" line="152"/>
        <source>By submitting you agree that the service hall uses these answers to handle this filing. They stay on this terminal only until the hall has them, and the screen forgets them when you finish.</source>
        <translation>提交即表示您同意服务大厅使用以上信息办理本事项。信息送达大厅后即从本机删除，办理结束后屏幕不再保留。</translation>
    </message>
    <message>
        <location filename="../qml/screens/ReviewScreen.qml" line="160"/>
        <source>Change answers</source>
        <translation>返回修改</translation>
    </message>
    <message>
        <location filename="../qml/screens/ReviewScreen.qml" line="167"/>
        <source>Agree and submit</source>
        <translation>同意并提交</translation>
    </message>
</context>
<context>
    <name>ServiceHomeScreen</name>
    <message>
        <location filename="../qml/screens/ServiceHomeScreen.qml" line="74"/>
        <source>Hello, %1. What would you like to do?</source>
        <translation>%1，您好！请选择要办理的事项</translation>
    </message>
    <message>
        <location filename="../qml/screens/ServiceHomeScreen.qml" line="75"/>
        <source>What would you like to do?</source>
        <translation>请选择要办理的事项</translation>
    </message>
    <message>
        <location filename="../qml/screens/ServiceHomeScreen.qml" line="179"/>
        <source>Filing for: %1</source>
        <translation>办理企业：%1</translation>
    </message>
    <message>
        <location filename="../qml/screens/ServiceHomeScreen.qml" line="190"/>
        <source>E-archive</source>
        <translation>电子档案</translation>
    </message>
    <message>
        <location filename="../qml/screens/ServiceHomeScreen.qml" line="196"/>
        <source>Change</source>
        <translation>更换企业</translation>
    </message>
    <message>
        <location filename="../qml/screens/ServiceHomeScreen.qml" line="196"/>
        <source>File for an enterprise</source>
        <translation>办理企业</translation>
    </message>
    <message>
        <location filename="../qml/screens/ServiceHomeScreen.qml" line="114"/>
        <source>Search services, e.g. 营业执照 / qykb</source>
        <translation>搜索事项，如 营业执照 / qykb</translation>
    </message>
    <message>
        <location filename="../qml/screens/ServiceHomeScreen.qml" line="120"/>
        <source>Search services</source>
        <translation>搜索事项</translation>
    </message>
    <message>
        <location filename="../qml/screens/ServiceHomeScreen.qml" line="142"/>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <location filename="../qml/screens/ServiceHomeScreen.qml" line="144"/>
        <source>Clear the search</source>
        <translation>清除搜索</translation>
    </message>
    <message>
        <location filename="../qml/screens/ServiceHomeScreen.qml" line="240"/>
        <source>Most used here</source>
        <translation>本站常用</translation>
    </message>
    <message>
        <location filename="../qml/screens/ServiceHomeScreen.qml" line="241"/>
        <source>By theme</source>
        <translation>按主题</translation>
    </message>
    <message>
        <location filename="../qml/screens/ServiceHomeScreen.qml" line="242"/>
        <source>By department</source>
        <translation>按部门</translation>
    </message>
    <message>
        <location filename="../qml/screens/ServiceHomeScreen.qml" line="293"/>
        <source>%1 services found</source>
        <translation>找到 %1 个事项</translation>
    </message>
    <message>
        <location filename="../qml/screens/ServiceHomeScreen.qml" line="295"/>
        <source>No service matches “%1”. Try fewer characters, or browse by theme.</source>
        <translation>没有找到与“%1”相符的事项。请少输入几个字，或按主题查找。</translation>
    </message>
    <message>
        <location filename="../qml/screens/ServiceHomeScreen.qml" line="297"/>
        <source>One-filing bundles first, then what is filed most at this station</source>
        <translation>“一件事”套餐在前，其后是本站办得最多的事项</translation>
    </message>
    <message>
        <location filename="../qml/screens/ServiceHomeScreen.qml" line="298"/>
        <source>One-filing bundles first. Browse by theme or department for all %1 services.</source>
        <translation>“一件事”套餐在前。按主题或按部门可查看全部 %1 个事项。</translation>
    </message>
    <message>
        <location filename="../qml/screens/ServiceHomeScreen.qml" line="299"/>
        <source>%1 services</source>
        <translation>共 %1 个事项</translation>
    </message>
    <message>
        <location filename="../qml/screens/ServiceHomeScreen.qml" line="371"/>
        <source>Often used here</source>
        <translation>本站常办</translation>
    </message>
    <message>
        <location filename="../qml/screens/ServiceHomeScreen.qml" line="386"/>
        <source>One filing</source>
        <translation>一件事</translation>
    </message>
    <message>
        <location filename="../qml/screens/ServiceHomeScreen.qml" line="402"/>
        <source>ID card needed</source>
        <translation>需刷身份证</translation>
    </message>
    <message>
        <location filename="../qml/screens/ServiceHomeScreen.qml" line="417"/>
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
        <location filename="../qml/components/StatusBar.qml" line="17"/>
        <source>Voice muted</source>
        <translation>语音已静音</translation>
    </message>
    <message>
        <location filename="../qml/components/StatusBar.qml" line="18"/>
        <source>Voice unavailable</source>
        <translation>语音不可用</translation>
    </message>
    <message>
        <location filename="../qml/components/StatusBar.qml" line="18"/>
        <source>Voice</source>
        <translation>语音</translation>
    </message>
    <message>
        <location filename="../qml/components/StatusBar.qml" line="37"/>
        <source>Connected to the service hall</source>
        <translation>已连接服务大厅</translation>
    </message>
    <message>
        <location filename="../qml/components/StatusBar.qml" line="38"/>
        <source>Offline: filings are kept and sent later</source>
        <translation>离线：申请已保存，将稍后发送</translation>
    </message>
    <message numerus="yes">
        <location filename="../qml/components/StatusBar.qml" line="46"/>
        <source>%n waiting to send</source>
        <translation>
            <numerusform>%n 件待发送</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../qml/components/StatusBar.qml" line="47"/>
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
    <name>Supplement</name>
    <message>
        <location filename="../bridge/supplement_bridge.py" line="32"/>
        <source>Asking the service hall…</source>
        <translation>正在向政务服务中心查询…</translation>
    </message>
    <message>
        <location filename="../bridge/supplement_bridge.py" line="33"/>
        <source>Saving your material…</source>
        <translation>正在保存您的材料…</translation>
    </message>
    <message>
        <location filename="../bridge/supplement_bridge.py" line="35"/>
        <source>This is not a tracking number</source>
        <translation>这不是有效的受理编号</translation>
    </message>
    <message>
        <location filename="../bridge/supplement_bridge.py" line="36"/>
        <source>Check the number on your receipt, e.g. QH001-20261123-0001.</source>
        <translation>请核对回执上的受理编号，例如 QH001-20261123-0001。</translation>
    </message>
    <message>
        <location filename="../bridge/supplement_bridge.py" line="41"/>
        <source>Please read the ID card that filed it</source>
        <translation>请读取办理该事项时所用的身份证</translation>
    </message>
    <message>
        <location filename="../bridge/supplement_bridge.py" line="42"/>
        <source>Go back and read the card, or scan the receipt&apos;s QR code.</source>
        <translation>请返回读取身份证，或扫描回执上的二维码。</translation>
    </message>
    <message>
        <location filename="../bridge/supplement_bridge.py" line="47"/>
        <source>No filing found for this number and card</source>
        <translation>未找到与该编号和证件相符的办件</translation>
    </message>
    <message>
        <location filename="../bridge/supplement_bridge.py" line="48"/>
        <source>Check the number and the card, or scan the receipt.</source>
        <translation>请核对编号和证件，或扫描回执二维码。</translation>
    </message>
    <message>
        <location filename="../bridge/supplement_bridge.py" line="51"/>
        <source>This filing is not waiting for any material</source>
        <translation>该办件当前无需补正材料</translation>
    </message>
    <message>
        <location filename="../bridge/supplement_bridge.py" line="52"/>
        <source>Nothing needs to be handed in. Check its progress.</source>
        <translation>无需提交任何材料，可查询办理进度。</translation>
    </message>
    <message>
        <location filename="../bridge/supplement_bridge.py" line="55"/>
        <source>The service hall cannot be asked right now</source>
        <translation>暂时无法连接政务服务中心</translation>
    </message>
    <message>
        <location filename="../bridge/supplement_bridge.py" line="56"/>
        <source>Only the hall knows what is missing. Get remote help.</source>
        <translation>需补正的材料以中心告知为准，请求助远程帮办。</translation>
    </message>
    <message>
        <location filename="../bridge/supplement_bridge.py" line="59"/>
        <source>This QR code cannot be used here</source>
        <translation>此二维码不能用于补正</translation>
    </message>
    <message>
        <location filename="../bridge/supplement_bridge.py" line="60"/>
        <source>Hold up your receipt&apos;s QR code, or type the number.</source>
        <translation>请出示回执上的二维码，或输入受理编号。</translation>
    </message>
    <message>
        <location filename="../bridge/supplement_bridge.py" line="63"/>
        <source>Some materials are not photographed yet</source>
        <translation>还有材料未拍照</translation>
    </message>
    <message>
        <location filename="../bridge/supplement_bridge.py" line="64"/>
        <source>Photograph every material in the list, then confirm.</source>
        <translation>请为清单中的每份材料拍照后再确认。</translation>
    </message>
    <message>
        <location filename="../bridge/supplement_bridge.py" line="67"/>
        <source>Your material could not be saved</source>
        <translation>材料未能保存</translation>
    </message>
    <message>
        <location filename="../bridge/supplement_bridge.py" line="68"/>
        <source>Please try again, or ask the station staff.</source>
        <translation>请重试，或咨询站点工作人员。</translation>
    </message>
</context>
<context>
    <name>SupplementScreen</name>
    <message>
        <location filename="../qml/screens/SupplementScreen.qml" line="15"/>
        <source>Your material has been handed in</source>
        <translation>补正材料已提交</translation>
    </message>
    <message>
        <location filename="../qml/screens/SupplementScreen.qml" line="16"/>
        <source>Hand in missing material</source>
        <translation>补正材料</translation>
    </message>
    <message>
        <location filename="../qml/screens/SupplementScreen.qml" line="17"/>
        <source>It goes to the officer with your filing; the review continues.</source>
        <translation>材料将随原办件转给审批人员，继续审查。</translation>
    </message>
    <message>
        <location filename="../qml/screens/SupplementScreen.qml" line="18"/>
        <source>Hold the QR code on your receipt up to the camera.</source>
        <translation>请将回执上的二维码对准摄像头。</translation>
    </message>
    <message>
        <location filename="../qml/screens/SupplementScreen.qml" line="19"/>
        <source>Scan the QR code on your receipt, or type its tracking number.</source>
        <translation>请扫描回执上的二维码，或输入受理编号。</translation>
    </message>
    <message>
        <location filename="../qml/screens/SupplementScreen.qml" line="20"/>
        <source>Photograph each material below, then confirm.</source>
        <translation>请为下列每份材料拍照，然后确认提交。</translation>
    </message>
    <message>
        <location filename="../qml/screens/SupplementScreen.qml" line="34"/>
        <source>Tracking number</source>
        <translation>受理编号</translation>
    </message>
    <message>
        <location filename="../qml/screens/SupplementScreen.qml" line="41"/>
        <source>e.g. QH001-20261123-0001</source>
        <translation>例如 QH001-20261123-0001</translation>
    </message>
    <message>
        <location filename="../qml/screens/SupplementScreen.qml" line="63"/>
        <source>Look up</source>
        <translation>查询</translation>
    </message>
    <message>
        <location filename="../qml/screens/SupplementScreen.qml" line="72"/>
        <source>Scan QR code</source>
        <translation>扫描二维码</translation>
    </message>
    <message>
        <location filename="../qml/screens/SupplementScreen.qml" line="95"/>
        <source>Get remote help</source>
        <translation>远程帮办</translation>
    </message>
    <message>
        <location filename="../qml/screens/SupplementScreen.qml" line="119"/>
        <source>Please type the tracking number instead.</source>
        <translation>请改为输入受理编号。</translation>
    </message>
    <message>
        <location filename="../qml/screens/SupplementScreen.qml" line="120"/>
        <source>Looking for the QR code…</source>
        <translation>正在识别二维码…</translation>
    </message>
    <message>
        <location filename="../qml/screens/SupplementScreen.qml" line="183"/>
        <source>Why: %1</source>
        <translation>原因：%1</translation>
    </message>
    <message>
        <location filename="../qml/screens/SupplementScreen.qml" line="191"/>
        <source>Photographed</source>
        <translation>已拍照</translation>
    </message>
    <message>
        <location filename="../qml/screens/SupplementScreen.qml" line="191"/>
        <source>Not photographed yet</source>
        <translation>尚未拍照</translation>
    </message>
    <message>
        <location filename="../qml/screens/SupplementScreen.qml" line="201"/>
        <source>Retake</source>
        <translation>重拍</translation>
    </message>
    <message>
        <location filename="../qml/screens/SupplementScreen.qml" line="201"/>
        <source>Photograph</source>
        <translation>拍照</translation>
    </message>
    <message>
        <location filename="../qml/screens/SupplementScreen.qml" line="217"/>
        <source>Hand-in number</source>
        <translation>补正受理编号</translation>
    </message>
    <message>
        <location filename="../qml/screens/SupplementScreen.qml" line="233"/>
        <source>It is sent to the service hall automatically, also if the network is down now. You will be told by SMS how it goes; the progress shows it too.</source>
        <translation>材料将自动发送至政务服务中心，即使当前网络中断也不会丢失。办理结果将以短信通知，也可查询办理进度。</translation>
    </message>
    <message>
        <location filename="../qml/screens/SupplementScreen.qml" line="254"/>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location filename="../qml/screens/SupplementScreen.qml" line="254"/>
        <source>Another filing</source>
        <translation>其他办件</translation>
    </message>
    <message>
        <location filename="../qml/screens/SupplementScreen.qml" line="262"/>
        <source>Type the number instead</source>
        <translation>改为输入编号</translation>
    </message>
    <message>
        <location filename="../qml/screens/SupplementScreen.qml" line="270"/>
        <source>Confirm and hand in</source>
        <translation>确认提交</translation>
    </message>
    <message>
        <location filename="../qml/screens/SupplementScreen.qml" line="279"/>
        <source>Done</source>
        <translation>完成</translation>
    </message>
</context>
<context>
    <name>Technician</name>
    <message>
        <location filename="../bridge/technician_rows.py" line="19"/>
        <source>The speech engine (espeak-ng) is not installed: care mode is silent.</source>
        <translation>语音引擎（espeak-ng）未安装：关怀版无法朗读。</translation>
    </message>
    <message>
        <location filename="../bridge/technician_rows.py" line="22"/>
        <source>The volume is 0: care mode is silent. Turn it up under Device tests.</source>
        <translation>语音音量为 0：关怀版无法朗读。请在“设备测试”中调高音量。</translation>
    </message>
    <message>
        <location filename="../bridge/technician_rows.py" line="26"/>
        <source>Technician mode is not set up on this station.</source>
        <translation>本站点未设置维护模式。</translation>
    </message>
    <message>
        <location filename="../bridge/technician_rows.py" line="29"/>
        <source>No USB stick found at the export folder. Insert it and try again.</source>
        <translation>导出目录下未找到U盘。请插入后重试。</translation>
    </message>
    <message>
        <location filename="../bridge/technician_rows.py" line="32"/>
        <source>The bundle could not be written to the USB stick.</source>
        <translation>无法将诊断包写入U盘。</translation>
    </message>
    <message>
        <location filename="../bridge/technician_rows.py" line="35"/>
        <source>The hall&apos;s name cannot be resolved (DNS).</source>
        <translation>无法解析服务大厅的地址（DNS）。</translation>
    </message>
    <message>
        <location filename="../bridge/technician_rows.py" line="38"/>
        <source>The hall cannot be reached.</source>
        <translation>无法连接服务大厅。</translation>
    </message>
    <message>
        <location filename="../bridge/technician_rows.py" line="39"/>
        <source>The hall did not answer in time.</source>
        <translation>服务大厅未及时响应。</translation>
    </message>
    <message>
        <location filename="../bridge/technician_rows.py" line="40"/>
        <source>The hall answers but reports a problem.</source>
        <translation>服务大厅有响应，但报告异常。</translation>
    </message>
    <message>
        <location filename="../bridge/technician_rows.py" line="43"/>
        <source>Card reader</source>
        <translation>读卡器</translation>
    </message>
    <message>
        <location filename="../bridge/technician_rows.py" line="44"/>
        <source>Receipt printer</source>
        <translation>凭条打印机</translation>
    </message>
    <message>
        <location filename="../bridge/technician_rows.py" line="45"/>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <location filename="../bridge/technician_rows.py" line="46"/>
        <source>Speaker (care mode voice)</source>
        <translation>扬声器（关怀版语音）</translation>
    </message>
    <message>
        <location filename="../bridge/technician_rows.py" line="49"/>
        <source>Working</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../bridge/technician_rows.py" line="50"/>
        <source>Needs attention</source>
        <translation>需要处理</translation>
    </message>
    <message>
        <location filename="../bridge/technician_rows.py" line="51"/>
        <source>Not working</source>
        <translation>故障</translation>
    </message>
    <message>
        <location filename="../bridge/technician_rows.py" line="55"/>
        <source>Device key</source>
        <translation>设备密钥</translation>
    </message>
    <message>
        <location filename="../bridge/technician_rows.py" line="57"/>
        <source>TPM-sealed</source>
        <translation>TPM 密封保存</translation>
    </message>
    <message>
        <location filename="../bridge/technician_rows.py" line="58"/>
        <source>File (no TPM)</source>
        <translation>文件保存（无 TPM）</translation>
    </message>
    <message>
        <location filename="../bridge/technician_rows.py" line="71"/>
        <source>The hall refused it (%1).</source>
        <translation>服务大厅拒绝了该请求（%1）。</translation>
    </message>
    <message>
        <location filename="../bridge/technician_rows.py" line="160"/>
        <source>Too many wrong PINs. Try again in %1 min.</source>
        <translation>密码错误次数过多，请 %1 分钟后再试。</translation>
    </message>
    <message>
        <location filename="../bridge/technician_rows.py" line="172"/>
        <source>Wrong PIN. Attempts left before the lock: %1</source>
        <translation>密码错误。锁定前剩余尝试次数：%1</translation>
    </message>
    <message>
        <location filename="../bridge/technician_bridge.py" line="298"/>
        <source>Running…</source>
        <translation>正在进行…</translation>
    </message>
    <message>
        <location filename="../bridge/technician_bridge.py" line="320"/>
        <source>Test page printed. Check that it is complete.</source>
        <translation>测试页已打印，请检查是否完整。</translation>
    </message>
    <message>
        <location filename="../bridge/technician_bridge.py" line="331"/>
        <source>Place a card on the reader…</source>
        <translation>请把证件放在读卡器上…</translation>
    </message>
    <message>
        <location filename="../bridge/technician_bridge.py" line="342"/>
        <source>Card read: %1 %2 (%3)</source>
        <translation>读卡成功：%1 %2（%3）</translation>
    </message>
    <message>
        <location filename="../bridge/technician_bridge.py" line="365"/>
        <source>Hall reached: name %1 ms, connect %2 ms, health check %3 ms</source>
        <translation>已连通服务大厅：解析 %1 毫秒，连接 %2 毫秒，健康检查 %3 毫秒</translation>
    </message>
    <message>
        <location filename="../bridge/technician_bridge.py" line="399"/>
        <source>Opening the camera…</source>
        <translation>正在打开摄像头…</translation>
    </message>
    <message>
        <location filename="../bridge/technician_bridge.py" line="482"/>
        <source>Saved to the USB stick: %1</source>
        <translation>已保存到U盘：%1</translation>
    </message>
    <message>
        <location filename="../bridge/technician_bridge.py" line="502"/>
        <source>Sent to the hall.</source>
        <translation>已发送到服务大厅。</translation>
    </message>
    <message>
        <location filename="../bridge/technician_rows.py" line="126"/>
        <source>Shown to a walk-in</source>
        <translation>向办事人显示</translation>
    </message>
    <message>
        <location filename="../bridge/technician_rows.py" line="136"/>
        <source>Waiting to send</source>
        <translation>待发送</translation>
    </message>
    <message>
        <location filename="../bridge/technician_rows.py" line="137"/>
        <source>Delivered</source>
        <translation>已送达</translation>
    </message>
    <message>
        <location filename="../bridge/technician_rows.py" line="138"/>
        <source>Quarantined</source>
        <translation>已隔离</translation>
    </message>
</context>
<context>
    <name>TechnicianDiagnosticsScreen</name>
    <message>
        <location filename="../qml/screens/TechnicianDiagnosticsScreen.qml" line="8"/>
        <source>Diagnostics</source>
        <translation>诊断信息</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianDiagnosticsScreen.qml" line="16"/>
        <source>One zip file for the support team: software versions, settings without passwords or keys, device health and its history, failure codes, outbox counts, the technician log and recent log lines.</source>
        <translation>为技术支持生成一个压缩包：软件版本、不含密码和密钥的配置、设备状态及历史、故障代码、待发队列统计、维护操作记录和近期日志。</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianDiagnosticsScreen.qml" line="26"/>
        <source>No personal data</source>
        <translation>不含个人信息</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianDiagnosticsScreen.qml" line="27"/>
        <source>Names, ID numbers, phone numbers and form answers are never included; the bundle is checked for them before it is written.</source>
        <translation>绝不包含姓名、证件号码、手机号和表单内容；写出前会逐项检查。</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianDiagnosticsScreen.qml" line="34"/>
        <source>Save to the USB stick</source>
        <translation>保存到U盘</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianDiagnosticsScreen.qml" line="40"/>
        <source>Folder: %1</source>
        <translation>目录：%1</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianDiagnosticsScreen.qml" line="41"/>
        <source>No USB folder is configured (technician.export_dir).</source>
        <translation>未配置U盘目录（technician.export_dir）。</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianDiagnosticsScreen.qml" line="50"/>
        <source>Send to the hall</source>
        <translation>发送到服务大厅</translation>
    </message>
</context>
<context>
    <name>TechnicianFrame</name>
    <message>
        <location filename="../qml/components/TechnicianFrame.qml" line="20"/>
        <source>Technician mode</source>
        <translation>维护模式</translation>
    </message>
    <message>
        <location filename="../qml/components/TechnicianFrame.qml" line="46"/>
        <source>Health</source>
        <translation>设备状态</translation>
    </message>
    <message>
        <location filename="../qml/components/TechnicianFrame.qml" line="47"/>
        <source>Device tests</source>
        <translation>设备测试</translation>
    </message>
    <message>
        <location filename="../qml/components/TechnicianFrame.qml" line="48"/>
        <source>Outbox</source>
        <translation>待发队列</translation>
    </message>
    <message>
        <location filename="../qml/components/TechnicianFrame.qml" line="49"/>
        <source>Diagnostics</source>
        <translation>诊断信息</translation>
    </message>
    <message>
        <location filename="../qml/components/TechnicianFrame.qml" line="50"/>
        <source>Restart</source>
        <translation>重启</translation>
    </message>
    <message>
        <location filename="../qml/components/TechnicianFrame.qml" line="64"/>
        <source>Exit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../qml/components/TechnicianFrame.qml" line="79"/>
        <source>No personal data is shown here. Every action is recorded.</source>
        <translation>此处不显示任何个人信息。每项操作都会被记录。</translation>
    </message>
</context>
<context>
    <name>TechnicianHealthScreen</name>
    <message>
        <location filename="../qml/screens/TechnicianHealthScreen.qml" line="9"/>
        <source>Device health</source>
        <translation>设备状态</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianHealthScreen.qml" line="58"/>
        <source>Code: %1</source>
        <translation>代码：%1</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianHealthScreen.qml" line="84"/>
        <source>Hall: connected</source>
        <translation>服务大厅：已连接</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianHealthScreen.qml" line="84"/>
        <source>Hall: not connected</source>
        <translation>服务大厅：未连接</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianHealthScreen.qml" line="91"/>
        <source>Filings waiting to send: %1</source>
        <translation>待发送的申报：%1</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianHealthScreen.qml" line="92"/>
        <source>Last sent: %1</source>
        <translation>最近发送：%1</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianHealthScreen.qml" line="103"/>
        <source>Recent changes</source>
        <translation>最近变化</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianHealthScreen.qml" line="112"/>
        <source>Nothing recorded yet.</source>
        <translation>暂无记录。</translation>
    </message>
</context>
<context>
    <name>TechnicianOutboxScreen</name>
    <message>
        <location filename="../qml/screens/TechnicianOutboxScreen.qml" line="9"/>
        <source>Outbox</source>
        <translation>待发队列</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianOutboxScreen.qml" line="58"/>
        <source>Quarantined filings</source>
        <translation>已隔离的申报</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianOutboxScreen.qml" line="65"/>
        <source>The hall refused these for good. Retry only after the cause is fixed at the hall.</source>
        <translation>服务大厅已明确拒收这些申报。请在大厅排除原因后再重试。</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianOutboxScreen.qml" line="74"/>
        <source>None.</source>
        <translation>无。</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianOutboxScreen.qml" line="113"/>
        <source>Reason: %1 · attempts: %2</source>
        <translation>原因：%1 · 尝试次数：%2</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianOutboxScreen.qml" line="131"/>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianOutboxScreen.qml" line="141"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
</context>
<context>
    <name>TechnicianPinScreen</name>
    <message>
        <location filename="../qml/screens/TechnicianPinScreen.qml" line="8"/>
        <source>Technician PIN</source>
        <translation>维护人员密码</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianPinScreen.qml" line="9"/>
        <source>For station technicians only. If you came to use the terminal, tap Cancel.</source>
        <translation>仅供站点维护人员使用。如您是来办事的，请点“取消”。</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianPinScreen.qml" line="27"/>
        <source>Enter the PIN</source>
        <translation>请输入密码</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianPinScreen.qml" line="48"/>
        <source>Attempts left before a %1-minute lock: %2</source>
        <translation>剩余尝试次数（用完将锁定 %1 分钟）：%2</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianPinScreen.qml" line="70"/>
        <source>OK</source>
        <translation>确定</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianPinScreen.qml" line="88"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>TechnicianRestartScreen</name>
    <message>
        <location filename="../qml/screens/TechnicianRestartScreen.qml" line="8"/>
        <source>Restart the app</source>
        <translation>重启程序</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianRestartScreen.qml" line="16"/>
        <source>The kiosk app closes and starts again by itself in about ten seconds. Filings waiting in the outbox are kept and sent after the restart.</source>
        <translation>终端程序将关闭，约十秒后自动重新启动。待发队列中的申报会保留，重启后继续发送。</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianRestartScreen.qml" line="28"/>
        <source>Restart now</source>
        <translation>立即重启</translation>
    </message>
</context>
<context>
    <name>TechnicianTestsScreen</name>
    <message>
        <location filename="../qml/screens/TechnicianTestsScreen.qml" line="9"/>
        <source>Device tests</source>
        <translation>设备测试</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianTestsScreen.qml" line="25"/>
        <source>Receipt printer</source>
        <translation>凭条打印机</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianTestsScreen.qml" line="26"/>
        <source>Prints a test page with Chinese text, a QR code and a cut.</source>
        <translation>打印一张含中文、二维码并切纸的测试页。</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianTestsScreen.qml" line="28"/>
        <source>Print a test page</source>
        <translation>打印测试页</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianTestsScreen.qml" line="33"/>
        <source>Card reader</source>
        <translation>读卡器</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianTestsScreen.qml" line="34"/>
        <source>Place any ID card after tapping. Only masked values are shown.</source>
        <translation>点击后放上任一证件，只显示脱敏信息。</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianTestsScreen.qml" line="36"/>
        <source>Read a card</source>
        <translation>读卡测试</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianTestsScreen.qml" line="41"/>
        <source>Network</source>
        <translation>网络</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianTestsScreen.qml" line="42"/>
        <source>Looks up the hall, connects to it and asks its health check.</source>
        <translation>解析服务大厅地址、建立连接并请求健康检查。</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianTestsScreen.qml" line="44"/>
        <source>Test the hall link</source>
        <translation>测试大厅连接</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianTestsScreen.qml" line="49"/>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianTestsScreen.qml" line="50"/>
        <source>A live picture from the document camera; nothing is saved.</source>
        <translation>显示高拍仪实时画面，不保存任何图像。</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianTestsScreen.qml" line="52"/>
        <source>Stop the preview</source>
        <translation>停止预览</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianTestsScreen.qml" line="52"/>
        <source>Show the preview</source>
        <translation>显示预览</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianTestsScreen.qml" line="75"/>
        <source>Speech volume</source>
        <translation>朗读音量</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianTestsScreen.qml" line="76"/>
        <source>Care mode reads the screens aloud at this volume.</source>
        <translation>关怀版以此音量朗读屏幕内容。</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianTestsScreen.qml" line="77"/>
        <source>Speech is switched off for this station (kiosk.toml [speech]).</source>
        <translation>本站点已关闭语音朗读（kiosk.toml [speech]）。</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianTestsScreen.qml" line="79"/>
        <source>Play a sample</source>
        <translation>试听</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianTestsScreen.qml" line="87"/>
        <source>Quieter</source>
        <translation>减小音量</translation>
    </message>
    <message>
        <location filename="../qml/screens/TechnicianTestsScreen.qml" line="105"/>
        <source>Louder</source>
        <translation>增大音量</translation>
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
