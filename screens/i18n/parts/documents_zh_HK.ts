<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_HK">
    <context>
        <name>Kiosk</name>
        <message>
            <source>%d of at most %d pages</source>
            <translation>%d 頁（最多 %d 頁）</translation>
        </message>
        <message>
            <source>Hold still — taking the page…</source>
            <translation>請保持不動——正在拍攝……</translation>
        </message>
        <message>
            <source>Hold still: the picture is blurred.</source>
            <translation>請保持不動：畫面模糊。</translation>
        </message>
        <message>
            <source>Lay each page flat under the camera, then press "Take this page". The pages go with your application and are not kept on this kiosk.</source>
            <translation>請將每頁文件平放在鏡頭下，再按「拍攝本頁」。文件隨申請一併提交，本機不會保存。</translation>
        </message>
        <message>
            <source>Lay the page flat under the camera.</source>
            <translation>請將文件平放在鏡頭下。</translation>
        </message>
        <message>
            <source>Move out of the light: there is glare on the page.</source>
            <translation>頁面反光，請避開強光。</translation>
        </message>
        <message>
            <source>Or lay the passport open at the photo page under the camera: it reads these details for you.</source>
            <translation>亦可把護照翻到相片頁放在鏡頭下，由機器自動讀取這些資料。</translation>
        </message>
        <message>
            <source>Page %d</source>
            <translation>第 %d 頁</translation>
        </message>
        <message>
            <source>Please scan the required material first, or go to the counter.</source>
            <translation>請先拍攝必須提交的文件，或到櫃位辦理。</translation>
        </message>
        <message>
            <source>Read the photo page with the camera</source>
            <translation>用鏡頭讀取相片頁</translation>
        </message>
        <message>
            <source>Reading the two lines at the bottom of the photo page… Hold the passport open and still under the camera.</source>
            <translation>正在讀取相片頁底部的兩行字元……請將護照打開，在鏡頭下保持不動。</translation>
        </message>
        <message>
            <source>Retake</source>
            <translation>重拍</translation>
        </message>
        <message>
            <source>Scan documents (%d pages)</source>
            <translation>拍攝文件（已拍 %d 頁）</translation>
        </message>
        <message>
            <source>Scan your documents</source>
            <translation>拍攝申請文件</translation>
        </message>
        <message>
            <source>Take this page</source>
            <translation>拍攝本頁</translation>
        </message>
        <message>
            <source>Taking the page…</source>
            <translation>正在拍攝……</translation>
        </message>
        <message>
            <source>The camera could not read the two lines at the bottom of the photo page. Please type the details, or try again with the page flat and well lit.</source>
            <translation>鏡頭未能讀取相片頁底部的兩行字元。請手動輸入，或將相片頁放平、在光線充足處重試。</translation>
        </message>
        <message>
            <source>The camera is not available. Please type the details from the photo page.</source>
            <translation>鏡頭暫不可用，請按相片頁手動輸入。</translation>
        </message>
        <message>
            <source>The camera read the lines at the bottom of the photo page, but their check digits do not add up, so they were not used. Please type the details.</source>
            <translation>已讀取相片頁底部的字元，但校驗位不符，未予採用。請手動輸入。</translation>
        </message>
        <message>
            <source>The document camera is not available. Please bring this material to the counter.</source>
            <translation>文件鏡頭暫不可用，請將此文件帶到櫃位辦理。</translation>
        </message>
        <message>
            <source>The page looks good. Press "Take this page".</source>
            <translation>頁面清晰，請按「拍攝本頁」。</translation>
        </message>
        <message>
            <source>The passport did not accept the details the camera read. Please type them from the photo page.</source>
            <translation>護照晶片未接受鏡頭讀取的資料，請按相片頁手動輸入。</translation>
        </message>
        <message>
            <source>The whole page must be visible. Move it towards the middle.</source>
            <translation>整頁都要在畫面內，請向中間移動。</translation>
        </message>
        <message>
            <source>This material already has its most pages. Retake a page, or choose another material.</source>
            <translation>此文件已達頁數上限。可重拍某頁，或選擇其他文件。</translation>
        </message>
        <message>
            <source>Too dark. Please move the page into the light.</source>
            <translation>太暗了，請把文件移到光線充足處。</translation>
        </message>
        <message>
            <source>Type instead</source>
            <translation>改為手動輸入</translation>
        </message>
        <message>
            <source>optional</source>
            <translation>可選</translation>
        </message>
        <message>
            <source>required</source>
            <translation>必須</translation>
        </message>
    </context>
    <context>
        <name>Technician</name>
        <message>
            <source>Document camera</source>
            <translation>文件鏡頭</translation>
        </message>
        <message>
            <source>Lay a page under the document camera and press 'Start test'.</source>
            <translation>在文件鏡頭下放一頁紙，然後按「開始測試」。</translation>
        </message>
        <message>
            <source>Start test</source>
            <translation>開始測試</translation>
        </message>
    </context>
</TS>
