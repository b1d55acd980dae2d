<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_HK">
    <context>
        <name>Kiosk</name>
        <message>
            <source>(%d waiting to be sent)</source>
            <translation>（%d 件待發送）</translation>
        </message>
        <message>
            <source>(at the counter only)</source>
            <translation>（請到窗口辦理）</translation>
        </message>
        <message>
            <source>An expired card cannot be used here. Please go to the counter.</source>
            <translation>過期證件無法在此使用，請到窗口辦理。</translation>
        </message>
        <message>
            <source>Application number</source>
            <translation>受理編號</translation>
        </message>
        <message>
            <source>Apply, check progress and get receipts here — no queue.</source>
            <translation>在這裏申請、查進度、打回執——無需排隊。</translation>
        </message>
        <message>
            <source>Are you still there?</source>
            <translation>您還在嗎？</translation>
        </message>
        <message>
            <source>Back</source>
            <translation>返回</translation>
        </message>
        <message>
            <source>Basically satisfied</source>
            <translation>基本滿意</translation>
        </message>
        <message>
            <source>By pressing Submit you apply for this service. You will get a receipt.</source>
            <translation>按「確認提交」即正式申請，提交後將列印受理回執。</translation>
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
            <translation>核對資料並提交</translation>
        </message>
        <message>
            <source>Check your details</source>
            <translation>請核對您的資料</translation>
        </message>
        <message>
            <source>Choose a service</source>
            <translation>請選擇要辦理的事項</translation>
        </message>
        <message>
            <source>Connecting…</source>
            <translation>正在連接…</translation>
        </message>
        <message>
            <source>Continue</source>
            <translation>繼續</translation>
        </message>
        <message>
            <source>Digits only, please.</source>
            <translation>請只輸入數字。</translation>
        </message>
        <message>
            <source>Dissatisfied</source>
            <translation>不滿意</translation>
        </message>
        <message>
            <source>End now</source>
            <translation>結束辦理</translation>
        </message>
        <message>
            <source>Enter an 11-digit mobile number starting with 1.</source>
            <translation>請輸入以 1 開頭的 11 位手機號碼。</translation>
        </message>
        <message>
            <source>Expected result by: %s</source>
            <translation>預計辦結日期：%s</translation>
        </message>
        <message>
            <source>Face verification is not available right now.</source>
            <translation>人臉核驗暫時無法使用。</translation>
        </message>
        <message>
            <source>For your privacy this session will end in %d seconds.</source>
            <translation>為保護您的私隱，%d 秒後將結束本次辦理。</translation>
        </message>
        <message>
            <source>Government Self-Service</source>
            <translation>政務服務自助終端</translation>
        </message>
        <message>
            <source>Handled by: %s</source>
            <translation>辦理部門：%s</translation>
        </message>
        <message>
            <source>Hard to use</source>
            <translation>操作不方便</translation>
        </message>
        <message>
            <source>Hold still…</source>
            <translation>請保持不動…</translation>
        </message>
        <message>
            <source>Home</source>
            <translation>返回首頁</translation>
        </message>
        <message>
            <source>How was this service?</source>
            <translation>請您對本次服務作出評價</translation>
        </message>
        <message>
            <source>Instructions were unclear</source>
            <translation>指引不清楚</translation>
        </message>
        <message>
            <source>Kiosk %s</source>
            <translation>終端 %s</translation>
        </message>
        <message>
            <source>Larger text</source>
            <translation>長者模式</translation>
        </message>
        <message>
            <source>Leave the card on the reader until you hear the beep, then press Try again.</source>
            <translation>請把證件放在讀卡區，聽到「嘀」聲後再拿開，然後按「重試」。</translation>
        </message>
        <message>
            <source>Look at the camera</source>
            <translation>請正對鏡頭</translation>
        </message>
        <message>
            <source>Look straight at the camera, remove hat or glasses, and press Try again.</source>
            <translation>請正視鏡頭，除下帽子或眼鏡，然後按「重試」。</translation>
        </message>
        <message>
            <source>Next</source>
            <translation>下一步</translation>
        </message>
        <message>
            <source>No ID card was detected.</source>
            <translation>沒有偵測到身份證。</translation>
        </message>
        <message>
            <source>Offline — your application is saved and will be sent automatically.</source>
            <translation>網絡中斷——您的申請已儲存，連網後將自動提交。</translation>
        </message>
        <message>
            <source>Online</source>
            <translation>網絡正常</translation>
        </message>
        <message>
            <source>Only one person in front of the camera, please.</source>
            <translation>請只保留一人在鏡頭前。</translation>
        </message>
        <message>
            <source>Other</source>
            <translation>其他</translation>
        </message>
        <message>
            <source>Place your ID card flat on the reader and press Try again.</source>
            <translation>請將身份證平放在讀卡區，然後按「重試」。</translation>
        </message>
        <message>
            <source>Place your ID card on the reader</source>
            <translation>請將身份證放在讀卡區</translation>
        </message>
        <message>
            <source>Please ask staff for help or use the counter. The technician has been notified.</source>
            <translation>請聯絡工作人員或到窗口辦理，已通知維修人員。</translation>
        </message>
        <message>
            <source>Please check this field.</source>
            <translation>請檢查此項。</translation>
        </message>
        <message>
            <source>Please come a little closer.</source>
            <translation>請再靠近一點。</translation>
        </message>
        <message>
            <source>Please confirm</source>
            <translation>請確認申請資料</translation>
        </message>
        <message>
            <source>Please go to the counter to confirm your identity.</source>
            <translation>請到窗口核實身份。</translation>
        </message>
        <message>
            <source>Please go to the counter, or choose another service.</source>
            <translation>請到窗口辦理，或選擇其他事項。</translation>
        </message>
        <message>
            <source>Please go to the counter. The technician has been notified.</source>
            <translation>請到窗口辦理，已通知維修人員。</translation>
        </message>
        <message>
            <source>Please go to the counter; staff can see what needs to be corrected.</source>
            <translation>請到窗口辦理，工作人員可查看需要更正的內容。</translation>
        </message>
        <message>
            <source>Please go to the counter; staff will help you with your ID card.</source>
            <translation>請持身份證到窗口，工作人員將為您辦理。</translation>
        </message>
        <message>
            <source>Please look at the camera.</source>
            <translation>請看鏡頭。</translation>
        </message>
        <message>
            <source>Please take your receipt.</source>
            <translation>請取走您的回執。</translation>
        </message>
        <message>
            <source>Please wait. Do not take your card yet.</source>
            <translation>請稍候，暫時不要取走證件。</translation>
        </message>
        <message>
            <source>Preparing face verification…</source>
            <translation>正在準備人臉核驗…</translation>
        </message>
        <message>
            <source>Press Try again to read it again.</source>
            <translation>按「重試」重新讀卡。</translation>
        </message>
        <message>
            <source>Press Try again. If it fails again, please ask at the counter.</source>
            <translation>請按「重試」。如仍失敗，請到窗口查詢。</translation>
        </message>
        <message>
            <source>Printing your receipt…</source>
            <translation>正在列印回執…</translation>
        </message>
        <message>
            <source>Reading the card was stopped.</source>
            <translation>讀卡已停止。</translation>
        </message>
        <message>
            <source>Receipts cannot be printed right now; your number will be shown on screen.</source>
            <translation>暫時無法列印回執，受理編號將顯示在螢幕上。</translation>
        </message>
        <message>
            <source>Reference number</source>
            <translation>查詢編號</translation>
        </message>
        <message>
            <source>Satisfied</source>
            <translation>滿意</translation>
        </message>
        <message>
            <source>Send rating</source>
            <translation>提交評價</translation>
        </message>
        <message>
            <source>Skip</source>
            <translation>略過</translation>
        </message>
        <message>
            <source>Staff at the counter can advise you on other support.</source>
            <translation>窗口工作人員可為您介紹其他支援。</translation>
        </message>
        <message>
            <source>Stand in front of the screen, look at the camera, and press Try again.</source>
            <translation>請站在螢幕正前方，望向鏡頭，然後按「重試」。</translation>
        </message>
        <message>
            <source>Start</source>
            <translation>開始辦理</translation>
        </message>
        <message>
            <source>Starting the camera…</source>
            <translation>正在開啟鏡頭…</translation>
        </message>
        <message>
            <source>Submit</source>
            <translation>確認提交</translation>
        </message>
        <message>
            <source>Submitting your application…</source>
            <translation>正在提交您的申請…</translation>
        </message>
        <message>
            <source>Take your receipt</source>
            <translation>取走回執</translation>
        </message>
        <message>
            <source>The camera is not working right now.</source>
            <translation>鏡頭暫時無法使用。</translation>
        </message>
        <message>
            <source>The card could not be read.</source>
            <translation>無法讀取證件。</translation>
        </message>
        <message>
            <source>The card reader is not working right now.</source>
            <translation>讀卡器暫時無法使用。</translation>
        </message>
        <message>
            <source>The card was removed before it could be read.</source>
            <translation>證件在讀取完成前被拿走了。</translation>
        </message>
        <message>
            <source>The machine did not work well</source>
            <translation>設備不好用</translation>
        </message>
        <message>
            <source>The network is down. Your application is saved on this machine and will be submitted automatically. Keep your receipt: staff can find it by this number.</source>
            <translation>網絡中斷。您的申請已安全儲存在本機，連網後將自動提交。請保留回執，工作人員可憑此編號查詢。</translation>
        </message>
        <message>
            <source>The photo on the card could not be used.</source>
            <translation>證件相片無法使用。</translation>
        </message>
        <message>
            <source>The platform did not accept this application.</source>
            <translation>政務服務平台未受理此申請。</translation>
        </message>
        <message>
            <source>The reader is below the screen, marked with the card symbol. Keep the card still until you hear a beep.</source>
            <translation>讀卡區在螢幕下方，有證件標誌。請保持證件不動，直到聽到「嘀」聲。</translation>
        </message>
        <message>
            <source>The receipt could not be printed. Please photograph or write down the number above.</source>
            <translation>回執未能列印，請拍照或記下上方編號。</translation>
        </message>
        <message>
            <source>The service list is loading. Please wait a moment.</source>
            <translation>事項列表載入中，請稍候。</translation>
        </message>
        <message>
            <source>This ID card has expired.</source>
            <translation>此身份證已過有效期。</translation>
        </message>
        <message>
            <source>This ID number is not valid.</source>
            <translation>身份號碼不正確。</translation>
        </message>
        <message>
            <source>This field is required.</source>
            <translation>此項必填。</translation>
        </message>
        <message>
            <source>This type of card cannot be used for this service.</source>
            <translation>此類證件不能辦理本事項。</translation>
        </message>
        <message>
            <source>Took too long</source>
            <translation>耗時太長</translation>
        </message>
        <message>
            <source>Touch to start</source>
            <translation>輕觸螢幕開始辦理</translation>
        </message>
        <message>
            <source>Try again</source>
            <translation>重試</translation>
        </message>
        <message>
            <source>Very dissatisfied</source>
            <translation>非常不滿意</translation>
        </message>
        <message>
            <source>Very satisfied</source>
            <translation>非常滿意</translation>
        </message>
        <message>
            <source>Waiting for your card…</source>
            <translation>等待放置證件…</translation>
        </message>
        <message>
            <source>We could not confirm that you are the card holder.</source>
            <translation>未能確認您是持證人本人。</translation>
        </message>
        <message>
            <source>We could not see your face clearly in time.</source>
            <translation>未能及時看清您的面部。</translation>
        </message>
        <message>
            <source>Wipe the card and press Try again. If it still fails, please ask at the counter.</source>
            <translation>請抹乾淨證件後按「重試」。如仍失敗，請到窗口查詢。</translation>
        </message>
        <message>
            <source>Working offline: applications are saved and sent automatically.</source>
            <translation>離線工作中：申請將儲存並在連網後自動提交。</translation>
        </message>
        <message>
            <source>You will need:</source>
            <translation>請準備以下文件：</translation>
        </message>
        <message>
            <source>Your age does not meet this service's requirement.</source>
            <translation>您的年齡不符合本事項的申請條件。</translation>
        </message>
        <message>
            <source>We could not confirm that your application was saved.</source>
            <translation>未能確認您的申請是否已儲存。</translation>
        </message>
        <message>
            <source>Please ask at the counter; staff can check whether it arrived.</source>
            <translation>請到窗口查詢，職員可查核申請是否已送達。</translation>
        </message>
        <message>
            <source>The progress cannot be shown right now. Please try again later or ask at the counter.</source>
            <translation>暫時無法顯示辦理進度，請稍後再試或到窗口查詢。</translation>
        </message>
        <message>
            <source>For your privacy, progress is looked up with the QR code on your receipt. Please scan the QR code.</source>
            <translation>為保障您的私隱，請掃描回執上的二維碼查詢辦理進度。</translation>
        </message>
        <message>
            <source>Your application could not be saved. Nothing was submitted.</source>
            <translation>申請未能儲存，本次未提交任何內容。</translation>
        </message>
        <message>
            <source>Your application has been accepted</source>
            <translation>您的申請已受理</translation>
        </message>
        <message>
            <source>Your face is compared once with your ID card photo to confirm it is you. No picture is stored.</source>
            <translation>將您的面部與身份證相片比對一次，以確認是您本人辦理。不會儲存任何相片。</translation>
        </message>
        <message>
            <source>Your identity could not be confirmed after three tries.</source>
            <translation>三次核驗均未能確認您的身份。</translation>
        </message>
        <message>
            <source>Your rating goes to the service supervisor. You may skip it.</source>
            <translation>您的評價將提交給服務監督部門，亦可略過。</translation>
        </message>
        <message>
            <source>Receipts cannot be printed right now. Please photograph the number and the QR code.</source>
            <translation>暫時無法列印回執，請拍下編號和二維碼。</translation>
        </message>
        <message>
            <source>The receipt will also be sent by SMS to %s.</source>
            <translation>回執亦會以短訊發送至 %s。</translation>
        </message>
        <message>
            <source>Capital letters and digits only, please.</source>
            <translation>只能輸入大寫字母和數字。</translation>
        </message>
        <message>
            <source>Care mode</source>
            <translation>長者模式</translation>
        </message>
        <message>
            <source>Choose</source>
            <translation>選擇事項</translation>
        </message>
        <message>
            <source>Completed</source>
            <translation>已辦結</translation>
        </message>
        <message>
            <source>Confirm</source>
            <translation>確認</translation>
        </message>
        <message>
            <source>Done</source>
            <translation>完成</translation>
        </message>
        <message>
            <source>Done: your certification has been recorded</source>
            <translation>認證完成，結果已記錄</translation>
        </message>
        <message>
            <source>Enter the application number on your receipt (for example GD20261123000001), or scan the receipt's QR code.</source>
            <translation>請輸入回執上的受理編號（例如 GD20261123000001），或掃描回執上的二維碼。</translation>
        </message>
        <message>
            <source>Enter the application number or scan the receipt's QR code</source>
            <translation>輸入受理編號或掃描回執二維碼</translation>
        </message>
        <message>
            <source>Enter your ID number</source>
            <translation>輸入身份證號碼</translation>
        </message>
        <message>
            <source>Expected result</source>
            <translation>預計辦結日期</translation>
        </message>
        <message>
            <source>Fields marked * are required. Touch a field to type in it.</source>
            <translation>帶 * 的為必填項。點擊輸入框後用右側鍵盤輸入。</translation>
        </message>
        <message>
            <source>Form</source>
            <translation>填寫資料</translation>
        </message>
        <message>
            <source>Help</source>
            <translation>呼叫協助</translation>
        </message>
        <message>
            <source>Hold the QR code on your receipt in front of the camera.</source>
            <translation>請將回執上的二維碼對準攝像頭。</translation>
        </message>
        <message>
            <source>Identity</source>
            <translation>身份核驗</translation>
        </message>
        <message>
            <source>Looking up your application…</source>
            <translation>正在查詢，請稍候…</translation>
        </message>
        <message>
            <source>No QR code was recognised. Hold the receipt still, about 20 cm from the camera.</source>
            <translation>未識別到二維碼。請將回執放在攝像頭前約 20 厘米處並保持不動。</translation>
        </message>
        <message>
            <source>No application was found with this number. Please check it and try again.</source>
            <translation>未找到該編號的辦件，請核對後重試。</translation>
        </message>
        <message>
            <source>Not approved — please contact the department</source>
            <translation>未通過，請聯絡辦理部門</translation>
        </message>
        <message>
            <source>Not set yet</source>
            <translation>暫未確定</translation>
        </message>
        <message>
            <source>One form, one submission for all of these:</source>
            <translation>以下事項一張表、一次提交：</translation>
        </message>
        <message>
            <source>Please choose one of the options.</source>
            <translation>請選擇其中一項。</translation>
        </message>
        <message>
            <source>Please enter the application number first.</source>
            <translation>請先輸入受理編號。</translation>
        </message>
        <message>
            <source>Progress of your application</source>
            <translation>辦件進度</translation>
        </message>
        <message>
            <source>Rating</source>
            <translation>評價</translation>
        </message>
        <message>
            <source>Read the progress</source>
            <translation>查看辦理進度</translation>
        </message>
        <message>
            <source>Receipt</source>
            <translation>取回執</translation>
        </message>
        <message>
            <source>Received</source>
            <translation>受理時間</translation>
        </message>
        <message>
            <source>Received — being processed</source>
            <translation>已受理，正在辦理</translation>
        </message>
        <message>
            <source>Result</source>
            <translation>查詢結果</translation>
        </message>
        <message>
            <source>Scan receipt QR code</source>
            <translation>掃描回執二維碼</translation>
        </message>
        <message>
            <source>Search</source>
            <translation>查詢</translation>
        </message>
        <message>
            <source>Service</source>
            <translation>辦理事項</translation>
        </message>
        <message>
            <source>Staff have been called and will come to you.</source>
            <translation>已呼叫工作人員，請稍候。</translation>
        </message>
        <message>
            <source>Status not available</source>
            <translation>暫無狀態資料</translation>
        </message>
        <message>
            <source>Step %d of %d</source>
            <translation>第 %d 步，共 %d 步</translation>
        </message>
        <message>
            <source>Stop scanning</source>
            <translation>停止掃描</translation>
        </message>
        <message>
            <source>Submitted together:</source>
            <translation>合併提交：</translation>
        </message>
        <message>
            <source>Take your ticket</source>
            <translation>取號票</translation>
        </message>
        <message>
            <source>The progress cannot be checked right now (no connection). Please try again later.</source>
            <translation>網絡暫時不通，無法查詢進度，請稍後再試。</translation>
        </message>
        <message>
            <source>This QR code is not from a government service receipt.</source>
            <translation>該二維碼不是政務服務回執的二維碼。</translation>
        </message>
        <message>
            <source>This is longer than the system accepts. Please go to the counter.</source>
            <translation>內容超出系統允許的長度，請到窗口辦理。</translation>
        </message>
        <message>
            <source>This number belongs to another kind of application. Use 'Check application progress'.</source>
            <translation>該編號屬於其他類型的辦件，請使用「辦事進度查詢」。</translation>
        </message>
        <message>
            <source>Ticket number — wait to be called</source>
            <translation>排隊號（請留意叫號）</translation>
        </message>
        <message>
            <source>Typing into: %s</source>
            <translation>正在輸入：%s</translation>
        </message>
        <message>
            <source>Under review</source>
            <translation>審核中</translation>
        </message>
        <message>
            <source>What went wrong? (optional, choose any)</source>
            <translation>哪裏不滿意？（可多選，可不選）</translation>
        </message>
        <message>
            <source>What you need</source>
            <translation>所需材料</translation>
        </message>
        <message>
            <source>Your queue ticket</source>
            <translation>您的排隊號</translation>
        </message>
        <message>
            <source>No photo is on record for this ID number, so it cannot be checked here.</source>
            <translation>該身份證號碼沒有留存相片，無法在此核驗。</translation>
        </message>
        <message>
            <source>Please check the number, or go to the counter.</source>
            <translation>請核對號碼，或到窗口辦理。</translation>
        </message>
        <message>
            <source>We could not confirm that a live person is in front of the camera.</source>
            <translation>未能確認鏡頭前是本人即場操作。</translation>
        </message>
        <message>
            <source>Face the camera yourself (not a photo or a screen), follow the instruction, and press Try again.</source>
            <translation>請本人面向鏡頭（不要使用相片或螢幕），按提示動作後按「重試」。</translation>
        </message>
        <message>
            <source>Nobody was seen in front of the camera.</source>
            <translation>鏡頭前未偵測到人臉。</translation>
        </message>
        <message>
            <source>More than one person was in front of the camera.</source>
            <translation>鏡頭前多於一人。</translation>
        </message>
        <message>
            <source>Only the card holder may stand in front of the camera. Press Try again.</source>
            <translation>請只由持證人本人站在鏡頭前，然後按「重試」。</translation>
        </message>
        <message>
            <source>Your face is too dark. Please step into the light.</source>
            <translation>面部光線太暗，請站到光線充足的地方。</translation>
        </message>
        <message>
            <source>Too much light on your face. Please step out of direct light.</source>
            <translation>面部光線太強，請避開直射光。</translation>
        </message>
        <message>
            <source>Please hold still.</source>
            <translation>請保持不動。</translation>
        </message>
        <message>
            <source>Please look straight at the camera.</source>
            <translation>請正視鏡頭。</translation>
        </message>
        <message>
            <source>Please turn your head slowly to your left.</source>
            <translation>請慢慢向左轉頭。</translation>
        </message>
        <message>
            <source>Please turn your head slowly to your right.</source>
            <translation>請慢慢向右轉頭。</translation>
        </message>
        <message>
            <source>Please close your eyes for a moment, then open them.</source>
            <translation>請閉上眼睛片刻，然後張開。</translation>
        </message>
        <message>
            <source>Your face is compared once with your ID card photo to confirm it is you. Biometric data is sensitive personal information: the picture and the comparison stay in this machine's memory only and are erased when you finish. If you do not agree, press Cancel and use the counter.</source>
            <translation>您的面容將與身份證相片比對一次，以確認是本人辦理。人臉資料屬敏感個人資料：畫面及比對結果只保存在本機記憶體中，辦理完成即清除。如不同意，請按「取消」並到櫃位辦理。</translation>
        </message>
        <message>
            <source>Checking…</source>
            <translation>正在核驗…</translation>
        </message>
        <message>
            <source>The details on this card did not pass the security checks.</source>
            <translation>此證件資料未通過核驗。</translation>
        </message>
        <message>
            <source>Please go to the counter with your card.</source>
            <translation>請攜帶證件到櫃枱辦理。</translation>
        </message>
        <message>
            <source>Please take your ID card from the reader.</source>
            <translation>請取走讀卡器上的證件。</translation>
        </message>
        <message>
            <source>Passport number</source>
            <translation>護照號碼</translation>
        </message>
        <message>
            <source>Date of birth (YYMMDD)</source>
            <translation>出生日期（年月日，6位數字）</translation>
        </message>
        <message>
            <source>Date of expiry (YYMMDD)</source>
            <translation>有效期至（年月日，6位數字）</translation>
        </message>
        <message>
            <source>Enter the details from your passport</source>
            <translation>請輸入護照上的資料</translation>
        </message>
        <message>
            <source>The passport's chip opens only with these details from the photo page. Type each date as six digits: year, month, day (6 August 1969 = 690806).</source>
            <translation>護照晶片須憑資料頁上的這些資料才能讀取。日期請輸入6位數字：年、月、日（例如1969年8月6日輸入690806）。</translation>
        </message>
        <message>
            <source>Read passport</source>
            <translation>讀取護照</translation>
        </message>
        <message>
            <source>The passport number has 5 to 9 letters and digits. Please check it.</source>
            <translation>護照號碼為5至9位字母和數字，請核對。</translation>
        </message>
        <message>
            <source>Enter the date of birth as six digits: year, month, day.</source>
            <translation>請按年、月、日輸入6位數字的出生日期。</translation>
        </message>
        <message>
            <source>Enter the expiry date as six digits: year, month, day.</source>
            <translation>請按年、月、日輸入6位數字的有效期。</translation>
        </message>
        <message>
            <source>The passport did not accept these details. Please check each one against the photo page and try again.</source>
            <translation>護照未能以這些資料讀取。請對照資料頁逐項核對後重試。</translation>
        </message>
        <message>
            <source>The passport could not be opened with the details entered.</source>
            <translation>無法以所輸入的資料讀取護照。</translation>
        </message>
        <message>
            <source>Please ask at the counter; staff will help you.</source>
            <translation>請到窗口查詢，職員會協助您。</translation>
        </message>
    </context>
    <context>
        <name>IdDocument</name>
        <message>
            <source>An expired card cannot be used here. Please go to the counter.</source>
            <translation>過期證件無法在此使用，請到窗口辦理。</translation>
        </message>
        <message>
            <source>Place the card on the reader again. If it still fails, please go to the counter.</source>
            <translation>請將證件重新放到讀卡區。如仍失敗，請到窗口辦理。</translation>
        </message>
        <message>
            <source>Please go to the counter with your card.</source>
            <translation>請攜帶證件到窗口辦理。</translation>
        </message>
        <message>
            <source>Please use a resident ID card or residence permit, or go to the counter.</source>
            <translation>請使用居民身份證或居住證，或到窗口辦理。</translation>
        </message>
        <message>
            <source>The ID number does not belong to this type of card.</source>
            <translation>證件號碼與證件類型不符。</translation>
        </message>
        <message>
            <source>The ID number on this card failed its check.</source>
            <translation>此證件上的證件號碼校驗未通過。</translation>
        </message>
        <message>
            <source>The birth date on the card does not match the ID number.</source>
            <translation>證件上的出生日期與證件號碼不一致。</translation>
        </message>
        <message>
            <source>The birth date on this card is not possible.</source>
            <translation>此證件上的出生日期不合理。</translation>
        </message>
        <message>
            <source>The card could not be verified.</source>
            <translation>證件無法通過驗證。</translation>
        </message>
        <message>
            <source>The data on the card could not be read correctly.</source>
            <translation>證件資料未能正確讀取。</translation>
        </message>
        <message>
            <source>The number on this card is not in a valid format.</source>
            <translation>此證件上的號碼格式不正確。</translation>
        </message>
        <message>
            <source>The region code in the ID number is not recognised.</source>
            <translation>證件號碼中的地區代碼無法識別。</translation>
        </message>
        <message>
            <source>The validity dates on this card are inconsistent.</source>
            <translation>此證件的有效期限不一致。</translation>
        </message>
        <message>
            <source>This ID card has expired.</source>
            <translation>此身份證已過期。</translation>
        </message>
        <message>
            <source>This card is not valid yet.</source>
            <translation>此證件尚未生效。</translation>
        </message>
        <message>
            <source>This kind of card cannot be read here.</source>
            <translation>本機無法讀取此類證件。</translation>
        </message>
    </context>
    <context>
        <name>Technician</name>
        <message>
            <source>About</source>
            <translation>關於</translation>
        </message>
        <message>
            <source>Camera</source>
            <translation>攝像頭</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <source>Card test</source>
            <translation>讀卡測試</translation>
        </message>
        <message>
            <source>Catalog</source>
            <translation>事項目錄</translation>
        </message>
        <message>
            <source>Check platform</source>
            <translation>檢測平台連接</translation>
        </message>
        <message>
            <source>Close technician mode</source>
            <translation>退出維護模式</translation>
        </message>
        <message>
            <source>Devices</source>
            <translation>設備</translation>
        </message>
        <message>
            <source>Enter</source>
            <translation>確定</translation>
        </message>
        <message>
            <source>Exit kiosk application</source>
            <translation>退出自助終端程式</translation>
        </message>
        <message>
            <source>Export</source>
            <translation>匯出</translation>
        </message>
        <message>
            <source>Export (encrypted)</source>
            <translation>匯出（加密）</translation>
        </message>
        <message>
            <source>Logs</source>
            <translation>日誌</translation>
        </message>
        <message>
            <source>Network</source>
            <translation>網絡</translation>
        </message>
        <message>
            <source>Outbox</source>
            <translation>待發隊列</translation>
        </message>
        <message>
            <source>Press 'Read a card' and present a card.</source>
            <translation>請按「讀卡」並放上證件。</translation>
        </message>
        <message>
            <source>Printer</source>
            <translation>打印機</translation>
        </message>
        <message>
            <source>Read a card</source>
            <translation>讀卡</translation>
        </message>
        <message>
            <source>Recent receipts</source>
            <translation>最近回執</translation>
        </message>
        <message>
            <source>Refresh</source>
            <translation>重新整理</translation>
        </message>
        <message>
            <source>Reprint last</source>
            <translation>補打最近回執</translation>
        </message>
        <message>
            <source>Retry now</source>
            <translation>立即重試</translation>
        </message>
        <message>
            <source>Run checks</source>
            <translation>執行檢測</translation>
        </message>
        <message>
            <source>Running checks…</source>
            <translation>正在檢測…</translation>
        </message>
        <message>
            <source>Start preview</source>
            <translation>開始預覽</translation>
        </message>
        <message>
            <source>Stop</source>
            <translation>停止</translation>
        </message>
        <message>
            <source>Technician PIN</source>
            <translation>維護人員密碼</translation>
        </message>
        <message>
            <source>Test print</source>
            <translation>列印測試頁</translation>
        </message>
        <message>
            <source>working</source>
            <translation>處理中</translation>
        </message>
    </context>
</TS>
