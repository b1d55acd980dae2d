"""Every citizen-facing string, in English source form, translated by Qt.

Screens call `tr("...")`; Qt's QTranslator (loaded by kiosk.i18n from the
compiled .qm of screens/i18n/kiosk_<lang>.ts) turns it into the session's
language. Message keys that come from the session state machine (error keys,
field validation keys) are mapped to source strings here so that the core
stays free of presentation text.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from kiosk.core import check_messages

CONTEXT = "Kiosk"


def tr(source: str) -> str:
    return QCoreApplication.translate(CONTEXT, source)


def id_document_message(key: str) -> tuple[str, str]:
    """(message, way forward) for an ID-card failure key, in the current UI language.

    The keys and English sources are kiosk.core.check_messages' (context `IdDocument`);
    unknown keys give the generic "could not be read" pair.
    """
    source, action = check_messages.source_message(key)
    return (QCoreApplication.translate(check_messages.CONTEXT, source),
            QCoreApplication.translate(check_messages.CONTEXT, action))


# Error keys from kiosk.core.session -> (message, way forward)
ERROR_MESSAGES = {
    "card_timeout": ("No ID card was detected.",
                     "Place your ID card flat on the reader and press Try again."),
    "card_card_removed": ("The card was removed before it could be read.",
                          "Leave the card on the reader until you hear the beep, then press Try again."),
    "card_unreadable": ("The card could not be read.",
                        "Wipe the card and press Try again. If it still fails, please ask at the counter."),
    "card_device_offline": ("The card reader is not working right now.",
                            "Please ask staff for help or use the counter. The technician has been notified."),
    "card_cancelled": ("Reading the card was stopped.", "Press Try again to read it again."),
    "card_invalid_document": ("The details on this card did not pass the security checks.",
                              "Please go to the counter with your card."),
    "card_expired": ("This ID card has expired.",
                     "An expired card cannot be used here. Please go to the counter."),
    "card_type_not_accepted": ("This type of card cannot be used for this service.",
                               "Please go to the counter, or choose another service."),
    "too_young": ("Your age does not meet this service's requirement.",
                  "Staff at the counter can advise you on other support."),
    "face_not_matched": ("We could not confirm that you are the card holder.",
                         "Look straight at the camera, remove hat or glasses, and press Try again."),
    "face_timeout": ("We could not see your face clearly in time.",
                     "Stand in front of the screen, look at the camera, and press Try again."),
    "face_no_reference_face": ("The photo on the card could not be used.",
                               "Please go to the counter to confirm your identity."),
    "face_no_photo_on_record": ("No photo is on record for this ID number, so it cannot be checked here.",
                                "Please check the number, or go to the counter."),
    "face_reference_unavailable": ("The photo on record cannot be fetched right now (no connection to the "
                                   "government platform).",
                                   "Press Try again, use your ID card if you have it, or go to the counter."),
    "face_worker_failed": ("Face verification is not available right now.",
                           "Please go to the counter. The technician has been notified."),
    "face_camera_unavailable": ("The camera is not working right now.",
                                "Please go to the counter. The technician has been notified."),
    "face_liveness_failed": ("We could not confirm that a live person is in front of the camera.",
                             "Face the camera yourself (not a photo or a screen), follow the instruction, "
                             "and press Try again."),
    "face_no_face": ("Nobody was seen in front of the camera.",
                     "Stand in front of the screen, look at the camera, and press Try again."),
    "face_multiple_faces": ("More than one person was in front of the camera.",
                            "Only the card holder may stand in front of the camera. Press Try again."),
    "face_go_to_counter": ("Your identity could not be confirmed after three tries.",
                           "Please go to the counter; staff will help you with your ID card."),
    "card_mrz_go_to_counter": ("The passport could not be opened with the details entered.",
                               "Please ask at the counter; staff will help you."),
    "submit_rejected": ("The platform did not accept this application.",
                        "Please go to the counter; staff can see what needs to be corrected."),
    # 统一支付 (kiosk/core/session_payment.py PAYMENT_ERRORS; docs/payment.md fault table)
    "payment_timeout": ("The payment time ran out. Nothing was charged.",
                        "Press Try again for a new QR code, or pay at the counter."),
    "payment_failed": ("Your wallet did not complete the payment. Nothing was charged.",
                       "Check the balance or the payment method on your phone and press Try again."),
    "payment_refunded": ("Your payment arrived after the payment was closed. The money is being returned "
                         "to your account automatically.",
                         "Nothing was submitted. Press Finish and start again, or go to the counter."),
    "payment_amount_mismatch": ("The payment could not be prepared correctly. Nothing was charged.",
                                "Please go to the counter. Staff have been notified."),
    "payment_unavailable": ("The payment service is not answering right now. Nothing was charged.",
                            "Press Try again in a moment, or apply and pay at the counter."),
    "payment_unresolved": ("We could not confirm your payment yet.",
                           "If money was taken, your application is submitted or the money returned "
                           "automatically. Please show this screen to staff."),
    "payment_offline": ("Paying needs the network, which is not available now.",
                        "Please apply and pay at the counter."),
    "submit_not_saved": ("Your application could not be saved. Nothing was submitted.",
                         "Press Try again. If it fails again, please ask at the counter."),
    "submit_not_confirmed": ("We could not confirm that your application was saved.",
                             "Please ask at the counter; staff can check whether it arrived."),
}

FIELD_ERRORS = {
    "required": "This field is required.",
    "invalid_phone": "Enter an 11-digit mobile number starting with 1.",
    "invalid_digits": "Digits only, please.",
    "invalid_text": "Please check this field.",
    "invalid_id_number": "This ID number is not valid.",
    "invalid_latin": "Capital letters and digits only, please.",
    "invalid_choice": "Please choose one of the options.",
    "too_long": "This is longer than the system accepts. Please go to the counter.",
}

QUERY_ERRORS = {
    "query_number_required": "Please enter the application number first.",
    "query_not_found": "No application was found with this number. Please check it and try again.",
    "query_offline": "The progress cannot be checked right now (no connection). Please try again later.",
    "query_unavailable": "The progress cannot be shown right now. Please try again later or ask at the counter.",
    "query_token_required": "For your privacy, progress is looked up with the QR code on your receipt. "
                            "Please scan the QR code.",
    "query_qr_not_found": "No QR code was recognised. Hold the receipt still, about 20 cm from the camera.",
    "query_qr_not_ours": "This QR code is not from a government service receipt.",
    "query_other_service": "This number belongs to another kind of application. Use 'Check application progress'.",
}

# Passport (eMRTD) key entry: kiosk.core.session.CitizenSession.mrz_error
MRZ_ERRORS = {
    "mrz_document_number": "The passport number has 5 to 9 letters and digits. Please check it.",
    "mrz_birth_date": "Enter the date of birth as six digits: year, month, day.",
    "mrz_expiry_date": "Enter the expiry date as six digits: year, month, day.",
    "mrz_mismatch": "The passport did not accept these details. Please check each one against the photo "
                    "page and try again.",
}

APPLICATION_STATUS = {
    "received": "Received — being processed",
    "in_review": "Under review",
    "completed": "Completed",
    "rejected": "Not approved — please contact the department",
    "unknown": "Status not available",
}

RATING_LABELS = {
    "very_satisfied": "Very satisfied",
    "satisfied": "Satisfied",
    "basically_satisfied": "Basically satisfied",
    "dissatisfied": "Dissatisfied",
    "very_dissatisfied": "Very dissatisfied",
}

NEGATIVE_RATING_REASONS = {
    "waiting_too_long": "Took too long",
    "hard_to_use": "Hard to use",
    "device_problem": "The machine did not work well",
    "unclear_guidance": "Instructions were unclear",
    "other": "Other",
}

FACE_FEEDBACK = {
    "no_face": "Please look at the camera.",
    "multiple_faces": "Only one person in front of the camera, please.",
    "too_small": "Please come a little closer.",
    "ok": "Hold still…",
    "too_dark": "Your face is too dark. Please step into the light.",
    "too_bright": "Too much light on your face. Please step out of direct light.",
    "blurry": "Please hold still.",
    "not_frontal": "Please look straight at the camera.",
    "turn_left": "Please turn your head slowly to your left.",
    "turn_right": "Please turn your head slowly to your right.",
    "blink": "Please close your eyes for a moment, then open them.",
}

FACE_SCREEN = {
    "consent": ("Your face is compared once with your ID card photo to confirm it is you. Biometric "
                "data is sensitive personal information: the picture and the comparison stay in this "
                "machine's memory only and are erased when you finish. If you do not agree, press "
                "Cancel and use the counter."),
    "progress": "Checking…",
}

PRINT_STATUS = {
    "printing": "Printing your receipt…",
    "printed": "Please take your receipt.",
    "failed": "The receipt could not be printed. Please photograph or write down the number above.",
    "unavailable": "Receipts cannot be printed right now. Please photograph the number and the QR code.",
    "not_needed": "",
}

# Step indicator names (screens/main_window.py), translated with tr() at render time.
STEP_NAMES = ("Choose", "What you need", "Identity", "Form", "Confirm", "Receipt", "Rating", "Search", "Result")

ALL_SOURCES = (
    list(STEP_NAMES) +
    [m for pair in ERROR_MESSAGES.values() for m in pair]
    + list(FIELD_ERRORS.values()) + list(RATING_LABELS.values())
    + list(NEGATIVE_RATING_REASONS.values()) + list(FACE_FEEDBACK.values())
    + [text for text in PRINT_STATUS.values() if text]
    + list(QUERY_ERRORS.values()) + list(APPLICATION_STATUS.values())
    + list(FACE_SCREEN.values()) + list(MRZ_ERRORS.values())
)

# --- paper by camera (issue 16): screens/passport.py, screens/documents.py --------------------

# Why the camera could not give the passport key; the citizen types it (session mrz_error).
MRZ_CAMERA_ERRORS = {
    "mrz_camera_unreadable": "The camera could not read the two lines at the bottom of the photo page. "
                             "Please type the details, or try again with the page flat and well lit.",
    "mrz_camera_check_digits": "The camera read the lines at the bottom of the photo page, but their check "
                               "digits do not add up, so they were not used. Please type the details.",
    "mrz_camera_unavailable": "The camera is not available. Please type the details from the photo page.",
    "mrz_camera_mismatch": "The passport did not accept the details the camera read. Please type them "
                           "from the photo page.",
}
MRZ_ERRORS.update(MRZ_CAMERA_ERRORS)

# Guidance under the document camera (kiosk.document_capture.GUIDANCE_KEYS) and the scan step's errors.
DOCUMENT_GUIDANCE = {
    "no_page": "Lay the page flat under the camera.",
    "cut_off": "The whole page must be visible. Move it towards the middle.",
    "too_dark": "Too dark. Please move the page into the light.",
    "glare": "Move out of the light: there is glare on the page.",
    "blurred": "Hold still: the picture is blurred.",
    "camera_unavailable": "The document camera is not available. Please bring this material to the counter.",
    "too_many_pages": "This material already has its most pages. Retake a page, or choose another material.",
    "documents_missing": "Please scan the required material first, or go to the counter.",
}

ALL_SOURCES += list(MRZ_CAMERA_ERRORS.values()) + list(DOCUMENT_GUIDANCE.values())
