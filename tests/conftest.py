"""Test setup: Qt runs offscreen (set before any QApplication exists); fresh event numbering;
settings in a throwaway folder, never the user's own (Recent Files, saved scope)."""

import os
import shutil
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Before Qt first computes where settings live: QSettings on Unix reads XDG_CONFIG_HOME once.
_SETTINGS_DIR = tempfile.mkdtemp(prefix="visgrad-test-settings-")
os.environ["XDG_CONFIG_HOME"] = _SETTINGS_DIR

import pytest  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402

from visgrad import events  # noqa: E402

for _scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
    for _format in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(_format, _scope, _SETTINGS_DIR)


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_SETTINGS_DIR, ignore_errors=True)


_APP = None  # the session's QApplication: a Python reference keeps it alive


@pytest.fixture(scope="session")
def qapp():
    """pytest-qt's application, made as the product makes it: with the app's font and stylesheet.
    ``visgrad export`` (``render.ensure_app``) styles the application it makes; an unstyled one
    here made the windows' sizes depend on whether a CLI test ran first."""
    global _APP
    from visgrad.app.main import create_app

    _APP = create_app(["visgrad-tests"])
    return _APP


@pytest.fixture(autouse=True)
def _fresh_settings():
    """Each test starts from no saved settings, as on a first launch."""
    QSettings("visgrad", "visgrad").clear()
    yield


@pytest.fixture(autouse=True)
def _no_leftover_sinks():
    """A test that forgets to detach a sink must not slow down or confuse the next one."""
    yield
    events.SINKS.clear()
