<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_HK">
    <context>
        <name>Kiosk</name>
        <message>
            <source>Amount: %s</source>
            <translation>應繳金額：%s</translation>
        </message>
        <message>
            <source>Cancel payment</source>
            <translation>取消支付</translation>
        </message>
        <message>
            <source>Check the balance or the payment method on your phone and press Try again.</source>
            <translation>請檢查手機上的餘額或支付方式，然後按「重試」。</translation>
        </message>
        <message>
            <source>Fee paid: %s</source>
            <translation>已繳費：%s</translation>
        </message>
        <message>
            <source>Fee: %s</source>
            <translation>收費：%s</translation>
        </message>
        <message>
            <source>If money was taken, your application is submitted or the money returned automatically. Please show this screen to staff.</source>
            <translation>如已扣款，系統會自動提交您的申請或原路退款。請將此畫面出示給工作人員。</translation>
        </message>
        <message>
            <source>Next you pay %s by QR code (WeChat Pay, Alipay, UnionPay).</source>
            <translation>下一步請掃碼支付 %s（微信支付、支付寶、雲閃付）。</translation>
        </message>
        <message>
            <source>No fee is due for you: %s</source>
            <translation>您無需繳費：%s</translation>
        </message>
        <message>
            <source>Nothing is charged until you confirm on your phone. If the time runs out, the payment is closed.</source>
            <translation>在您手機上確認之前不會扣款。逾時後本次支付將自動關閉。</translation>
        </message>
        <message>
            <source>Nothing was submitted. Press Finish and start again, or go to the counter.</source>
            <translation>申請未提交。請按「完成」後重新辦理，或到窗口辦理。</translation>
        </message>
        <message>
            <source>Pay here by scanning a QR code with WeChat Pay, Alipay or UnionPay, or show your payment code.</source>
            <translation>可在本機用微信支付、支付寶或雲閃付掃碼繳費，或出示付款碼。</translation>
        </message>
        <message>
            <source>Pay the fee</source>
            <translation>繳納費用</translation>
        </message>
        <message>
            <source>Paying needs the network, which is not available now.</source>
            <translation>繳費需要聯網，目前網絡不可用。</translation>
        </message>
        <message>
            <source>Payment order: %s</source>
            <translation>繳款訂單號：%s</translation>
        </message>
        <message>
            <source>Payment reference: %s</source>
            <translation>支付流水號：%s</translation>
        </message>
        <message>
            <source>Please apply and pay at the counter.</source>
            <translation>請到窗口辦理並繳費。</translation>
        </message>
        <message>
            <source>Please go to the counter. Staff have been notified.</source>
            <translation>請到窗口辦理，已通知工作人員。</translation>
        </message>
        <message>
            <source>Press Try again for a new QR code, or pay at the counter.</source>
            <translation>按「重試」獲取新的二維碼，或到窗口繳費。</translation>
        </message>
        <message>
            <source>Press Try again in a moment, or apply and pay at the counter.</source>
            <translation>請稍後按「重試」，或到窗口辦理並繳費。</translation>
        </message>
        <message>
            <source>That was not a payment code. Please open the payment code in your wallet app and show it again.</source>
            <translation>這不是付款碼。請在支付應用中打開付款碼後重新出示。</translation>
        </message>
        <message>
            <source>The payment could not be prepared correctly. Nothing was charged.</source>
            <translation>支付訂單生成異常，未扣款。</translation>
        </message>
        <message>
            <source>The payment service is not answering right now. Nothing was charged.</source>
            <translation>支付服務暫時無回應，未扣款。</translation>
        </message>
        <message>
            <source>The payment time ran out. Nothing was charged.</source>
            <translation>支付已逾時，未扣款。</translation>
        </message>
        <message>
            <source>Time left: %s</source>
            <translation>剩餘時間：%s</translation>
        </message>
        <message>
            <source>We could not confirm your payment yet.</source>
            <translation>暫時無法確認您的支付結果。</translation>
        </message>
        <message>
            <source>You can also show your payment code to the scanner or the camera.</source>
            <translation>也可以將付款碼對準掃碼器或攝像頭。</translation>
        </message>
        <message>
            <source>You can apply and pay at the counter instead.</source>
            <translation>您可以到窗口辦理並繳費。</translation>
        </message>
        <message>
            <source>You may also pay at the counter instead.</source>
            <translation>也可以到窗口繳費。</translation>
        </message>
        <message>
            <source>Your payment arrived after the payment was closed. The money is being returned to your account automatically.</source>
            <translation>您的付款在支付關閉後才到賬，款項將原路自動退回。</translation>
        </message>
        <message>
            <source>Your payment arrived as the time ran out; it was accepted.</source>
            <translation>您的付款在逾時之際到賬，已確認收款。</translation>
        </message>
        <message>
            <source>Your wallet did not complete the payment. Nothing was charged.</source>
            <translation>支付未完成，未扣款。</translation>
        </message>
        <message>
            <source>Preparing your payment…</source>
            <translation>正在生成支付訂單…</translation>
        </message>
        <message>
            <source>Scan this QR code with WeChat Pay, Alipay or UnionPay QuickPass and confirm on your phone.</source>
            <translation>請用微信、支付寶或雲閃付掃描此二維碼，並在手機上確認支付。</translation>
        </message>
        <message>
            <source>Payment in progress. Please confirm on your phone if it asks you to.</source>
            <translation>正在支付，如手機提示請輸入密碼確認。</translation>
        </message>
        <message>
            <source>Ending the payment. Please wait for the result…</source>
            <translation>正在關閉支付，請稍候查看結果…</translation>
        </message>
        <message>
            <source>Payment received.</source>
            <translation>已收到付款。</translation>
        </message>
        <message>
            <source>Payments</source>
            <translation>繳費</translation>
        </message>
    </context>
    <context>
        <name>Technician</name>
        <message>
            <source>Payments</source>
            <translation>繳費</translation>
        </message>
        <message>
            <source>Resolve pending</source>
            <translation>處理未完成的支付</translation>
        </message>
    </context>
</TS>
