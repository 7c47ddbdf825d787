"""The evidence file: how findings travel to the registry as CSV.

Contexts that must not import the registry (the money trail, telco analytics) write their
flagged accounts and SIMs in this layout; ``tatsai indicators import --format csv`` reads it.
One definition here keeps writer and reader in step.
"""

from __future__ import annotations

#: Columns in order. ``categories`` is separated by ``;`` or ``|``; only ``type`` and ``value``
#: are required by the reader.
COLUMNS = ("type", "value", "categories", "confidence", "note", "channel", "reference", "tlp")
