from __future__ import annotations

from tatsai.core.pseudonym import pseudonym


def test_pseudonyms_are_stable_per_secret_and_purpose() -> None:
    a = pseudonym("+66812345678", purpose="reporter")
    assert a == pseudonym("+66812345678", purpose="reporter")
    assert a.startswith("psn_reporter_")
    assert a != pseudonym("+66812345679", purpose="reporter")
    assert a != pseudonym("+66812345678", purpose="holder")
    assert a != pseudonym("+66812345678", purpose="reporter", secret="another")
    assert "812345678" not in a
