from __future__ import annotations

from tatsai.cli import main

main()
