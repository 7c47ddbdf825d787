"""Reading the LightGBM models the analytics areas ship (telco scam SIMs, money mules)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tatsai.core.errors import InvalidInput

if TYPE_CHECKING:
    import lightgbm as lgb


def booster_from_text(text: str, unreadable: str) -> lgb.Booster:
    """The booster in a LightGBM model ``text``; :class:`InvalidInput` (field ``model``, message
    ``unreadable``) when it is not one. The header is checked first, since LightGBM prints a
    refused model text on stderr besides raising."""
    if not text.startswith("tree\n"):
        raise InvalidInput(unreadable, field="model")
    import lightgbm as lgb

    try:
        return lgb.Booster(model_str=text)
    except lgb.basic.LightGBMError as exc:
        raise InvalidInput(unreadable, field="model") from exc
