<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
    <context>
        <name>Kiosk</name>
        <message>
            <source>Ask staff for help</source>
            <translation>请工作人员帮忙</translation>
        </message>
        <message>
            <source>Choose a department</source>
            <translation>请选择部门</translation>
        </message>
        <message>
            <source>Clear</source>
            <translation>清空</translation>
        </message>
        <message>
            <source>Departments</source>
            <translation>按部门</translation>
        </message>
        <message>
            <source>Life events</source>
            <translation>按人生大事</translation>
        </message>
        <message>
            <source>Next page</source>
            <translation>下一页</translation>
        </message>
        <message>
            <source>Nothing found. Check the letters or type fewer, or go back and browse Departments and Life events. Staff can also help you.</source>
            <translation>没有找到。请少输几个字母，或按部门查找。</translation>
        </message>
        <message>
            <source>Page %d of %d</source>
            <translation>第 %d 页，共 %d 页</translation>
        </message>
        <message>
            <source>Please ask at the counter.</source>
            <translation>请到窗口咨询。</translation>
        </message>
        <message>
            <source>Popular</source>
            <translation>常用事项</translation>
        </message>
        <message>
            <source>Previous page</source>
            <translation>上一页</translation>
        </message>
        <message>
            <source>Search is getting ready. Meanwhile, browse Popular, Departments or Life events.</source>
            <translation>查询功能正在准备，请先按常用事项、部门或人生大事查找。</translation>
        </message>
        <message>
            <source>Take a queue ticket</source>
            <translation>在本机取号</translation>
        </message>
        <message>
            <source>This kiosk cannot do this service. Where to go:</source>
            <translation>本机暂不能办理此事项，请按以下方式办理：</translation>
        </message>
        <message>
            <source>Type the first letter of each pinyin syllable (G L J T finds the elderly allowance), whole pinyin, or an English word.</source>
            <translation>请输入拼音首字母（如 G L J T 查“高龄津贴”）、完整拼音或英文单词。</translation>
        </message>
        <message>
            <source>What is happening in your life?</source>
            <translation>您遇到了什么事？</translation>
        </message>
        <message>
            <source>→ At a counter</source>
            <translation>→ 到窗口办理</translation>
        </message>
        <message>
            <source>→ By appointment</source>
            <translation>→ 预约后到窗口办理</translation>
        </message>
        <message>
            <source>→ By telephone</source>
            <translation>→ 电话办理</translation>
        </message>
        <message>
            <source>→ On your phone</source>
            <translation>→ 用手机办理</translation>
        </message>
        <message>
            <source>✓ At this kiosk</source>
            <translation>✓ 本机可办</translation>
        </message>
    </context>
</TS>
