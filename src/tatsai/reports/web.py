"""The citizen's web form: report, check a number/URL/account, follow a report.

Server-rendered (Jinja2), Thai by default and English with ``?lang=en``, no JavaScript. Posts
are protected by a double-submit CSRF token: a signed, dated token in a SameSite=Strict
cookie that must equal the form's hidden field.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import ValidationError

from tatsai.core.errors import InvalidInput, NotFound, TooManyRequests
from tatsai.core.settings import get_settings
from tatsai.core.web import DbSession
from tatsai.reports import links, service
from tatsai.reports.limits import client_ip, ip_limiter
from tatsai.reports.models import Channel, ReportCreate

router = APIRouter(include_in_schema=False)
CSRF_COOKIE = "tatsai_csrf"
CSRF_MAX_AGE_S = 2 * 3600

_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)

TEXTS: dict[str, dict[str, Any]] = {
    "th": {
        "title": "ตัดสาย 1185",
        "nav_report": "แจ้งเบาะแส",
        "nav_check": "ตรวจสอบ",
        "nav_track": "ติดตามเรื่อง",
        "other_lang": "English",
        "report_heading": "แจ้งสายหรือข้อความหลอกลวง",
        "kind": "เรื่องที่แจ้ง",
        "kinds": [
            ("call", "สายโทรเข้า"),
            ("sms", "SMS"),
            ("url", "ลิงก์/เว็บไซต์"),
            ("account", "บัญชีธนาคาร"),
            ("other", "อื่น ๆ"),
        ],
        "indicator_type": "ประเภท",
        "types": [
            ("phone", "เบอร์โทรศัพท์"),
            ("sender_id", "ชื่อผู้ส่ง SMS"),
            ("url", "ลิงก์"),
            ("bank_account", "เลขบัญชีธนาคาร"),
            ("promptpay", "พร้อมเพย์"),
            ("line_id", "LINE ID"),
        ],
        "indicator_value": "เบอร์ ลิงก์ หรือเลขบัญชี",
        "text": "ข้อความที่ได้รับ (ถ้ามี)",
        "amount": "จำนวนเงินที่เสียไป (บาท, ถ้ามี)",
        "contact": "เบอร์ของคุณ (ไม่บังคับ)",
        "submit": "ส่งเรื่อง",
        "thanks_heading": "ได้รับเรื่องแล้ว ขอบคุณ",
        "thanks_body": "เก็บรหัสติดตามนี้ไว้เพื่อตรวจสถานะ:",
        "check_heading": "ตรวจสอบเบอร์ ลิงก์ หรือบัญชี",
        "check": "ตรวจสอบ",
        "track_heading": "ติดตามเรื่องที่แจ้ง",
        "tracking_code": "รหัสติดตาม",
        "expired_heading": "แบบฟอร์มหมดอายุ",
        "expired_body": "กรุณาเปิดแบบฟอร์มใหม่แล้วส่งอีกครั้ง",
        "verdicts": {
            "block": "อันตราย: เป็นของมิจฉาชีพ ห้ามโอนเงิน",
            "warn": "ระวัง: มีผู้แจ้งว่าน่าสงสัย",
            "allow": "ได้รับการยืนยันว่าเป็นของจริง",
            "unknown": "ยังไม่มีผู้แจ้ง โปรดระวังเสมอ",
        },
        "statuses": {
            "received": "ได้รับแล้ว รอดำเนินการ",
            "processing": "กำลังดำเนินการ",
            "processed": "ดำเนินการแล้ว",
            "rejected": "ตรวจสอบแล้วไม่พบว่าเป็นการหลอกลวง",
        },
    },
    "en": {
        "title": "tatsai 1185",
        "nav_report": "Report",
        "nav_check": "Check",
        "nav_track": "Follow my report",
        "other_lang": "ภาษาไทย",
        "report_heading": "Report a scam call or message",
        "kind": "What are you reporting?",
        "kinds": [
            ("call", "A call"),
            ("sms", "An SMS"),
            ("url", "A link or website"),
            ("account", "A bank account"),
            ("other", "Something else"),
        ],
        "indicator_type": "Type",
        "types": [
            ("phone", "Phone number"),
            ("sender_id", "SMS sender name"),
            ("url", "Link"),
            ("bank_account", "Bank account number"),
            ("promptpay", "PromptPay"),
            ("line_id", "LINE ID"),
        ],
        "indicator_value": "Number, link or account",
        "text": "The message you received (if any)",
        "amount": "Money lost (baht, if any)",
        "contact": "Your phone number (optional)",
        "submit": "Send report",
        "thanks_heading": "Received, thank you",
        "thanks_body": "Keep this tracking code to follow your report:",
        "check_heading": "Check a number, link or account",
        "check": "Check",
        "track_heading": "Follow my report",
        "tracking_code": "Tracking code",
        "expired_heading": "This form has expired",
        "expired_body": "Please open the form again and resend it.",
        "verdicts": {
            "block": "DANGER: a scam. Do not transfer money.",
            "warn": "Caution: reported as suspicious.",
            "allow": "Verified as genuine.",
            "unknown": "No reports yet. Stay careful.",
        },
        "statuses": {
            "received": "Received, waiting to be processed",
            "processing": "Being processed",
            "processed": "Processed",
            "rejected": "Reviewed: not found to be a scam",
        },
    },
}


def _lang(value: str | None) -> str:
    return "en" if value == "en" else "th"


def _render(name: str, lang: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    html = _env.get_template(name).render(
        lang=lang, other_lang=_flip(lang), t=TEXTS[lang], **context
    )
    return HTMLResponse(html, status_code=status_code)


def _flip(lang: str) -> str:
    return "en" if lang == "th" else "th"


def _sign(material: str) -> str:
    key = get_settings().secret_key.get_secret_value().encode()
    return hmac.new(key, f"csrf\x1f{material}".encode(), hashlib.sha256).hexdigest()[:32]


def new_csrf_token(now: float | None = None) -> str:
    material = f"{secrets.token_urlsafe(16)}.{int(now if now is not None else time.time())}"
    return f"{material}.{_sign(material)}"


def csrf_valid(cookie: str | None, submitted: str | None, now: float | None = None) -> bool:
    """True when the form's token equals the cookie's, is ours, and is under 2 hours old."""
    if not cookie or not submitted or not hmac.compare_digest(cookie, submitted):
        return False
    material, _, signature = submitted.rpartition(".")
    _, _, issued = material.rpartition(".")
    if not issued.isdigit() or not hmac.compare_digest(signature, _sign(material)):
        return False
    age = (now if now is not None else time.time()) - int(issued)
    return 0 <= age <= CSRF_MAX_AGE_S


def _form_page(
    request: Request, lang: str, form: dict[str, Any], error: str | None, status: int
) -> HTMLResponse:
    token = request.cookies.get(CSRF_COOKIE)
    if token is None or not csrf_valid(token, token):
        token = new_csrf_token()
    response = _render("report.html", lang, status, form=form, error=error, csrf_token=token)
    response.set_cookie(
        CSRF_COOKIE, token, max_age=CSRF_MAX_AGE_S, httponly=True, samesite="strict", path="/"
    )
    return response


@router.get("/report", response_class=HTMLResponse)
def report_form(request: Request, lang: str | None = None) -> HTMLResponse:
    return _form_page(request, _lang(lang), {"kind": "call"}, None, 200)


@router.post("/report", response_class=HTMLResponse)
async def submit_report(request: Request, db_session: DbSession) -> HTMLResponse:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    lang = _lang(form.get("lang"))
    if not csrf_valid(request.cookies.get(CSRF_COOKIE), form.get("csrf_token")):
        return _render("forbidden.html", lang, 403)
    try:
        await ip_limiter(request.app).check(client_ip(request))
    except TooManyRequests as exc:
        return _form_page(request, lang, form, exc.one_line(), exc.status)
    payload: dict[str, Any] = {"kind": form.get("kind") or "other", "lang": lang}
    if form.get("text", "").strip():
        payload["text"] = form["text"]
    if form.get("indicator_value", "").strip():
        payload["indicators"] = [
            {"type": form.get("indicator_type") or "phone", "value": form["indicator_value"]}
        ]
    if form.get("amount_lost_thb", "").strip():
        payload["amount_lost_thb"] = form["amount_lost_thb"].replace(",", "")
    if form.get("contact", "").strip():
        payload["contact"] = form["contact"]
    try:
        report_in = ReportCreate.model_validate(payload)
        accepted = service.accept(
            db_session=db_session,
            report_in=report_in,
            intake=service.Intake(channel=Channel.WEB),
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        return _form_page(request, lang, form, f"{field}: {first['msg']}", 422)
    except (InvalidInput, TooManyRequests) as exc:
        return _form_page(request, lang, form, exc.one_line(), exc.status)
    return _render("thanks.html", lang, 202, tracking_code=accepted.tracking_code)


@router.get("/check", response_class=HTMLResponse)
def check(
    db_session: DbSession,
    lang: str | None = None,
    type: str | None = None,
    value: str | None = None,
) -> HTMLResponse:
    language = _lang(lang)
    type_ = type or "phone"
    form = {"type": type_, "value": value}
    if not value:
        return _render("check.html", language, form=form)
    try:
        cleaned = links.clean_indicator(type_, value)
    except InvalidInput as exc:
        return _render("check.html", language, 422, form=form, error=exc.one_line())
    verdict = links.lookup_verdict(db_session=db_session, type_=type_, value=cleaned)
    key = verdict if verdict in ("block", "warn", "allow") else "unknown"
    return _render("check.html", language, form=form, verdict=TEXTS[language]["verdicts"][key])


@router.get("/track", response_class=HTMLResponse)
def track(db_session: DbSession, lang: str | None = None, code: str | None = None) -> HTMLResponse:
    language = _lang(lang)
    if not code:
        return _render("track.html", language)
    try:
        status = service.status_by_tracking_code(db_session=db_session, tracking_code=code)
    except NotFound as exc:
        return _render("track.html", language, 404, code=code, error=exc.one_line())
    label = TEXTS[language]["statuses"][status.status.value]
    return _render("track.html", language, code=status.tracking_code, status=label)
