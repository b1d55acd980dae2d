<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_HK">
    <context>
        <name>Kiosk</name>
        <message>
            <source>%d page(s) printed. Take your document from the A4 printer. Its QR code lets anyone check it with the issuer.</source>
            <translation>已打印 %d 頁。請從A4打印機取走您的證明。憑頁面上的二維碼可向簽發機關核驗。</translation>
        </message>
        <message>
            <source>A printer door is open. Staff have been told. When it is closed, press Print again.</source>
            <translation>打印機艙門未關好，已通知工作人員。關好後請按「重新打印」。</translation>
        </message>
        <message>
            <source>Another document</source>
            <translation>打印其他證照</translation>
        </message>
        <message>
            <source>Certificates cannot be printed at this kiosk today. Please go to the counter.</source>
            <translation>本機今日暫不能打印證照，請到窗口辦理。</translation>
        </message>
        <message>
            <source>Checking the issuer's signature…</source>
            <translation>正在核驗簽發機關的電子簽章…</translation>
        </message>
        <message>
            <source>Choose the document and check the preview</source>
            <translation>選擇證照並核對預覽</translation>
        </message>
        <message>
            <source>Choose the document to print on A4 paper.</source>
            <translation>請選擇要以A4紙打印的證照。</translation>
        </message>
        <message>
            <source>Looking up your licences…</source>
            <translation>正在查詢您的電子證照…</translation>
        </message>
        <message>
            <source>No licence of these kinds is on record for you.</source>
            <translation>未查到您名下的此類證照。</translation>
        </message>
        <message>
            <source>Not printed</source>
            <translation>未能打印</translation>
        </message>
        <message>
            <source>Please wait by the A4 printer. The kiosk checks that every page comes out.</source>
            <translation>請在A4打印機旁稍候，本機會確認每一頁都已打印。</translation>
        </message>
        <message>
            <source>Preview</source>
            <translation>預覽</translation>
        </message>
        <message>
            <source>Print</source>
            <translation>打印</translation>
        </message>
        <message>
            <source>Print again</source>
            <translation>重新打印</translation>
        </message>
        <message>
            <source>Print on A4</source>
            <translation>A4打印</translation>
        </message>
        <message>
            <source>Printed</source>
            <translation>打印完成</translation>
        </message>
        <message>
            <source>Printing…</source>
            <translation>正在打印…</translation>
        </message>
        <message>
            <source>Signature verified: issued by the authority below, to you. %d page(s) on A4.</source>
            <translation>簽章核驗通過：由下列機關簽發給您本人。共 %d 頁A4。</translation>
        </message>
        <message>
            <source>Issued by: %s</source>
            <translation>頒發機構：%s</translation>
        </message>
        <message>
            <source>Take it from the A4 printer</source>
            <translation>從A4打印機取件</translation>
        </message>
        <message>
            <source>The A4 printer is not available right now. Please go to the counter.</source>
            <translation>A4打印機暫不可用，請到窗口辦理。</translation>
        </message>
        <message>
            <source>The document could not be fetched. Please try again or go to the counter.</source>
            <translation>未能獲取證照，請重試或到窗口辦理。</translation>
        </message>
        <message>
            <source>The document could not be printed. Please try again or go to the counter.</source>
            <translation>證照未能打印，請重試或到窗口辦理。</translation>
        </message>
        <message>
            <source>The document could not be read. Nothing was printed. Please go to the counter.</source>
            <translation>證照文件無法讀取，未打印任何內容，請到窗口辦理。</translation>
        </message>
        <message>
            <source>The document failed the authenticity check. Nothing was printed. Please go to the counter.</source>
            <translation>證照未通過真實性核驗，未打印任何內容，請到窗口辦理。</translation>
        </message>
        <message>
            <source>The document is not signed by a recognised issuer. Nothing was printed.</source>
            <translation>證照不是由認可的簽發機關簽章，未打印任何內容。</translation>
        </message>
        <message>
            <source>The paper jammed. Staff have been told. When it is fixed, press Print again.</source>
            <translation>打印機卡紙，已通知工作人員。處理好後請按「重新打印」。</translation>
        </message>
        <message>
            <source>The printer did not finish in time; the job was cancelled. Take any partly printed pages to the counter. Press Print again when the printer is fixed.</source>
            <translation>打印逾時，任務已取消。如有打印了一部分的紙張，請交到窗口。打印機修復後請按「重新打印」。</translation>
        </message>
        <message>
            <source>The printer ran out of paper. Staff have been told. When it is fixed, press Print again: you will not pay twice.</source>
            <translation>打印機缺紙，已通知工作人員。加紙後請按「重新打印」，不會重複收費。</translation>
        </message>
        <message>
            <source>This document does not belong to you. Nothing was printed.</source>
            <translation>該證照不屬於您本人，未打印任何內容。</translation>
        </message>
        <message>
            <source>This document has a fee; paying at this kiosk is not available yet. Please go to the counter.</source>
            <translation>該證照需收費，本機暫不支援繳費，請到窗口辦理。</translation>
        </message>
        <message>
            <source>This document has already been printed.</source>
            <translation>該證照已打印。</translation>
        </message>
        <message>
            <source>This licence has been revoked by its issuer. It cannot be printed.</source>
            <translation>該證照已被簽發機關註銷，不能打印。</translation>
        </message>
        <message>
            <source>This licence has expired. It cannot be printed.</source>
            <translation>該證照已過有效期，不能打印。</translation>
        </message>
        <message>
            <source>Your electronic licences</source>
            <translation>您的電子證照</translation>
        </message>
        <message>
            <source>Your licences</source>
            <translation>選擇證照</translation>
        </message>
        <message>
            <source>Your licences could not be fetched. Please try again later or go to the counter.</source>
            <translation>暫時無法查詢您的證照，請稍後再試或到窗口辦理。</translation>
        </message>
        <message>
            <source>valid until %s</source>
            <translation>有效期至 %s</translation>
        </message>
    </context>
    <context>
        <name>Technician</name>
        <message>
            <source>A4 printer</source>
            <translation>A4打印機</translation>
        </message>
        <message>
            <source>Test page</source>
            <translation>打印測試頁</translation>
        </message>
    </context>
</TS>
