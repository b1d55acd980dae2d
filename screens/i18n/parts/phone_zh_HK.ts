<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_HK">
    <context>
        <name>Kiosk</name>
        <message>
            <source>Agree and scan</source>
            <translation>同意並掃碼</translation>
        </message>
        <message>
            <source>By scanning, you agree that this kiosk fetches your name, ID number, address and photo on record from the government platform, for this service only. Nothing is kept after you leave.</source>
            <translation>掃碼即表示您同意本機從政務平台獲取您的姓名、證件號碼、地址和留存相片，僅用於本次辦理。您離開後不保留任何資料。</translation>
        </message>
        <message>
            <source>Checking your code with the government platform…</source>
            <translation>正在向政務平台核驗您的碼…</translation>
        </message>
        <message>
            <source>Hold the phone's code in front of the camera.</source>
            <translation>請將手機上的碼對準鏡頭。</translation>
        </message>
        <message>
            <source>Identity by app is not available right now. Please use your ID card, or go to the counter.</source>
            <translation>暫時無法通過應用程式核驗身份。請使用身份證，或到窗口辦理。</translation>
        </message>
        <message>
            <source>Identity by app needs the network, which is not available right now. Please use your ID card, or go to the counter.</source>
            <translation>應用程式身份核驗需要網絡，目前網絡不可用。請使用身份證，或到窗口辦理。</translation>
        </message>
        <message>
            <source>In the government app, tap Scan and point the phone at this code. Check that the app shows the same letters, then confirm on your phone.</source>
            <translation>在政府應用程式中點擊「掃一掃」對準此碼，核對應用程式顯示的字母與螢幕上一致後，在手機上確認。</translation>
        </message>
        <message>
            <source>Log in with the government app</source>
            <translation>用政府應用程式登入</translation>
        </message>
        <message>
            <source>No ID card with you? You can identify with the government app on your phone.</source>
            <translation>沒帶身份證？可以用手機上的政府應用程式核驗身份。</translation>
        </message>
        <message>
            <source>No app code was recognised. Hold the phone still, about 20 cm from the camera, with the screen bright, and press Scan again.</source>
            <translation>未識別到應用程式碼。請調亮手機螢幕，距鏡頭約20厘米拿穩，然後點擊「重新掃碼」。</translation>
        </message>
        <message>
            <source>Open your government app (for example Yue Sheng Shi or Macau One Account), go to its identity code page, then press Agree and scan.</source>
            <translation>打開政府應用程式（如粵省事、澳門一戶通），進入身份碼頁面，然後點擊「同意並掃碼」。</translation>
        </message>
        <message>
            <source>Preparing the login code…</source>
            <translation>正在產生登入碼…</translation>
        </message>
        <message>
            <source>Press Try again, use your ID card if you have it, or go to the counter.</source>
            <translation>請點擊「重試」；如帶有身份證可改用身份證，或到窗口辦理。</translation>
        </message>
        <message>
            <source>Scan again</source>
            <translation>重新掃碼</translation>
        </message>
        <message>
            <source>Show your identity code from the government app</source>
            <translation>出示政府應用程式身份碼</translation>
        </message>
        <message>
            <source>The camera is not working right now. Please use your ID card, or go to the counter.</source>
            <translation>鏡頭暫時無法使用。請使用身份證，或到窗口辦理。</translation>
        </message>
        <message>
            <source>The login could not be completed. Press Try again, or use your ID card.</source>
            <translation>登入未能完成。請點擊「重試」，或使用身份證。</translation>
        </message>
        <message>
            <source>The login was declined in the app. Press Try again, or use your ID card.</source>
            <translation>您已在應用程式中拒絕登入。請點擊「重試」，或使用身份證。</translation>
        </message>
        <message>
            <source>The login was not confirmed in time. Press Try again for a new code, or use your ID card.</source>
            <translation>登入未在有效時間內確認。請點擊「重試」取得新碼，或使用身份證。</translation>
        </message>
        <message>
            <source>The photo on record cannot be fetched right now (no connection to the government platform).</source>
            <translation>暫時無法取得留存相片（無法連接政務平台）。</translation>
        </message>
        <message>
            <source>This code has already been used. Refresh it in the app and press Scan again.</source>
            <translation>此碼已被使用。請在應用程式中重新整理後點擊「重新掃碼」。</translation>
        </message>
        <message>
            <source>This code has expired. Refresh it in the app and press Scan again.</source>
            <translation>此碼已過期。請在應用程式中重新整理後點擊「重新掃碼」。</translation>
        </message>
        <message>
            <source>This code is not a government app identity code. Open the identity code page in the government app, or use your ID card.</source>
            <translation>這不是政府應用程式身份碼。請打開政府應用程式的身份碼頁面，或使用身份證。</translation>
        </message>
        <message>
            <source>This code was not recognised by the government platform. Refresh it in the app, or use your ID card.</source>
            <translation>政務平台無法識別此碼。請在應用程式中重新整理，或使用身份證。</translation>
        </message>
        <message>
            <source>This is a payment code, not an identity code. Nothing was paid. Open the identity code page in the government app and press Scan again.</source>
            <translation>這是付款碼，不是身份碼，未發生任何付款。請打開政府應用程式的身份碼頁面，然後點擊「重新掃碼」。</translation>
        </message>
        <message>
            <source>Use my ID card instead</source>
            <translation>改用身份證</translation>
        </message>
        <message>
            <source>Use the government app code</source>
            <translation>用政府應用程式身份碼</translation>
        </message>
        <message>
            <source>Waiting for your confirmation… %d s left</source>
            <translation>等待您在手機上確認…剩餘 %d 秒</translation>
        </message>
    </context>
    <context>
        <name>Technician</name>
        <message>
            <source>Hold a code in front of the camera and press 'Start scanner test'.</source>
            <translation>將條碼或二維碼放在鏡頭前，然後點擊「開始掃碼測試」。</translation>
        </message>
        <message>
            <source>Scanner</source>
            <translation>掃碼器</translation>
        </message>
        <message>
            <source>Start scanner test</source>
            <translation>開始掃碼測試</translation>
        </message>
    </context>
</TS>
