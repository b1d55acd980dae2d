<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
    <context>
        <name>Kiosk</name>
        <message>
            <source>(%d of %d)</source>
            <translation>（%d/%d）</translation>
        </message>
        <message>
            <source>From the photo page of your passport: the chip opens only with these details.</source>
            <translation>请看护照资料页：芯片须凭这些资料才能读取。</translation>
        </message>
        <message>
            <source>Six digits: year, month, day (6 August 1969 = 690806).</source>
            <translation>6 位数字：年、月、日（1969 年 8 月 6 日 = 690806）。</translation>
        </message>
        <message>
            <source>Previous</source>
            <translation>上一步</translation>
        </message>
        <message>
            <source>The number on your receipt, for example GD20261123000001.</source>
            <translation>回执上的编号，例如 GD20261123000001。</translation>
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
            <translation>出示政务应用身份码</translation>
        </message>
    </context>
</TS>
