"""The suite never reads or writes the user's real settings."""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings

from visgrad.app.main_window import MainWindow


def test_settings_live_in_a_throwaway_folder():
    path = QSettings("visgrad", "visgrad").fileName()
    home = os.path.expanduser("~/.config")
    assert not path.startswith(home + os.sep), path
    assert os.path.basename(os.path.dirname(os.path.dirname(path))).startswith(
        "visgrad-test-settings-"
    )


def test_opening_a_file_writes_recent_files_only_to_the_test_settings(qtbot, tmp_path):
    real = os.path.expanduser("~/.config/visgrad/visgrad.conf")
    before = open(real, "rb").read() if os.path.exists(real) else None
    w = MainWindow(panels=False)
    qtbot.addWidget(w)
    w._remember(str(tmp_path / "a.vgtrace"))
    assert QSettings("visgrad", "visgrad").value("recent") == [str(tmp_path / "a.vgtrace")]
    after = open(real, "rb").read() if os.path.exists(real) else None
    assert after == before
    w.controller.shutdown()
