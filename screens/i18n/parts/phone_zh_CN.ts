<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
    <context>
        <name>Kiosk</name>
        <message>
            <source>Agree and scan</source>
            <translation>同意并扫码</translation>
        </message>
        <message>
            <source>By scanning, you agree that this kiosk fetches your name, ID number, address and photo on record from the government platform, for this service only. Nothing is kept after you leave.</source>
            <translation>扫码即表示您同意本机从政务平台获取您的姓名、证件号码、地址和留存照片，仅用于本次办理。您离开后不保留任何信息。</translation>
        </message>
        <message>
            <source>Checking your code with the government platform…</source>
            <translation>正在向政务平台核验您的码…</translation>
        </message>
        <message>
            <source>Hold the phone's code in front of the camera.</source>
            <translation>请将手机上的码对准摄像头。</translation>
        </message>
        <message>
            <source>Identity by app is not available right now. Please use your ID card, or go to the counter.</source>
            <translation>暂时无法通过应用核验身份。请使用身份证，或到窗口办理。</translation>
        </message>
        <message>
            <source>Identity by app needs the network, which is not available right now. Please use your ID card, or go to the counter.</source>
            <translation>应用身份核验需要网络，目前网络不可用。请使用身份证，或到窗口办理。</translation>
        </message>
        <message>
            <source>In the government app, tap Scan and point the phone at this code. Check that the app shows the same letters, then confirm on your phone.</source>
            <translation>在政务应用中点击“扫一扫”对准此码，核对应用显示的字母与屏幕上一致后，在手机上确认。</translation>
        </message>
        <message>
            <source>Log in with the government app</source>
            <translation>用政务应用登录</translation>
        </message>
        <message>
            <source>No ID card with you? You can identify with the government app on your phone.</source>
            <translation>没带身份证？可以用手机上的政务应用核验身份。</translation>
        </message>
        <message>
            <source>No app code was recognised. Hold the phone still, about 20 cm from the camera, with the screen bright, and press Scan again.</source>
            <translation>未识别到应用码。请调亮手机屏幕，距摄像头约20厘米拿稳，然后点击“重新扫码”。</translation>
        </message>
        <message>
            <source>Open your government app (for example Yue Sheng Shi or Macau One Account), go to its identity code page, then press Agree and scan.</source>
            <translation>打开政务应用（如粤省事、澳门一户通），进入身份码页面，然后点击“同意并扫码”。</translation>
        </message>
        <message>
            <source>Preparing the login code…</source>
            <translation>正在生成登录码…</translation>
        </message>
        <message>
            <source>Press Try again, use your ID card if you have it, or go to the counter.</source>
            <translation>请点击“重试”；如带有身份证可改用身份证，或到窗口办理。</translation>
        </message>
        <message>
            <source>Scan again</source>
            <translation>重新扫码</translation>
        </message>
        <message>
            <source>Show your identity code from the government app</source>
            <translation>出示政务应用身份码</translation>
        </message>
        <message>
            <source>The camera is not working right now. Please use your ID card, or go to the counter.</source>
            <translation>摄像头暂时无法使用。请使用身份证，或到窗口办理。</translation>
        </message>
        <message>
            <source>The login could not be completed. Press Try again, or use your ID card.</source>
            <translation>登录未能完成。请点击“重试”，或使用身份证。</translation>
        </message>
        <message>
            <source>The login was declined in the app. Press Try again, or use your ID card.</source>
            <translation>您已在应用中拒绝登录。请点击“重试”，或使用身份证。</translation>
        </message>
        <message>
            <source>The login was not confirmed in time. Press Try again for a new code, or use your ID card.</source>
            <translation>登录未在有效时间内确认。请点击“重试”获取新码，或使用身份证。</translation>
        </message>
        <message>
            <source>The photo on record cannot be fetched right now (no connection to the government platform).</source>
            <translation>暂时无法获取留存照片（无法连接政务平台）。</translation>
        </message>
        <message>
            <source>This code has already been used. Refresh it in the app and press Scan again.</source>
            <translation>此码已被使用。请在应用中刷新后点击“重新扫码”。</translation>
        </message>
        <message>
            <source>This code has expired. Refresh it in the app and press Scan again.</source>
            <translation>此码已过期。请在应用中刷新后点击“重新扫码”。</translation>
        </message>
        <message>
            <source>This code is not a government app identity code. Open the identity code page in the government app, or use your ID card.</source>
            <translation>这不是政务应用身份码。请打开政务应用的身份码页面，或使用身份证。</translation>
        </message>
        <message>
            <source>This code was not recognised by the government platform. Refresh it in the app, or use your ID card.</source>
            <translation>政务平台无法识别此码。请在应用中刷新，或使用身份证。</translation>
        </message>
        <message>
            <source>This is a payment code, not an identity code. Nothing was paid. Open the identity code page in the government app and press Scan again.</source>
            <translation>这是付款码，不是身份码，未发生任何支付。请打开政务应用的身份码页面，然后点击“重新扫码”。</translation>
        </message>
        <message>
            <source>Use my ID card instead</source>
            <translation>改用身份证</translation>
        </message>
        <message>
            <source>Use the government app code</source>
            <translation>用政务应用身份码</translation>
        </message>
        <message>
            <source>Waiting for your confirmation… %d s left</source>
            <translation>等待您在手机上确认…剩余 %d 秒</translation>
        </message>
    </context>
    <context>
        <name>Technician</name>
        <message>
            <source>Hold a code in front of the camera and press 'Start scanner test'.</source>
            <translation>将条码或二维码放在摄像头前，然后点击“开始扫码测试”。</translation>
        </message>
        <message>
            <source>Scanner</source>
            <translation>扫码器</translation>
        </message>
        <message>
            <source>Start scanner test</source>
            <translation>开始扫码测试</translation>
        </message>
    </context>
</TS>
