<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_HK">
    <context>
        <name>Kiosk</name>
        <message>
            <source>Ask staff for help</source>
            <translation>請工作人員幫忙</translation>
        </message>
        <message>
            <source>Choose a department</source>
            <translation>請選擇部門</translation>
        </message>
        <message>
            <source>Clear</source>
            <translation>清除</translation>
        </message>
        <message>
            <source>Departments</source>
            <translation>按部門</translation>
        </message>
        <message>
            <source>Life events</source>
            <translation>按人生大事</translation>
        </message>
        <message>
            <source>Next page</source>
            <translation>下一頁</translation>
        </message>
        <message>
            <source>Nothing found. Check the letters or type fewer, or go back and browse Departments and Life events. Staff can also help you.</source>
            <translation>沒有找到。請少輸幾個字母，或按部門查找。</translation>
        </message>
        <message>
            <source>Page %d of %d</source>
            <translation>第 %d 頁，共 %d 頁</translation>
        </message>
        <message>
            <source>Please ask at the counter.</source>
            <translation>請到窗口查詢。</translation>
        </message>
        <message>
            <source>Popular</source>
            <translation>常用事項</translation>
        </message>
        <message>
            <source>Previous page</source>
            <translation>上一頁</translation>
        </message>
        <message>
            <source>Search is getting ready. Meanwhile, browse Popular, Departments or Life events.</source>
            <translation>查詢功能正在準備，請先按常用事項、部門或人生大事查找。</translation>
        </message>
        <message>
            <source>Take a queue ticket</source>
            <translation>在本機取號</translation>
        </message>
        <message>
            <source>This kiosk cannot do this service. Where to go:</source>
            <translation>本機暫不能辦理此事項，請按以下方式辦理：</translation>
        </message>
        <message>
            <source>Type the first letter of each pinyin syllable (G L J T finds the elderly allowance), whole pinyin, or an English word.</source>
            <translation>請輸入拼音首字母（如 G L J T 查「高齡津貼」）、完整拼音或英文單詞。</translation>
        </message>
        <message>
            <source>What is happening in your life?</source>
            <translation>您遇到了甚麼事？</translation>
        </message>
        <message>
            <source>→ At a counter</source>
            <translation>→ 到窗口辦理</translation>
        </message>
        <message>
            <source>→ By appointment</source>
            <translation>→ 預約後到窗口辦理</translation>
        </message>
        <message>
            <source>→ By telephone</source>
            <translation>→ 電話辦理</translation>
        </message>
        <message>
            <source>→ On your phone</source>
            <translation>→ 用手機辦理</translation>
        </message>
        <message>
            <source>✓ At this kiosk</source>
            <translation>✓ 本機可辦</translation>
        </message>
    </context>
</TS>
