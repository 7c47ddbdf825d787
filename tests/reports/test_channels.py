"""Gateway channels: USSD *1185# and SMS forward to 1185."""

from __future__ import annotations

import datetime as dt
import json

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tatsai.core.db import utcnow
from tatsai.reports import lastcalls, pipeline
from tatsai.reports.models import OutboundSms, Report, ReporterContact, UssdSession

SUBSCRIBER = "+66891234567"


def _ussd(client: TestClient, headers: dict[str, str], session: str, text: str) -> str:
    response = client.post(
        "/v1/channels/ussd",
        data={
            "sessionId": session,
            "serviceCode": "*1185#",
            "phoneNumber": SUBSCRIBER,
            "text": text,
        },
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return response.text


def test_gateway_channels_need_a_gateway_key(api_client: TestClient) -> None:
    form = {"sessionId": "s1", "phoneNumber": SUBSCRIBER, "text": ""}
    assert api_client.post("/v1/channels/ussd", data=form).status_code == 401
    assert api_client.post("/v1/channels/sms", json={"from": SUBSCRIBER}).status_code == 401


def test_ussd_reports_the_last_call(
    api_client: TestClient, gateway_headers: dict[str, str], db_session: Session
) -> None:
    now = utcnow()
    lastcalls.set_provider(
        lastcalls.StaticLastCalls(
            [
                ("+6621234567", SUBSCRIBER, now - dt.timedelta(minutes=3)),
                ("+66822222222", SUBSCRIBER, now - dt.timedelta(minutes=1)),
                ("+66833333333", SUBSCRIBER, now - dt.timedelta(hours=5)),  # too old
                ("+66844444444", "+66800000000", now),  # someone else's call
            ]
        )
    )
    menu = _ussd(api_client, gateway_headers, "s1", "")
    assert menu.startswith("CON ")
    assert "1 แจ้งสายล่าสุด" in menu
    calls = _ussd(api_client, gateway_headers, "s1", "1")
    assert calls.startswith("CON ")
    assert "1 082 222 2222" in calls
    assert "2 02 123 4567" in calls
    assert "083" not in calls
    done = _ussd(api_client, gateway_headers, "s1", "1*1")
    assert done.startswith("END ")
    assert "082 222 2222" in done
    report = db_session.execute(select(Report)).scalar_one()
    assert report.channel == "ussd"
    assert json.loads(report.claimed_indicators) == [{"type": "phone", "value": "+66822222222"}]
    # The gateway retrying the last step gets the same report, not a second one.
    assert _ussd(api_client, gateway_headers, "s1", "1*1") == done
    assert db_session.execute(select(func.count()).select_from(Report)).scalar_one() == 1


def test_ussd_english_invalid_input_and_sender(
    api_client: TestClient, gateway_headers: dict[str, str], db_session: Session
) -> None:
    _ussd(api_client, gateway_headers, "s2", "")
    english = _ussd(api_client, gateway_headers, "s2", "0")
    assert english.startswith("CON tatsai 1185")
    assert "Report an SMS sender" in english
    wrong = _ussd(api_client, gateway_headers, "s2", "0*7")
    assert wrong.startswith("CON Invalid choice")
    prompt = _ussd(api_client, gateway_headers, "s2", "0*7*2")
    assert prompt == "CON Enter the SMS sender's number or name"
    again = _ussd(api_client, gateway_headers, "s2", "0*7*2*!!")
    assert again.startswith("CON Invalid choice")
    done = _ussd(api_client, gateway_headers, "s2", "0*7*2*!!*KBank-Alert")
    assert done.startswith("END Thank you. KBANK-ALERT reported")
    report = db_session.execute(select(Report)).scalar_one()
    assert report.kind == "sms"
    assert json.loads(report.claimed_indicators)[0]["type"] == "sender_id"


def test_ussd_check_a_number(api_client: TestClient, gateway_headers: dict[str, str]) -> None:
    _ussd(api_client, gateway_headers, "s3", "")
    assert _ussd(api_client, gateway_headers, "s3", "3").startswith("CON พิมพ์เบอร์")
    answer = _ussd(api_client, gateway_headers, "s3", "3*0812345678")
    assert answer.startswith("END 081 234 5678:")


def test_ussd_unknown_or_expired_session_ends_politely(
    api_client: TestClient, gateway_headers: dict[str, str], db_session: Session
) -> None:
    unknown = _ussd(api_client, gateway_headers, "never-started", "1*1")
    assert unknown.startswith("END ")
    assert "*1185#" in unknown
    _ussd(api_client, gateway_headers, "s4", "")
    session = db_session.get(UssdSession, "s4")
    assert session is not None
    session.expires_at = utcnow() - dt.timedelta(seconds=1)
    db_session.commit()
    expired = _ussd(api_client, gateway_headers, "s4", "2")
    assert expired.startswith("END ")
    assert "*1185#" in expired
    assert db_session.execute(select(func.count()).select_from(Report)).scalar_one() == 0


def _sms(client: TestClient, headers: dict[str, str], text: str, **extra: str) -> dict[str, str]:
    response = client.post(
        "/v1/channels/sms",
        json={"from": "0891234567", "to": "1185", "text": text, **extra},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body: dict[str, str] = response.json()
    return body


def test_sms_forward_asks_for_the_sender_and_joins_the_answer(
    api_client: TestClient, gateway_headers: dict[str, str], db_session: Session, clean_engine
) -> None:
    first = _sms(api_client, gateway_headers, "พัสดุตกค้าง ชำระเงินที่ https://kerry-th.top/p")
    assert "ผู้ส่ง" in first["reply"]  # Thai message, Thai reply asking for the sender
    report = db_session.get(Report, first["report_id"])
    assert report is not None
    assert report.status == "processing"
    assert pipeline.drain(clean_engine) == 0  # held while it waits for the sender
    answer = _sms(api_client, gateway_headers, "02-123-4567")
    assert answer["report_id"] == first["report_id"]
    assert answer["tracking_code"] in answer["reply"]
    db_session.expire_all()
    report = db_session.get(Report, first["report_id"])
    assert report is not None
    assert report.status == "received"
    assert json.loads(report.claimed_indicators) == [{"type": "phone", "value": "+6621234567"}]
    assert pipeline.drain(clean_engine) == 1
    outbox = db_session.execute(select(OutboundSms).order_by(OutboundSms.id)).scalars().all()
    assert [m.to_msisdn for m in outbox] == ["+66891234567", "+66891234567"]
    contact = db_session.execute(select(ReporterContact)).scalar_one()
    assert contact.msisdn == "+66891234567"


def test_sms_replies_follow_the_reporters_language(
    api_client: TestClient, gateway_headers: dict[str, str]
) -> None:
    english = _sms(
        api_client,
        gateway_headers,
        "Your parcel is held, pay at http://x.top",
        original_sender="THPOST",
    )
    assert english["reply"].startswith("Thank you for reporting")
    empty = _sms(api_client, gateway_headers, "   ")
    assert empty["report_id"] is None
    assert "1185" in empty["reply"]
    assert "*1185#" in empty["reply"]
