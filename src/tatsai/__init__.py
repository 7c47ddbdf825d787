"""tatsai (ตัดสาย, "cut the line"): cut scam operations at the source.

The package map is in ARCHITECTURE.md; each sub-package is one bounded context.
"""

from __future__ import annotations

__version__ = "0.1.0"
