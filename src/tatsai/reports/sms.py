"""SMS forward to 1185 (like the UK's 7726): the gateway posts each message it receives.

A forwarded scam SMS rarely carries its original sender, so the service asks for it and holds
the report (status ``processing``) up to ``sms_sender_wait_s``; the reporter's next short
message that reads as a number or sender ID is joined to that report. Replies go out through
an :class:`SmsSender` (by default the outbox table), in Thai or English following the message.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from tatsai.core.db import utcnow
from tatsai.core.errors import InvalidInput, TooManyRequests
from tatsai.reports import links, service
from tatsai.reports.config import get_reports_settings
from tatsai.reports.models import (
    Channel,
    OutboundSms,
    Report,
    ReportCreate,
    ReportKind,
    ReportStatus,
)

log = logging.getLogger(__name__)

MESSAGES = {
    "help": {
        "th": "ตัดสาย 1185: ส่งต่อ SMS หลอกลวงมาที่เบอร์นี้ได้เลย แล้วส่งเบอร์หรือชื่อผู้ส่งตามมา "
        "หรือกด *1185# เพื่อแจ้งสายที่โทรเข้า",
        "en": "tatsai 1185: forward the scam SMS to this number, then send the number or name "
        "it came from. Or dial *1185# to report a call.",
    },
    "ask_sender": {
        "th": "ได้รับแล้ว รหัสติดตาม {code} ข้อความนี้ส่งมาจากเบอร์หรือชื่อผู้ส่งใด? ตอบกลับด้วยเบอร์หรือชื่อผู้ส่ง",
        "en": "Received, tracking code {code}. Which number or sender name did it come from? "
        "Reply with it.",
    },
    "thanks": {
        "th": "ขอบคุณที่แจ้ง รหัสติดตาม {code} ตรวจสถานะได้ที่เว็บตัดสาย",
        "en": "Thank you for reporting. Tracking code {code}; check its status on the web.",
    },
    "limited": {
        "th": "ขอบคุณ เราได้รับรายงานจากเบอร์นี้หลายครั้งแล้ว กรุณาลองใหม่ภายหลัง",
        "en": "Thank you, we have several reports from this number already; please try later.",
    },
}


class SmsForward(BaseModel):
    """One message the gateway received on 1185."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    from_: str = Field(alias="from", min_length=3, max_length=40, description="Reporter.")
    to: str = Field(default="1185", max_length=40)
    text: str = Field(default="", max_length=2000)
    received_at: dt.datetime | None = None
    original_sender: str | None = Field(
        default=None,
        max_length=40,
        description="Sender of the forwarded SMS, if the gateway knows.",
    )


class SmsReply(BaseModel):
    report_id: str | None
    tracking_code: str | None
    reply: str


class SmsSender(Protocol):
    """Delivers outbound SMS; ``send`` raises on failure so the message stays in the outbox."""

    def send(self, to_msisdn: str, text: str) -> None: ...


class LogSender:
    """Writes messages to the log: for development and the demo."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, to_msisdn: str, text: str) -> None:
        self.sent.append((to_msisdn, text))
        log.info("SMS to %s: %s", to_msisdn, text)


def deliver_outbox(*, db_session: Session, sender: SmsSender, limit: int = 500) -> int:
    """Send what waits in the outbox through ``sender``; the number sent."""
    pending = db_session.execute(
        select(OutboundSms)
        .where(OutboundSms.sent_at.is_(None))
        .order_by(OutboundSms.id)
        .limit(limit)
    ).scalars()
    sent = 0
    for message in pending:
        sender.send(message.to_msisdn, message.text)
        message.sent_at = utcnow()
        sent += 1
    return sent


def _reply(
    db_session: Session, msisdn: str, lang: str, key: str, report_id: str | None, code: str | None
) -> SmsReply:
    text = MESSAGES[key][lang].format(code=code or "")
    service.queue_sms(db_session=db_session, to_msisdn=msisdn, text=text, report_id=report_id)
    return SmsReply(report_id=report_id, tracking_code=code, reply=text)


def _looks_like_answer(text: str) -> tuple[str, str] | None:
    token = text.strip()
    if not token or len(token) > 20 or len(token.split()) > 2:
        return None
    try:
        return links.sender_indicator(token)
    except InvalidInput:
        return None


def receive(*, db_session: Session, message: SmsForward, source_org_id: int | None) -> SmsReply:
    """Handle one message to 1185: a forwarded scam SMS, an answer, or an empty message."""
    try:
        msisdn = links.clean_msisdn(message.from_)
    except InvalidInput as exc:
        raise InvalidInput(exc.detail, field="from") from exc
    text = message.text.strip()
    lang = service.thai_or_english(text) if text else "th"
    psn = service.remember_contact(db_session=db_session, msisdn=msisdn, lang=lang)
    if not text:
        return _reply(db_session, msisdn, lang, "help", None, None)

    now = utcnow()
    answer = _looks_like_answer(text)
    if answer is not None:
        pending = db_session.execute(
            select(Report)
            .where(
                Report.reporter == psn,
                Report.channel == Channel.SMS.value,
                Report.status == ReportStatus.PROCESSING.value,
                Report.available_at > now,
            )
            .order_by(Report.received_at.desc())
            .limit(1)
        ).scalar_one_or_none()
        if pending is not None:
            claimed = json.loads(pending.claimed_indicators or "[]")
            claimed.append({"type": answer[0], "value": answer[1]})
            pending.claimed_indicators = json.dumps(claimed, ensure_ascii=False)
            pending.status = ReportStatus.RECEIVED.value
            pending.available_at = now
            reply_lang = pending.lang
            return _reply(
                db_session, msisdn, reply_lang, "thanks", pending.id, pending.tracking_code
            )

    indicators = []
    if message.original_sender:
        type_, value = links.sender_indicator(message.original_sender)
        indicators.append({"type": type_, "value": value})
    digest = hashlib.sha256(
        f"{message.received_at.isoformat() if message.received_at else ''}\x1f{text}".encode()
    ).hexdigest()[:32]
    report_in = ReportCreate.model_validate(
        {
            "kind": ReportKind.SMS,
            "text": text,
            "indicators": indicators,
            "occurred_at": message.received_at,
            "lang": lang,
            # A gateway retry of the same message is the same report.
            "idempotency_key": f"sms:{psn}:{digest}" if message.received_at else None,
        }
    )
    ask = not indicators
    try:
        accepted = service.accept(
            db_session=db_session,
            report_in=report_in,
            intake=service.Intake(
                channel=Channel.SMS,
                reporter_msisdn=msisdn,
                status=ReportStatus.PROCESSING if ask else ReportStatus.RECEIVED,
                hold_s=get_reports_settings().sms_sender_wait_s if ask else 0.0,
            ),
        )
    except TooManyRequests:
        return _reply(db_session, msisdn, lang, "limited", None, None)
    key = "ask_sender" if ask else "thanks"
    return _reply(db_session, msisdn, lang, key, accepted.report_id, accepted.tracking_code)
