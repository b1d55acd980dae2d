<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
    <context>
        <name>Kiosk</name>
        <message>
            <source>(%d waiting to be sent)</source>
            <translation>（%d 件待发送）</translation>
        </message>
        <message>
            <source>(at the counter only)</source>
            <translation>（请到窗口办理）</translation>
        </message>
        <message>
            <source>An expired card cannot be used here. Please go to the counter.</source>
            <translation>过期证件无法在此使用，请到窗口办理。</translation>
        </message>
        <message>
            <source>Application number</source>
            <translation>受理编号</translation>
        </message>
        <message>
            <source>Apply, check progress and get receipts here — no queue.</source>
            <translation>在这里申请、查进度、打回执——无需排队。</translation>
        </message>
        <message>
            <source>Are you still there?</source>
            <translation>您还在吗？</translation>
        </message>
        <message>
            <source>Back</source>
            <translation>返回</translation>
        </message>
        <message>
            <source>Basically satisfied</source>
            <translation>基本满意</translation>
        </message>
        <message>
            <source>By pressing Submit you apply for this service. You will get a receipt.</source>
            <translation>按“确认提交”即正式申请，提交后将打印受理回执。</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <source>Change</source>
            <translation>返回修改</translation>
        </message>
        <message>
            <source>Check the form and submit</source>
            <translation>核对信息并提交</translation>
        </message>
        <message>
            <source>Check your details</source>
            <translation>请核对您的信息</translation>
        </message>
        <message>
            <source>Choose a service</source>
            <translation>请选择要办理的事项</translation>
        </message>
        <message>
            <source>Connecting…</source>
            <translation>正在连接…</translation>
        </message>
        <message>
            <source>Continue</source>
            <translation>继续</translation>
        </message>
        <message>
            <source>Digits only, please.</source>
            <translation>请只输入数字。</translation>
        </message>
        <message>
            <source>Dissatisfied</source>
            <translation>不满意</translation>
        </message>
        <message>
            <source>End now</source>
            <translation>结束办理</translation>
        </message>
        <message>
            <source>Enter an 11-digit mobile number starting with 1.</source>
            <translation>请输入以 1 开头的 11 位手机号码。</translation>
        </message>
        <message>
            <source>Expected result by: %s</source>
            <translation>预计办结日期：%s</translation>
        </message>
        <message>
            <source>Face verification is not available right now.</source>
            <translation>人脸核验暂时无法使用。</translation>
        </message>
        <message>
            <source>For your privacy this session will end in %d seconds.</source>
            <translation>为保护您的隐私，%d 秒后将结束本次办理。</translation>
        </message>
        <message>
            <source>Government Self-Service</source>
            <translation>政务服务自助终端</translation>
        </message>
        <message>
            <source>Handled by: %s</source>
            <translation>办理部门：%s</translation>
        </message>
        <message>
            <source>Hard to use</source>
            <translation>操作不方便</translation>
        </message>
        <message>
            <source>Hold still…</source>
            <translation>请保持不动…</translation>
        </message>
        <message>
            <source>Home</source>
            <translation>返回首页</translation>
        </message>
        <message>
            <source>How was this service?</source>
            <translation>请您对本次服务进行评价</translation>
        </message>
        <message>
            <source>Instructions were unclear</source>
            <translation>指引不清楚</translation>
        </message>
        <message>
            <source>Kiosk %s</source>
            <translation>终端 %s</translation>
        </message>
        <message>
            <source>Larger text</source>
            <translation>长者模式</translation>
        </message>
        <message>
            <source>Leave the card on the reader until you hear the beep, then press Try again.</source>
            <translation>请把证件放在读卡区，听到“嘀”声后再拿开，然后按“重试”。</translation>
        </message>
        <message>
            <source>Look at the camera</source>
            <translation>请正对摄像头</translation>
        </message>
        <message>
            <source>Look straight at the camera, remove hat or glasses, and press Try again.</source>
            <translation>请正视摄像头，摘下帽子或眼镜，然后按“重试”。</translation>
        </message>
        <message>
            <source>Next</source>
            <translation>下一步</translation>
        </message>
        <message>
            <source>No ID card was detected.</source>
            <translation>没有检测到身份证。</translation>
        </message>
        <message>
            <source>Offline — your application is saved and will be sent automatically.</source>
            <translation>网络中断——您的申请已保存，联网后将自动提交。</translation>
        </message>
        <message>
            <source>Online</source>
            <translation>网络正常</translation>
        </message>
        <message>
            <source>Only one person in front of the camera, please.</source>
            <translation>请只保留一人在摄像头前。</translation>
        </message>
        <message>
            <source>Other</source>
            <translation>其他</translation>
        </message>
        <message>
            <source>Place your ID card flat on the reader and press Try again.</source>
            <translation>请将身份证平放在读卡区，然后按“重试”。</translation>
        </message>
        <message>
            <source>Place your ID card on the reader</source>
            <translation>请将身份证放在读卡区</translation>
        </message>
        <message>
            <source>Please ask staff for help or use the counter. The technician has been notified.</source>
            <translation>请联系工作人员或到窗口办理，已通知维护人员。</translation>
        </message>
        <message>
            <source>Please check this field.</source>
            <translation>请检查此项。</translation>
        </message>
        <message>
            <source>Please come a little closer.</source>
            <translation>请再靠近一点。</translation>
        </message>
        <message>
            <source>Please confirm</source>
            <translation>请确认申请信息</translation>
        </message>
        <message>
            <source>Please go to the counter to confirm your identity.</source>
            <translation>请到窗口核验身份。</translation>
        </message>
        <message>
            <source>Please go to the counter, or choose another service.</source>
            <translation>请到窗口办理，或选择其他事项。</translation>
        </message>
        <message>
            <source>Please go to the counter. The technician has been notified.</source>
            <translation>请到窗口办理，已通知维护人员。</translation>
        </message>
        <message>
            <source>Please go to the counter; staff can see what needs to be corrected.</source>
            <translation>请到窗口办理，工作人员可查看需要更正的内容。</translation>
        </message>
        <message>
            <source>Please go to the counter; staff will help you with your ID card.</source>
            <translation>请持身份证到窗口，工作人员将为您办理。</translation>
        </message>
        <message>
            <source>Please look at the camera.</source>
            <translation>请看摄像头。</translation>
        </message>
        <message>
            <source>Please take your receipt.</source>
            <translation>请取走您的回执。</translation>
        </message>
        <message>
            <source>Please wait. Do not take your card yet.</source>
            <translation>请稍候，暂时不要取走证件。</translation>
        </message>
        <message>
            <source>Preparing face verification…</source>
            <translation>正在准备人脸核验…</translation>
        </message>
        <message>
            <source>Press Try again to read it again.</source>
            <translation>按“重试”重新读卡。</translation>
        </message>
        <message>
            <source>Press Try again. If it fails again, please ask at the counter.</source>
            <translation>请按“重试”。如仍失败，请到窗口咨询。</translation>
        </message>
        <message>
            <source>Printing your receipt…</source>
            <translation>正在打印回执…</translation>
        </message>
        <message>
            <source>Reading the card was stopped.</source>
            <translation>读卡已停止。</translation>
        </message>
        <message>
            <source>Receipts cannot be printed right now; your number will be shown on screen.</source>
            <translation>暂时无法打印回执，受理编号将显示在屏幕上。</translation>
        </message>
        <message>
            <source>Reference number</source>
            <translation>查询编号</translation>
        </message>
        <message>
            <source>Satisfied</source>
            <translation>满意</translation>
        </message>
        <message>
            <source>Send rating</source>
            <translation>提交评价</translation>
        </message>
        <message>
            <source>Skip</source>
            <translation>跳过</translation>
        </message>
        <message>
            <source>Staff at the counter can advise you on other support.</source>
            <translation>窗口工作人员可为您介绍其他帮扶政策。</translation>
        </message>
        <message>
            <source>Stand in front of the screen, look at the camera, and press Try again.</source>
            <translation>请站在屏幕正前方，看着摄像头，然后按“重试”。</translation>
        </message>
        <message>
            <source>Start</source>
            <translation>开始办理</translation>
        </message>
        <message>
            <source>Starting the camera…</source>
            <translation>正在打开摄像头…</translation>
        </message>
        <message>
            <source>Submit</source>
            <translation>确认提交</translation>
        </message>
        <message>
            <source>Submitting your application…</source>
            <translation>正在提交您的申请…</translation>
        </message>
        <message>
            <source>Take your receipt</source>
            <translation>取走回执</translation>
        </message>
        <message>
            <source>The camera is not working right now.</source>
            <translation>摄像头暂时无法使用。</translation>
        </message>
        <message>
            <source>The card could not be read.</source>
            <translation>无法读取证件。</translation>
        </message>
        <message>
            <source>The card reader is not working right now.</source>
            <translation>读卡器暂时无法使用。</translation>
        </message>
        <message>
            <source>The card was removed before it could be read.</source>
            <translation>证件在读取完成前被拿走了。</translation>
        </message>
        <message>
            <source>The machine did not work well</source>
            <translation>设备不好用</translation>
        </message>
        <message>
            <source>The network is down. Your application is saved on this machine and will be submitted automatically. Keep your receipt: staff can find it by this number.</source>
            <translation>网络中断。您的申请已安全保存在本机，联网后将自动提交。请保留回执，工作人员可凭此编号查询。</translation>
        </message>
        <message>
            <source>The photo on the card could not be used.</source>
            <translation>证件照片无法使用。</translation>
        </message>
        <message>
            <source>The platform did not accept this application.</source>
            <translation>政务服务平台未受理此申请。</translation>
        </message>
        <message>
            <source>The reader is below the screen, marked with the card symbol. Keep the card still until you hear a beep.</source>
            <translation>读卡区在屏幕下方，有证件标识。请保持证件不动，直到听到“嘀”声。</translation>
        </message>
        <message>
            <source>The receipt could not be printed. Please photograph or write down the number above.</source>
            <translation>回执未能打印，请拍照或记下上方编号。</translation>
        </message>
        <message>
            <source>The service list is loading. Please wait a moment.</source>
            <translation>事项列表加载中，请稍候。</translation>
        </message>
        <message>
            <source>This ID card has expired.</source>
            <translation>此身份证已过有效期。</translation>
        </message>
        <message>
            <source>This ID number is not valid.</source>
            <translation>身份号码不正确。</translation>
        </message>
        <message>
            <source>This field is required.</source>
            <translation>此项必填。</translation>
        </message>
        <message>
            <source>This type of card cannot be used for this service.</source>
            <translation>此类证件不能办理本事项。</translation>
        </message>
        <message>
            <source>Took too long</source>
            <translation>耗时太长</translation>
        </message>
        <message>
            <source>Touch to start</source>
            <translation>点击屏幕开始办理</translation>
        </message>
        <message>
            <source>Try again</source>
            <translation>重试</translation>
        </message>
        <message>
            <source>Very dissatisfied</source>
            <translation>非常不满意</translation>
        </message>
        <message>
            <source>Very satisfied</source>
            <translation>非常满意</translation>
        </message>
        <message>
            <source>Waiting for your card…</source>
            <translation>等待放置证件…</translation>
        </message>
        <message>
            <source>We could not confirm that you are the card holder.</source>
            <translation>未能确认您是持证人本人。</translation>
        </message>
        <message>
            <source>We could not see your face clearly in time.</source>
            <translation>未能及时看清您的面部。</translation>
        </message>
        <message>
            <source>Wipe the card and press Try again. If it still fails, please ask at the counter.</source>
            <translation>请擦拭证件后按“重试”。如仍失败，请到窗口咨询。</translation>
        </message>
        <message>
            <source>Working offline: applications are saved and sent automatically.</source>
            <translation>离线工作中：申请将保存并在联网后自动提交。</translation>
        </message>
        <message>
            <source>You will need:</source>
            <translation>请准备以下材料：</translation>
        </message>
        <message>
            <source>Your age does not meet this service's requirement.</source>
            <translation>您的年龄不符合本事项的申请条件。</translation>
        </message>
        <message>
            <source>We could not confirm that your application was saved.</source>
            <translation>未能确认您的申请是否已保存。</translation>
        </message>
        <message>
            <source>Please ask at the counter; staff can check whether it arrived.</source>
            <translation>请到窗口咨询，工作人员可查询申请是否已送达。</translation>
        </message>
        <message>
            <source>The progress cannot be shown right now. Please try again later or ask at the counter.</source>
            <translation>暂时无法显示办理进度，请稍后再试或到窗口咨询。</translation>
        </message>
        <message>
            <source>For your privacy, progress is looked up with the QR code on your receipt. Please scan the QR code.</source>
            <translation>为保护您的隐私，请扫描回执上的二维码查询办理进度。</translation>
        </message>
        <message>
            <source>Your application could not be saved. Nothing was submitted.</source>
            <translation>申请未能保存，本次未提交任何内容。</translation>
        </message>
        <message>
            <source>Your application has been accepted</source>
            <translation>您的申请已受理</translation>
        </message>
        <message>
            <source>Your face is compared once with your ID card photo to confirm it is you. No picture is stored.</source>
            <translation>将您的面部与身份证照片比对一次，以确认是您本人办理。不会保存任何照片。</translation>
        </message>
        <message>
            <source>Your identity could not be confirmed after three tries.</source>
            <translation>三次核验均未能确认您的身份。</translation>
        </message>
        <message>
            <source>Your rating goes to the service supervisor. You may skip it.</source>
            <translation>您的评价将提交给服务监督部门，也可以跳过。</translation>
        </message>
        <message>
            <source>Receipts cannot be printed right now. Please photograph the number and the QR code.</source>
            <translation>凭条暂时无法打印，请拍下编号和二维码。</translation>
        </message>
        <message>
            <source>The receipt will also be sent by SMS to %s.</source>
            <translation>回执也将通过短信发送至 %s。</translation>
        </message>
        <message>
            <source>Capital letters and digits only, please.</source>
            <translation>只能输入大写字母和数字。</translation>
        </message>
        <message>
            <source>Care mode</source>
            <translation>长者模式</translation>
        </message>
        <message>
            <source>Choose</source>
            <translation>选择事项</translation>
        </message>
        <message>
            <source>Completed</source>
            <translation>已办结</translation>
        </message>
        <message>
            <source>Confirm</source>
            <translation>确认</translation>
        </message>
        <message>
            <source>Done</source>
            <translation>完成</translation>
        </message>
        <message>
            <source>Done: your certification has been recorded</source>
            <translation>认证完成，结果已记录</translation>
        </message>
        <message>
            <source>Enter the application number on your receipt (for example GD20261123000001), or scan the receipt's QR code.</source>
            <translation>请输入回执上的受理编号（例如 GD20261123000001），或扫描回执上的二维码。</translation>
        </message>
        <message>
            <source>Enter the application number or scan the receipt's QR code</source>
            <translation>输入受理编号或扫描回执二维码</translation>
        </message>
        <message>
            <source>Enter your ID number</source>
            <translation>输入身份证号码</translation>
        </message>
        <message>
            <source>Expected result</source>
            <translation>预计办结日期</translation>
        </message>
        <message>
            <source>Fields marked * are required. Touch a field to type in it.</source>
            <translation>带 * 的为必填项。点击输入框后用右侧键盘输入。</translation>
        </message>
        <message>
            <source>Form</source>
            <translation>填写信息</translation>
        </message>
        <message>
            <source>Help</source>
            <translation>呼叫帮助</translation>
        </message>
        <message>
            <source>Hold the QR code on your receipt in front of the camera.</source>
            <translation>请将回执上的二维码对准摄像头。</translation>
        </message>
        <message>
            <source>Identity</source>
            <translation>身份核验</translation>
        </message>
        <message>
            <source>Looking up your application…</source>
            <translation>正在查询，请稍候…</translation>
        </message>
        <message>
            <source>No QR code was recognised. Hold the receipt still, about 20 cm from the camera.</source>
            <translation>未识别到二维码。请将回执放在摄像头前约 20 厘米处并保持不动。</translation>
        </message>
        <message>
            <source>No application was found with this number. Please check it and try again.</source>
            <translation>未找到该编号的办件，请核对后重试。</translation>
        </message>
        <message>
            <source>Not approved — please contact the department</source>
            <translation>未通过，请联系办理部门</translation>
        </message>
        <message>
            <source>Not set yet</source>
            <translation>暂未确定</translation>
        </message>
        <message>
            <source>One form, one submission for all of these:</source>
            <translation>以下事项一张表、一次提交：</translation>
        </message>
        <message>
            <source>Please choose one of the options.</source>
            <translation>请选择其中一项。</translation>
        </message>
        <message>
            <source>Please enter the application number first.</source>
            <translation>请先输入受理编号。</translation>
        </message>
        <message>
            <source>Progress of your application</source>
            <translation>办件进度</translation>
        </message>
        <message>
            <source>Rating</source>
            <translation>评价</translation>
        </message>
        <message>
            <source>Read the progress</source>
            <translation>查看办理进度</translation>
        </message>
        <message>
            <source>Receipt</source>
            <translation>取回执</translation>
        </message>
        <message>
            <source>Received</source>
            <translation>受理时间</translation>
        </message>
        <message>
            <source>Received — being processed</source>
            <translation>已受理，正在办理</translation>
        </message>
        <message>
            <source>Result</source>
            <translation>查询结果</translation>
        </message>
        <message>
            <source>Scan receipt QR code</source>
            <translation>扫描回执二维码</translation>
        </message>
        <message>
            <source>Search</source>
            <translation>查询</translation>
        </message>
        <message>
            <source>Service</source>
            <translation>办理事项</translation>
        </message>
        <message>
            <source>Staff have been called and will come to you.</source>
            <translation>已呼叫工作人员，请稍候。</translation>
        </message>
        <message>
            <source>Status not available</source>
            <translation>暂无状态信息</translation>
        </message>
        <message>
            <source>Step %d of %d</source>
            <translation>第 %d 步，共 %d 步</translation>
        </message>
        <message>
            <source>Stop scanning</source>
            <translation>停止扫描</translation>
        </message>
        <message>
            <source>Submitted together:</source>
            <translation>合并提交：</translation>
        </message>
        <message>
            <source>Take your ticket</source>
            <translation>取号票</translation>
        </message>
        <message>
            <source>The progress cannot be checked right now (no connection). Please try again later.</source>
            <translation>网络暂时不通，无法查询进度，请稍后再试。</translation>
        </message>
        <message>
            <source>This QR code is not from a government service receipt.</source>
            <translation>该二维码不是政务服务回执的二维码。</translation>
        </message>
        <message>
            <source>This is longer than the system accepts. Please go to the counter.</source>
            <translation>内容超出系统允许的长度，请到窗口办理。</translation>
        </message>
        <message>
            <source>This number belongs to another kind of application. Use 'Check application progress'.</source>
            <translation>该编号属于其他类型的办件，请使用“办事进度查询”。</translation>
        </message>
        <message>
            <source>Ticket number — wait to be called</source>
            <translation>排队号（请留意叫号）</translation>
        </message>
        <message>
            <source>Typing into: %s</source>
            <translation>正在输入：%s</translation>
        </message>
        <message>
            <source>Under review</source>
            <translation>审核中</translation>
        </message>
        <message>
            <source>What went wrong? (optional, choose any)</source>
            <translation>哪里不满意？（可多选，可不选）</translation>
        </message>
        <message>
            <source>What you need</source>
            <translation>所需材料</translation>
        </message>
        <message>
            <source>Your queue ticket</source>
            <translation>您的排队号</translation>
        </message>
        <message>
            <source>No photo is on record for this ID number, so it cannot be checked here.</source>
            <translation>该身份证号码没有留存照片，无法在此核验。</translation>
        </message>
        <message>
            <source>Please check the number, or go to the counter.</source>
            <translation>请核对号码，或到窗口办理。</translation>
        </message>
        <message>
            <source>We could not confirm that a live person is in front of the camera.</source>
            <translation>未能确认摄像头前是本人现场操作。</translation>
        </message>
        <message>
            <source>Face the camera yourself (not a photo or a screen), follow the instruction, and press Try again.</source>
            <translation>请本人面对摄像头（不要使用照片或屏幕），按提示动作后点击“重试”。</translation>
        </message>
        <message>
            <source>Nobody was seen in front of the camera.</source>
            <translation>摄像头前未检测到人脸。</translation>
        </message>
        <message>
            <source>More than one person was in front of the camera.</source>
            <translation>摄像头前有多于一人。</translation>
        </message>
        <message>
            <source>Only the card holder may stand in front of the camera. Press Try again.</source>
            <translation>请只由持证人本人站在摄像头前，然后点击“重试”。</translation>
        </message>
        <message>
            <source>Your face is too dark. Please step into the light.</source>
            <translation>面部光线太暗，请站到光线充足处。</translation>
        </message>
        <message>
            <source>Too much light on your face. Please step out of direct light.</source>
            <translation>面部光线太强，请避开直射光。</translation>
        </message>
        <message>
            <source>Please hold still.</source>
            <translation>请保持不动。</translation>
        </message>
        <message>
            <source>Please look straight at the camera.</source>
            <translation>请正视摄像头。</translation>
        </message>
        <message>
            <source>Please turn your head slowly to your left.</source>
            <translation>请慢慢向左转头。</translation>
        </message>
        <message>
            <source>Please turn your head slowly to your right.</source>
            <translation>请慢慢向右转头。</translation>
        </message>
        <message>
            <source>Please close your eyes for a moment, then open them.</source>
            <translation>请闭上眼睛片刻，然后睁开。</translation>
        </message>
        <message>
            <source>Your face is compared once with your ID card photo to confirm it is you. Biometric data is sensitive personal information: the picture and the comparison stay in this machine's memory only and are erased when you finish. If you do not agree, press Cancel and use the counter.</source>
            <translation>您的面部将与身份证照片比对一次，以确认是本人办理。人脸信息属于敏感个人信息：画面和比对结果只保存在本机内存中，办理结束即清除。如不同意，请点击“取消”并到窗口办理。</translation>
        </message>
        <message>
            <source>Checking…</source>
            <translation>正在核验…</translation>
        </message>
        <message>
            <source>The details on this card did not pass the security checks.</source>
            <translation>此证件信息未通过核验。</translation>
        </message>
        <message>
            <source>Please go to the counter with your card.</source>
            <translation>请携带证件到窗口办理。</translation>
        </message>
        <message>
            <source>Please take your ID card from the reader.</source>
            <translation>请取走读卡器上的证件。</translation>
        </message>
        <message>
            <source>Passport number</source>
            <translation>护照号码</translation>
        </message>
        <message>
            <source>Date of birth (YYMMDD)</source>
            <translation>出生日期（年月日，6位数字）</translation>
        </message>
        <message>
            <source>Date of expiry (YYMMDD)</source>
            <translation>有效期至（年月日，6位数字）</translation>
        </message>
        <message>
            <source>Enter the details from your passport</source>
            <translation>请输入护照上的信息</translation>
        </message>
        <message>
            <source>The passport's chip opens only with these details from the photo page. Type each date as six digits: year, month, day (6 August 1969 = 690806).</source>
            <translation>护照芯片需凭资料页上的这些信息才能读取。日期请输入6位数字：年、月、日（例如1969年8月6日输入690806）。</translation>
        </message>
        <message>
            <source>Read passport</source>
            <translation>读取护照</translation>
        </message>
        <message>
            <source>The passport number has 5 to 9 letters and digits. Please check it.</source>
            <translation>护照号码为5至9位字母和数字，请核对。</translation>
        </message>
        <message>
            <source>Enter the date of birth as six digits: year, month, day.</source>
            <translation>请按年、月、日输入6位数字的出生日期。</translation>
        </message>
        <message>
            <source>Enter the expiry date as six digits: year, month, day.</source>
            <translation>请按年、月、日输入6位数字的有效期。</translation>
        </message>
        <message>
            <source>The passport did not accept these details. Please check each one against the photo page and try again.</source>
            <translation>护照未能通过这些信息读取。请对照资料页逐项核对后重试。</translation>
        </message>
        <message>
            <source>The passport could not be opened with the details entered.</source>
            <translation>无法用所输入的信息读取护照。</translation>
        </message>
        <message>
            <source>Please ask at the counter; staff will help you.</source>
            <translation>请到窗口咨询，工作人员会协助您。</translation>
        </message>
    </context>
    <context>
        <name>IdDocument</name>
        <message>
            <source>An expired card cannot be used here. Please go to the counter.</source>
            <translation>过期证件无法在此使用，请到窗口办理。</translation>
        </message>
        <message>
            <source>Place the card on the reader again. If it still fails, please go to the counter.</source>
            <translation>请将证件重新放到读卡区。如仍失败，请到窗口办理。</translation>
        </message>
        <message>
            <source>Please go to the counter with your card.</source>
            <translation>请携带证件到窗口办理。</translation>
        </message>
        <message>
            <source>Please use a resident ID card or residence permit, or go to the counter.</source>
            <translation>请使用居民身份证或居住证，或到窗口办理。</translation>
        </message>
        <message>
            <source>The ID number does not belong to this type of card.</source>
            <translation>证件号码与证件类型不符。</translation>
        </message>
        <message>
            <source>The ID number on this card failed its check.</source>
            <translation>此证件上的证件号码校验未通过。</translation>
        </message>
        <message>
            <source>The birth date on the card does not match the ID number.</source>
            <translation>证件上的出生日期与证件号码不一致。</translation>
        </message>
        <message>
            <source>The birth date on this card is not possible.</source>
            <translation>此证件上的出生日期不合理。</translation>
        </message>
        <message>
            <source>The card could not be verified.</source>
            <translation>证件无法通过验证。</translation>
        </message>
        <message>
            <source>The data on the card could not be read correctly.</source>
            <translation>证件信息未能正确读取。</translation>
        </message>
        <message>
            <source>The number on this card is not in a valid format.</source>
            <translation>此证件上的号码格式不正确。</translation>
        </message>
        <message>
            <source>The region code in the ID number is not recognised.</source>
            <translation>证件号码中的地区代码无法识别。</translation>
        </message>
        <message>
            <source>The validity dates on this card are inconsistent.</source>
            <translation>此证件的有效期限不一致。</translation>
        </message>
        <message>
            <source>This ID card has expired.</source>
            <translation>此身份证已过期。</translation>
        </message>
        <message>
            <source>This card is not valid yet.</source>
            <translation>此证件尚未生效。</translation>
        </message>
        <message>
            <source>This kind of card cannot be read here.</source>
            <translation>本机无法读取此类证件。</translation>
        </message>
    </context>
    <context>
        <name>Technician</name>
        <message>
            <source>About</source>
            <translation>关于</translation>
        </message>
        <message>
            <source>Camera</source>
            <translation>摄像头</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <source>Card test</source>
            <translation>读卡测试</translation>
        </message>
        <message>
            <source>Catalog</source>
            <translation>事项目录</translation>
        </message>
        <message>
            <source>Check platform</source>
            <translation>检测平台连接</translation>
        </message>
        <message>
            <source>Close technician mode</source>
            <translation>退出维护模式</translation>
        </message>
        <message>
            <source>Devices</source>
            <translation>设备</translation>
        </message>
        <message>
            <source>Enter</source>
            <translation>确定</translation>
        </message>
        <message>
            <source>Exit kiosk application</source>
            <translation>退出自助终端程序</translation>
        </message>
        <message>
            <source>Export</source>
            <translation>导出</translation>
        </message>
        <message>
            <source>Export (encrypted)</source>
            <translation>导出（加密）</translation>
        </message>
        <message>
            <source>Logs</source>
            <translation>日志</translation>
        </message>
        <message>
            <source>Network</source>
            <translation>网络</translation>
        </message>
        <message>
            <source>Outbox</source>
            <translation>待发队列</translation>
        </message>
        <message>
            <source>Press 'Read a card' and present a card.</source>
            <translation>请按“读卡”并放上证件。</translation>
        </message>
        <message>
            <source>Printer</source>
            <translation>打印机</translation>
        </message>
        <message>
            <source>Read a card</source>
            <translation>读卡</translation>
        </message>
        <message>
            <source>Recent receipts</source>
            <translation>最近回执</translation>
        </message>
        <message>
            <source>Refresh</source>
            <translation>刷新</translation>
        </message>
        <message>
            <source>Reprint last</source>
            <translation>补打最近回执</translation>
        </message>
        <message>
            <source>Retry now</source>
            <translation>立即重试</translation>
        </message>
        <message>
            <source>Run checks</source>
            <translation>运行检测</translation>
        </message>
        <message>
            <source>Running checks…</source>
            <translation>正在检测…</translation>
        </message>
        <message>
            <source>Start preview</source>
            <translation>开始预览</translation>
        </message>
        <message>
            <source>Stop</source>
            <translation>停止</translation>
        </message>
        <message>
            <source>Technician PIN</source>
            <translation>维护人员密码</translation>
        </message>
        <message>
            <source>Test print</source>
            <translation>打印测试页</translation>
        </message>
        <message>
            <source>working</source>
            <translation>处理中</translation>
        </message>
    </context>
</TS>
