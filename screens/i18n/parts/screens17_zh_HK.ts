<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_HK">
    <context>
        <name>Kiosk</name>
        <message>
            <source>(%d of %d)</source>
            <translation>（%d/%d）</translation>
        </message>
        <message>
            <source>From the photo page of your passport: the chip opens only with these details.</source>
            <translation>請看護照資料頁：晶片須憑這些資料才能讀取。</translation>
        </message>
        <message>
            <source>Six digits: year, month, day (6 August 1969 = 690806).</source>
            <translation>6 位數字：年、月、日（1969 年 8 月 6 日 = 690806）。</translation>
        </message>
        <message>
            <source>Previous</source>
            <translation>上一步</translation>
        </message>
        <message>
            <source>The number on your receipt, for example GD20261123000001.</source>
            <translation>回執上的編號，例如 GD20261123000001。</translation>
        </message>
        <message>
            <source>Date of birth</source>
            <translation>出生日期</translation>
        </message>
        <message>
            <source>Date of expiry</source>
            <translation>有效期至</translation>
        </message>
        <message>
            <source>Show the app's identity code</source>
            <translation>出示政府應用程式身份碼</translation>
        </message>
    </context>
</TS>
