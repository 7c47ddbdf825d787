"""A damaged LightGBM model text is one clear error: no crash, nothing printed by LightGBM."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tatsai.analytics.boosters import booster_from_text
from tatsai.analytics.telco.model import MODEL_FILE, ScamSimModel, shipped_model_dir
from tatsai.core.errors import InvalidInput

# Loads the model text given as a file in a child process and reports how it went, so a
# LightGBM crash (segmentation fault, abort) fails the test instead of ending the test run.
LOAD = """
import sys
from pathlib import Path
from tatsai.analytics.boosters import booster_from_text
from tatsai.core.errors import InvalidInput
try:
    booster_from_text(Path(sys.argv[1]).read_text(encoding="utf-8"), "unreadable")
except InvalidInput as exc:
    print(f"refused ({exc.field}): {exc.detail}")
else:
    print("loaded")
"""


def _shipped_text() -> str:
    return (shipped_model_dir() / MODEL_FILE).read_text(encoding="utf-8")


def test_refusal_prints_nothing_of_lightgbms_own(capfd: pytest.CaptureFixture[str]) -> None:
    """LightGBM prints ``[LightGBM] [Fatal] …`` on the process's stderr before it raises."""
    with pytest.raises(InvalidInput) as info:
        booster_from_text("tree\nversion=v4\n", "not a model")
    assert (info.value.field, info.value.detail) == ("model", "not a model")
    assert capfd.readouterr() == ("", "")


@pytest.mark.parametrize(
    "where",
    [
        "in the trees",  # LightGBM trusts the header's tree_sizes: read past the text
        "in the parameters",  # read past the end of the parameters section
        "in the last line",  # pandas_categorical: JSON cut short
    ],
)
def test_truncated_model_is_refused_not_a_crash(tmp_path: Path, where: str) -> None:
    text = _shipped_text()
    cut = {
        "in the trees": len(text) // 2,
        "in the parameters": text.index("end of parameters") - 40,
        "in the last line": text.rindex("null") + 2,
    }[where]
    model = tmp_path / "model.txt"
    model.write_text(text[:cut], encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", LOAD, str(model)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        "refused (model): unreadable\n",
        "",
    )


def test_the_shipped_model_still_loads() -> None:
    assert booster_from_text(_shipped_text(), "unreadable").num_trees() > 0


def test_a_tree_damaged_in_place_is_refused_by_the_shipped_checksum(tmp_path: Path) -> None:
    """Damage that keeps every size intact passes the structural checks (and can crash
    LightGBM): the checksum saved with the shipped model refuses it before LightGBM reads it."""
    folder = tmp_path / "model"
    shutil.copytree(shipped_model_dir(), folder)
    text = _shipped_text()
    at = text.index("threshold=", text.index("Tree=")) + len("threshold=")
    damaged = text[:at] + ("9" if text[at] != "9" else "8") + text[at + 1 :]
    (folder / MODEL_FILE).write_text(damaged, encoding="utf-8")
    with pytest.raises(InvalidInput, match="does not match the checksum") as info:
        ScamSimModel.load(folder)
    assert info.value.field == "model"
    assert ScamSimModel.load(shipped_model_dir()).booster.num_trees() > 0
