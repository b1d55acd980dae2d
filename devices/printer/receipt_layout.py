"""What a receipt says and in which order: the printer-independent layout.

Split from devices/printer/receipt.py (issue 13). `layout_receipt()` turns a
`Receipt` into blocks (`TextBlock`, `QrBlock`, `RuleBlock`) in the citizen's
language; devices/printer/receipt.py sends the same blocks to the printer as
ESC/POS (`render_receipt`) and draws them into the preview picture
(`render_receipt_preview`), so the two cannot drift apart.
"""
from __future__ import annotations

from dataclasses import dataclass

from kiosk.core.receipt import Receipt

_WORDS = {
    "zh_CN": {
        "title": "受理回执", "reprint": "补打 / REPRINT", "offline": "已保存，联网后自动提交",
        "service": "办理事项", "applicant": "申请人", "id_number": "证件号码",
        "application_number": "申请编号", "offline_number": "临时受理号",
        "submitted_at": "提交时间", "expected": "预计办结", "materials": "材料清单",
        "qr": "扫码查询办理进度", "kiosk": "自助终端", "hotline": "政务服务热线",
        "keep": "请妥善保管本回执",
        "paid": "已缴费", "payment_reference": "支付流水号", "order_no": "缴款订单号",
    },
    "zh_HK": {
        "title": "受理回執", "reprint": "補打 / REPRINT", "offline": "已保存，聯網後自動提交",
        "service": "辦理事項", "applicant": "申請人", "id_number": "證件號碼",
        "application_number": "申請編號", "offline_number": "臨時受理號",
        "submitted_at": "提交時間", "expected": "預計辦結", "materials": "材料清單",
        "qr": "掃碼查詢辦理進度", "kiosk": "自助終端", "hotline": "政務服務熱線",
        "keep": "請妥善保管本回執",
        "paid": "已繳費", "payment_reference": "支付流水號", "order_no": "繳款訂單號",
    },
    "en": {
        "title": "Application receipt", "reprint": "REPRINT",
        "offline": "Saved - will be submitted automatically when the network is back",
        "service": "Service", "applicant": "Applicant", "id_number": "ID number",
        "application_number": "Application No.", "offline_number": "Reference No.",
        "submitted_at": "Submitted", "expected": "Expected completion", "materials": "Materials",
        "qr": "Scan to check progress", "kiosk": "Kiosk", "hotline": "Hotline",
        "keep": "Please keep this receipt",
        "paid": "Fee paid", "payment_reference": "Payment ref.", "order_no": "Payment order",
    },
}


# --- layout ------------------------------------------------------------------

@dataclass(frozen=True)
class TextBlock:
    text: str
    size: int = 26                # font size in dots for the picture path
    align: str = "left"           # "left" | "center"
    bold: bool = False
    as_printer_text: bool = False  # ASCII the printer prints with its own font (stays in the bytes)
    double: bool = False           # double width and height (printer text)


@dataclass(frozen=True)
class QrBlock:
    payload: str


@dataclass(frozen=True)
class RuleBlock:
    pass


def layout_receipt(receipt: Receipt) -> list:
    words = _WORDS.get(receipt.language)
    if words is None:
        raise ValueError(f"unknown receipt language {receipt.language!r} (known: {', '.join(_WORDS)})")
    colon = ": " if receipt.language == "en" else "："
    blocks: list = [TextBlock(words["title"], size=40, align="center", bold=True)]
    if receipt.reprint:
        blocks.append(TextBlock(words["reprint"], size=30, align="center", bold=True))
    if receipt.queued_offline:
        blocks.append(TextBlock(words["offline"], size=28, align="center", bold=True))
    blocks.append(RuleBlock())
    blocks += [
        TextBlock(f"{words['service']}{colon}{receipt.service_name}"),
        TextBlock(f"{words['applicant']}{colon}{receipt.applicant_name_masked}"),
        TextBlock(f"{words['id_number']}{colon}{receipt.id_number_masked}"),
        RuleBlock(),
        TextBlock(words["offline_number" if receipt.queued_offline else "application_number"]),
        TextBlock(receipt.application_number, size=40, align="center", bold=True,
                  as_printer_text=True, double=True),
        TextBlock(words["submitted_at"]),
        TextBlock(f"{receipt.submitted_at:%Y-%m-%d %H:%M}", as_printer_text=True),
    ]
    if receipt.expected_completion is not None:
        blocks += [TextBlock(words["expected"]),
                   TextBlock(f"{receipt.expected_completion:%Y-%m-%d}", as_printer_text=True)]
    if receipt.paid_amount_fen is not None and receipt.payment_reference:
        blocks += [RuleBlock(),
                   TextBlock(f"{words['paid']}{colon}", bold=True),
                   TextBlock(f"CNY {receipt.paid_amount_fen // 100}.{receipt.paid_amount_fen % 100:02d}",
                             size=32, bold=True, as_printer_text=True),
                   TextBlock(f"{words['payment_reference']}{colon}"),
                   TextBlock(receipt.payment_reference, as_printer_text=True)]
        if receipt.payment_order_no:
            blocks += [TextBlock(f"{words['order_no']}{colon}"),
                       TextBlock(receipt.payment_order_no, as_printer_text=True)]
    if receipt.materials:
        blocks.append(TextBlock(words["materials"] + colon.strip()))
        blocks += [TextBlock(f"{index}. {item}") for index, item in enumerate(receipt.materials, 1)]
    blocks += [
        RuleBlock(),
        QrBlock(receipt.qr_payload),
        TextBlock(words["qr"], align="center"),
        RuleBlock(),
        TextBlock(f"{words['kiosk']}{colon}"),
        TextBlock(receipt.kiosk_id, as_printer_text=True),
        TextBlock(receipt.kiosk_location, size=22),
        TextBlock(f"{words['hotline']}{colon}{receipt.hotline}", align="center", bold=True),
        TextBlock(words["keep"], size=22, align="center"),
    ]
    return blocks
