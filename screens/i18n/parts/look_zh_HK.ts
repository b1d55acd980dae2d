<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_HK">
    <context>
        <name>Kiosk</name>
        <message>
            <source>Previous page</source>
            <translation>上一頁</translation>
        </message>
        <message>
            <source>Next page</source>
            <translation>下一頁</translation>
        </message>
        <message>
            <source>Page %d of %d</source>
            <translation>第 %d 頁，共 %d 頁</translation>
        </message>
        <message>
            <source>Your rating: %s</source>
            <translation>您的評價：%s</translation>
        </message>
        <message>
            <source>Change rating</source>
            <translation>重新評價</translation>
        </message>
        <message>
            <source>Place your ID card on the reader to begin</source>
            <translation>將身份證放在讀卡區即可開始</translation>
        </message>
        <message>
            <source>Popular services</source>
            <translation>熱門事項</translation>
        </message>
        <message>
            <source>Repeat</source>
            <translation>再聽一遍</translation>
        </message>
    </context>
</TS>
