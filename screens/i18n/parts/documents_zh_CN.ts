<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
    <context>
        <name>Kiosk</name>
        <message>
            <source>%d of at most %d pages</source>
            <translation>%d 页（最多 %d 页）</translation>
        </message>
        <message>
            <source>Hold still — taking the page…</source>
            <translation>请保持不动——正在拍摄……</translation>
        </message>
        <message>
            <source>Hold still: the picture is blurred.</source>
            <translation>请保持不动：画面模糊。</translation>
        </message>
        <message>
            <source>Lay each page flat under the camera, then press "Take this page". The pages go with your application and are not kept on this kiosk.</source>
            <translation>请将每页材料平放在摄像头下，再按“拍摄本页”。材料随申请一并提交，本机不会保存。</translation>
        </message>
        <message>
            <source>Lay the page flat under the camera.</source>
            <translation>请将材料平放在摄像头下。</translation>
        </message>
        <message>
            <source>Move out of the light: there is glare on the page.</source>
            <translation>页面反光，请避开强光。</translation>
        </message>
        <message>
            <source>Or lay the passport open at the photo page under the camera: it reads these details for you.</source>
            <translation>也可以把护照翻到照片页放在摄像头下，由机器自动读取这些信息。</translation>
        </message>
        <message>
            <source>Page %d</source>
            <translation>第 %d 页</translation>
        </message>
        <message>
            <source>Please scan the required material first, or go to the counter.</source>
            <translation>请先拍摄必交材料，或到窗口办理。</translation>
        </message>
        <message>
            <source>Read the photo page with the camera</source>
            <translation>用摄像头读取照片页</translation>
        </message>
        <message>
            <source>Reading the two lines at the bottom of the photo page… Hold the passport open and still under the camera.</source>
            <translation>正在读取照片页底部的两行字符……请将护照摊开，在摄像头下保持不动。</translation>
        </message>
        <message>
            <source>Retake</source>
            <translation>重拍</translation>
        </message>
        <message>
            <source>Scan documents (%d pages)</source>
            <translation>拍摄材料（已拍 %d 页）</translation>
        </message>
        <message>
            <source>Scan your documents</source>
            <translation>拍摄申请材料</translation>
        </message>
        <message>
            <source>Take this page</source>
            <translation>拍摄本页</translation>
        </message>
        <message>
            <source>Taking the page…</source>
            <translation>正在拍摄……</translation>
        </message>
        <message>
            <source>The camera could not read the two lines at the bottom of the photo page. Please type the details, or try again with the page flat and well lit.</source>
            <translation>摄像头未能读取照片页底部的两行字符。请手动输入，或将照片页放平、在光线充足处重试。</translation>
        </message>
        <message>
            <source>The camera is not available. Please type the details from the photo page.</source>
            <translation>摄像头暂不可用，请按照片页手动输入。</translation>
        </message>
        <message>
            <source>The camera read the lines at the bottom of the photo page, but their check digits do not add up, so they were not used. Please type the details.</source>
            <translation>已读取照片页底部的字符，但校验位不符，未予采用。请手动输入。</translation>
        </message>
        <message>
            <source>The document camera is not available. Please bring this material to the counter.</source>
            <translation>材料摄像头暂不可用，请将此材料带到窗口办理。</translation>
        </message>
        <message>
            <source>The page looks good. Press "Take this page".</source>
            <translation>页面清晰，请按“拍摄本页”。</translation>
        </message>
        <message>
            <source>The passport did not accept the details the camera read. Please type them from the photo page.</source>
            <translation>护照芯片未接受摄像头读取的信息，请按照片页手动输入。</translation>
        </message>
        <message>
            <source>The whole page must be visible. Move it towards the middle.</source>
            <translation>整页都要在画面内，请往中间移动。</translation>
        </message>
        <message>
            <source>This material already has its most pages. Retake a page, or choose another material.</source>
            <translation>此材料已达页数上限。可重拍某页，或选择其他材料。</translation>
        </message>
        <message>
            <source>Too dark. Please move the page into the light.</source>
            <translation>太暗了，请把材料移到光线充足处。</translation>
        </message>
        <message>
            <source>Type instead</source>
            <translation>改为手动输入</translation>
        </message>
        <message>
            <source>optional</source>
            <translation>可选</translation>
        </message>
        <message>
            <source>required</source>
            <translation>必交</translation>
        </message>
    </context>
    <context>
        <name>Technician</name>
        <message>
            <source>Document camera</source>
            <translation>材料摄像头</translation>
        </message>
        <message>
            <source>Lay a page under the document camera and press 'Start test'.</source>
            <translation>在材料摄像头下放一页纸，然后按“开始测试”。</translation>
        </message>
        <message>
            <source>Start test</source>
            <translation>开始测试</translation>
        </message>
    </context>
</TS>
