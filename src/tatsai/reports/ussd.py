"""USSD *1185#: the common gateway convention, a menu in Thai (English on request).

The gateway posts ``sessionId``, ``serviceCode``, ``phoneNumber`` and ``text`` (every input of
the session so far, joined by ``*``); the body answers ``CON <menu>`` to continue or
``END <message>`` to finish. The dialogue is recomputed from ``text`` on each request, so the
only state kept is the session's start, expiry and the report it produced (a gateway retry of
the last step returns the same report).

Menu: 1 report the last call I received, 2 report an SMS sender, 3 check a number,
0 change language. Invalid input re-prompts; an unknown or expired session ends politely.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers
from sqlalchemy.orm import Session

from tatsai.core.db import utcnow
from tatsai.core.errors import InvalidInput, TooManyRequests
from tatsai.reports import lastcalls, links, service
from tatsai.reports.config import get_reports_settings
from tatsai.reports.models import Channel, ReportCreate, ReportKind, UssdSession

TEXT = {
    "menu": {
        "th": "ตัดสาย 1185\n1 แจ้งสายล่าสุดที่โทรเข้า\n2 แจ้งผู้ส่ง SMS\n3 ตรวจสอบเบอร์\n0 English",
        "en": "tatsai 1185\n1 Report the last call I received\n2 Report an SMS sender\n"
        "3 Check a number\n0 ภาษาไทย",
    },
    "invalid": {"th": "ไม่ถูกต้อง ลองอีกครั้ง\n", "en": "Invalid choice, try again.\n"},
    "calls": {"th": "เลือกสายที่โทรเข้า:", "en": "Which call?"},
    "other": {"th": "เบอร์อื่น", "en": "Another number"},
    "call_number": {"th": "พิมพ์เบอร์ที่โทรมา", "en": "Enter the number that called you"},
    "sender": {"th": "พิมพ์เบอร์หรือชื่อผู้ส่ง SMS", "en": "Enter the SMS sender's number or name"},
    "check": {"th": "พิมพ์เบอร์ที่ต้องการตรวจ", "en": "Enter the number to check"},
    "reported": {
        "th": "ขอบคุณ รับแจ้ง {number} แล้ว รหัสติดตาม {code}",
        "en": "Thank you. {number} reported, tracking code {code}.",
    },
    "limited": {
        "th": "ขอบคุณ เราได้รับรายงานจากเบอร์นี้หลายครั้งแล้ว กรุณาลองใหม่ภายหลัง",
        "en": "Thank you, we have several reports from your number already; please try later.",
    },
    "block": {
        "th": "{number}: อันตราย เป็นเบอร์มิจฉาชีพ ห้ามโอนเงิน",
        "en": "{number}: DANGER, a scam number. Do not transfer money.",
    },
    "warn": {
        "th": "{number}: ระวัง มีผู้แจ้งว่าน่าสงสัย",
        "en": "{number}: caution, reported as suspicious.",
    },
    "allow": {"th": "{number}: เบอร์ที่ได้รับการยืนยัน", "en": "{number}: a verified number."},
    "unknown": {
        "th": "{number}: ยังไม่มีผู้แจ้ง โปรดระวังเสมอ",
        "en": "{number}: no reports yet. Stay careful.",
    },
}
SESSION_GONE = (
    "END เซสชันหมดเวลาแล้ว กรุณากด *1185# อีกครั้ง\nYour session has ended; please dial *1185# again."
)
OTHER_NUMBER = "9"


@dataclass(frozen=True)
class Step:
    """Where a dialogue stands: a prompt to continue, or an action that ends it."""

    lang: str
    prompt: str | None = None
    action: str | None = None  # report_call | report_sender | check
    indicator: tuple[str, str] | None = None


def _flip(lang: str) -> str:
    return "en" if lang == "th" else "th"


def caption(e164: str) -> str:
    try:
        parsed = phonenumbers.parse(e164, "TH")
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def dialogue(parts: list[str], lang: str, callers: Callable[[], list[str]]) -> Step:
    """The next step of a session whose inputs so far are ``parts`` (pure, no I/O but callers)."""
    state, invalid = "menu", False
    for raw in parts:
        choice = raw.strip()
        invalid = False
        if state == "menu":
            if choice == "0":
                lang = _flip(lang)
            elif choice == "1":
                state = "calls" if callers() else "call_number"
            elif choice == "2":
                state = "sender"
            elif choice == "3":
                state = "check"
            else:
                invalid = True
        elif state == "calls":
            numbers = callers()
            if choice.isdigit() and 1 <= int(choice) <= len(numbers):
                return Step(
                    lang, action="report_call", indicator=("phone", numbers[int(choice) - 1])
                )
            if choice == OTHER_NUMBER:
                state = "call_number"
            else:
                invalid = True
        else:
            try:
                if state == "sender":
                    indicator = links.sender_indicator(choice)
                else:
                    indicator = ("phone", links.clean_indicator("phone", choice))
            except InvalidInput:
                invalid = True
                continue
            action = {"call_number": "report_call", "sender": "report_sender"}.get(state, "check")
            return Step(lang, action=action, indicator=indicator)
    prefix = TEXT["invalid"][lang] if invalid else ""
    if state == "calls":
        lines = [TEXT["calls"][lang]]
        lines += [f"{i} {caption(n)}" for i, n in enumerate(callers(), start=1)]
        lines.append(f"{OTHER_NUMBER} {TEXT['other'][lang]}")
        return Step(lang, prompt=prefix + "\n".join(lines))
    return Step(lang, prompt=prefix + TEXT[state][lang])


def respond(
    *,
    db_session: Session,
    session_id: str,
    phone_number: str,
    text: str,
    service_code: str = "*1185#",
    now: dt.datetime | None = None,
    provider: lastcalls.LastCallsProvider | None = None,
) -> str:
    """The gateway's answer, ``CON …`` or ``END …``, for one request of a session."""
    now = now or utcnow()
    settings = get_reports_settings()
    try:
        msisdn = links.clean_msisdn(phone_number)
    except InvalidInput as exc:
        raise InvalidInput(exc.detail, field="phoneNumber") from exc
    psn = service.reporter_pseudonym(msisdn)
    session = db_session.get(UssdSession, session_id)
    if session is not None and (session.reporter != psn or session.expires_at < now):
        db_session.delete(session)
        return SESSION_GONE
    if session is None:
        if text.strip():
            return SESSION_GONE  # inputs for a session we never started (or purged)
        session = UssdSession(
            session_id=session_id,
            reporter=psn,
            lang="th",
            started_at=now,
            expires_at=now + dt.timedelta(seconds=settings.ussd_session_s),
        )
        db_session.add(session)

    provider = provider or lastcalls.get_provider()
    cache: list[list[str]] = []

    def callers() -> list[str]:
        if not cache:
            window = dt.timedelta(minutes=settings.last_calls_minutes)
            cache.append(provider.last_callers(msisdn, now=now, window=window))
        return cache[0]

    parts = text.split("*") if text else []
    step = dialogue(parts, session.lang, callers)
    if step.prompt is not None:
        return "CON " + step.prompt
    assert step.indicator is not None
    type_, value = step.indicator
    number = caption(value) if type_ == "phone" else value
    if step.action == "check":
        verdict = links.lookup_verdict(db_session=db_session, type_=type_, value=value)
        key = verdict if verdict in ("block", "warn", "allow") else "unknown"
        return "END " + TEXT[key][step.lang].format(number=number)
    report_in = ReportCreate(
        kind=ReportKind.CALL if step.action == "report_call" else ReportKind.SMS,
        indicators=[{"type": type_, "value": value}],
        occurred_at=now,
        lang=step.lang,
        idempotency_key=f"ussd:{session_id}:{int(session.started_at.timestamp())}",
    )
    try:
        accepted = service.accept(
            db_session=db_session,
            report_in=report_in,
            intake=service.Intake(channel=Channel.USSD, reporter_msisdn=msisdn),
        )
    except TooManyRequests:
        return "END " + TEXT["limited"][step.lang]
    session.report_id = accepted.report_id
    return "END " + TEXT["reported"][step.lang].format(number=number, code=accepted.tracking_code)
