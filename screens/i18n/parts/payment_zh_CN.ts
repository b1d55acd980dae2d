<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
    <context>
        <name>Kiosk</name>
        <message>
            <source>Amount: %s</source>
            <translation>应缴金额：%s</translation>
        </message>
        <message>
            <source>Cancel payment</source>
            <translation>取消支付</translation>
        </message>
        <message>
            <source>Check the balance or the payment method on your phone and press Try again.</source>
            <translation>请检查手机上的余额或支付方式，然后按“重试”。</translation>
        </message>
        <message>
            <source>Fee paid: %s</source>
            <translation>已缴费：%s</translation>
        </message>
        <message>
            <source>Fee: %s</source>
            <translation>收费：%s</translation>
        </message>
        <message>
            <source>If money was taken, your application is submitted or the money returned automatically. Please show this screen to staff.</source>
            <translation>如已扣款，系统会自动提交您的申请或原路退款。请将此画面出示给工作人员。</translation>
        </message>
        <message>
            <source>Next you pay %s by QR code (WeChat Pay, Alipay, UnionPay).</source>
            <translation>下一步请扫码支付 %s（微信支付、支付宝、云闪付）。</translation>
        </message>
        <message>
            <source>No fee is due for you: %s</source>
            <translation>您无需缴费：%s</translation>
        </message>
        <message>
            <source>Nothing is charged until you confirm on your phone. If the time runs out, the payment is closed.</source>
            <translation>在您手机上确认之前不会扣款。超时后本次支付将自动关闭。</translation>
        </message>
        <message>
            <source>Nothing was submitted. Press Finish and start again, or go to the counter.</source>
            <translation>申请未提交。请按“完成”后重新办理，或到窗口办理。</translation>
        </message>
        <message>
            <source>Pay here by scanning a QR code with WeChat Pay, Alipay or UnionPay, or show your payment code.</source>
            <translation>可在本机用微信支付、支付宝或云闪付扫码缴费，或出示付款码。</translation>
        </message>
        <message>
            <source>Pay the fee</source>
            <translation>缴纳费用</translation>
        </message>
        <message>
            <source>Paying needs the network, which is not available now.</source>
            <translation>缴费需要联网，目前网络不可用。</translation>
        </message>
        <message>
            <source>Payment order: %s</source>
            <translation>缴款订单号：%s</translation>
        </message>
        <message>
            <source>Payment reference: %s</source>
            <translation>支付流水号：%s</translation>
        </message>
        <message>
            <source>Please apply and pay at the counter.</source>
            <translation>请到窗口办理并缴费。</translation>
        </message>
        <message>
            <source>Please go to the counter. Staff have been notified.</source>
            <translation>请到窗口办理，已通知工作人员。</translation>
        </message>
        <message>
            <source>Press Try again for a new QR code, or pay at the counter.</source>
            <translation>按“重试”获取新的二维码，或到窗口缴费。</translation>
        </message>
        <message>
            <source>Press Try again in a moment, or apply and pay at the counter.</source>
            <translation>请稍后按“重试”，或到窗口办理并缴费。</translation>
        </message>
        <message>
            <source>That was not a payment code. Please open the payment code in your wallet app and show it again.</source>
            <translation>这不是付款码。请在支付应用中打开付款码后重新出示。</translation>
        </message>
        <message>
            <source>The payment could not be prepared correctly. Nothing was charged.</source>
            <translation>支付订单生成异常，未扣款。</translation>
        </message>
        <message>
            <source>The payment service is not answering right now. Nothing was charged.</source>
            <translation>支付服务暂时无响应，未扣款。</translation>
        </message>
        <message>
            <source>The payment time ran out. Nothing was charged.</source>
            <translation>支付已超时，未扣款。</translation>
        </message>
        <message>
            <source>Time left: %s</source>
            <translation>剩余时间：%s</translation>
        </message>
        <message>
            <source>We could not confirm your payment yet.</source>
            <translation>暂时无法确认您的支付结果。</translation>
        </message>
        <message>
            <source>You can also show your payment code to the scanner or the camera.</source>
            <translation>也可以将付款码对准扫码器或摄像头。</translation>
        </message>
        <message>
            <source>You can apply and pay at the counter instead.</source>
            <translation>您可以到窗口办理并缴费。</translation>
        </message>
        <message>
            <source>You may also pay at the counter instead.</source>
            <translation>也可以到窗口缴费。</translation>
        </message>
        <message>
            <source>Your payment arrived after the payment was closed. The money is being returned to your account automatically.</source>
            <translation>您的付款在支付关闭后才到账，款项将原路自动退回。</translation>
        </message>
        <message>
            <source>Your payment arrived as the time ran out; it was accepted.</source>
            <translation>您的付款在超时之际到账，已确认收款。</translation>
        </message>
        <message>
            <source>Your wallet did not complete the payment. Nothing was charged.</source>
            <translation>支付未完成，未扣款。</translation>
        </message>
        <message>
            <source>Preparing your payment…</source>
            <translation>正在生成支付订单…</translation>
        </message>
        <message>
            <source>Scan this QR code with WeChat Pay, Alipay or UnionPay QuickPass and confirm on your phone.</source>
            <translation>请用微信、支付宝或云闪付扫描此二维码，并在手机上确认支付。</translation>
        </message>
        <message>
            <source>Payment in progress. Please confirm on your phone if it asks you to.</source>
            <translation>正在支付，如手机提示请输入密码确认。</translation>
        </message>
        <message>
            <source>Ending the payment. Please wait for the result…</source>
            <translation>正在关闭支付，请稍候查看结果…</translation>
        </message>
        <message>
            <source>Payment received.</source>
            <translation>已收到付款。</translation>
        </message>
        <message>
            <source>Payments</source>
            <translation>缴费</translation>
        </message>
    </context>
    <context>
        <name>Technician</name>
        <message>
            <source>Payments</source>
            <translation>缴费</translation>
        </message>
        <message>
            <source>Resolve pending</source>
            <translation>处理未完成的支付</translation>
        </message>
    </context>
</TS>
