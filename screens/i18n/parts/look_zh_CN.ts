<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
    <context>
        <name>Kiosk</name>
        <message>
            <source>Previous page</source>
            <translation>上一页</translation>
        </message>
        <message>
            <source>Next page</source>
            <translation>下一页</translation>
        </message>
        <message>
            <source>Page %d of %d</source>
            <translation>第 %d 页，共 %d 页</translation>
        </message>
        <message>
            <source>Your rating: %s</source>
            <translation>您的评价：%s</translation>
        </message>
        <message>
            <source>Change rating</source>
            <translation>重新评价</translation>
        </message>
        <message>
            <source>Place your ID card on the reader to begin</source>
            <translation>将身份证放在读卡区即可开始</translation>
        </message>
        <message>
            <source>Popular services</source>
            <translation>热门事项</translation>
        </message>
        <message>
            <source>Repeat</source>
            <translation>再听一遍</translation>
        </message>
    </context>
</TS>
