<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_HK">
    <context>
        <name>Technician</name>
        <message>
            <source>Configuration</source>
            <translation>設定</translation>
        </message>
    </context>
</TS>
