"""Test setup: Qt runs offscreen (set before any QApplication exists); fresh event numbering."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from visgrad import events  # noqa: E402


@pytest.fixture(autouse=True)
def _no_leftover_sinks():
    """A test that forgets to detach a sink must not slow down or confuse the next one."""
    yield
    events.SINKS.clear()
