<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
    <context>
        <name>Kiosk</name>
        <message>
            <source>%d page(s) printed. Take your document from the A4 printer. Its QR code lets anyone check it with the issuer.</source>
            <translation>已打印 %d 页。请从A4打印机取走您的证明。凭页面上的二维码可向签发机关核验。</translation>
        </message>
        <message>
            <source>A printer door is open. Staff have been told. When it is closed, press Print again.</source>
            <translation>打印机舱门未关好，已通知工作人员。关好后请按“重新打印”。</translation>
        </message>
        <message>
            <source>Another document</source>
            <translation>打印其他证照</translation>
        </message>
        <message>
            <source>Certificates cannot be printed at this kiosk today. Please go to the counter.</source>
            <translation>本机今日暂不能打印证照，请到窗口办理。</translation>
        </message>
        <message>
            <source>Checking the issuer's signature…</source>
            <translation>正在核验签发机关的电子签章…</translation>
        </message>
        <message>
            <source>Choose the document and check the preview</source>
            <translation>选择证照并核对预览</translation>
        </message>
        <message>
            <source>Choose the document to print on A4 paper.</source>
            <translation>请选择要用A4纸打印的证照。</translation>
        </message>
        <message>
            <source>Looking up your licences…</source>
            <translation>正在查询您的电子证照…</translation>
        </message>
        <message>
            <source>No licence of these kinds is on record for you.</source>
            <translation>未查到您名下的此类证照。</translation>
        </message>
        <message>
            <source>Not printed</source>
            <translation>未能打印</translation>
        </message>
        <message>
            <source>Please wait by the A4 printer. The kiosk checks that every page comes out.</source>
            <translation>请在A4打印机旁稍候，本机会确认每一页都已打印。</translation>
        </message>
        <message>
            <source>Preview</source>
            <translation>预览</translation>
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
            <translation>签章核验通过：由下列机关签发给您本人。共 %d 页A4。</translation>
        </message>
        <message>
            <source>Issued by: %s</source>
            <translation>颁发机构：%s</translation>
        </message>
        <message>
            <source>Take it from the A4 printer</source>
            <translation>从A4打印机取件</translation>
        </message>
        <message>
            <source>The A4 printer is not available right now. Please go to the counter.</source>
            <translation>A4打印机暂不可用，请到窗口办理。</translation>
        </message>
        <message>
            <source>The document could not be fetched. Please try again or go to the counter.</source>
            <translation>未能获取证照，请重试或到窗口办理。</translation>
        </message>
        <message>
            <source>The document could not be printed. Please try again or go to the counter.</source>
            <translation>证照未能打印，请重试或到窗口办理。</translation>
        </message>
        <message>
            <source>The document could not be read. Nothing was printed. Please go to the counter.</source>
            <translation>证照文件无法读取，未打印任何内容，请到窗口办理。</translation>
        </message>
        <message>
            <source>The document failed the authenticity check. Nothing was printed. Please go to the counter.</source>
            <translation>证照未通过真实性核验，未打印任何内容，请到窗口办理。</translation>
        </message>
        <message>
            <source>The document is not signed by a recognised issuer. Nothing was printed.</source>
            <translation>证照不是由认可的签发机关签章，未打印任何内容。</translation>
        </message>
        <message>
            <source>The paper jammed. Staff have been told. When it is fixed, press Print again.</source>
            <translation>打印机卡纸，已通知工作人员。处理好后请按“重新打印”。</translation>
        </message>
        <message>
            <source>The printer did not finish in time; the job was cancelled. Take any partly printed pages to the counter. Press Print again when the printer is fixed.</source>
            <translation>打印超时，任务已取消。如有打印了一部分的纸张，请交到窗口。打印机修复后请按“重新打印”。</translation>
        </message>
        <message>
            <source>The printer ran out of paper. Staff have been told. When it is fixed, press Print again: you will not pay twice.</source>
            <translation>打印机缺纸，已通知工作人员。加纸后请按“重新打印”，不会重复收费。</translation>
        </message>
        <message>
            <source>This document does not belong to you. Nothing was printed.</source>
            <translation>该证照不属于您本人，未打印任何内容。</translation>
        </message>
        <message>
            <source>This document has a fee; paying at this kiosk is not available yet. Please go to the counter.</source>
            <translation>该证照需收费，本机暂不支持缴费，请到窗口办理。</translation>
        </message>
        <message>
            <source>This document has already been printed.</source>
            <translation>该证照已打印。</translation>
        </message>
        <message>
            <source>This licence has been revoked by its issuer. It cannot be printed.</source>
            <translation>该证照已被签发机关注销，不能打印。</translation>
        </message>
        <message>
            <source>This licence has expired. It cannot be printed.</source>
            <translation>该证照已过有效期，不能打印。</translation>
        </message>
        <message>
            <source>Your electronic licences</source>
            <translation>您的电子证照</translation>
        </message>
        <message>
            <source>Your licences</source>
            <translation>选择证照</translation>
        </message>
        <message>
            <source>Your licences could not be fetched. Please try again later or go to the counter.</source>
            <translation>暂时无法查询您的证照，请稍后再试或到窗口办理。</translation>
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
            <translation>A4打印机</translation>
        </message>
        <message>
            <source>Test page</source>
            <translation>打印测试页</translation>
        </message>
    </context>
</TS>
