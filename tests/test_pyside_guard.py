"""PySide6 6.12.0 on CPython 3.11 drops a reference to None on every void Qt call; the process
then dies with ``none_dealloc``. pyproject pins below 6.12; this test fails if the bug is present."""

import sys

from PySide6.QtGui import QPainterPath


def test_void_qt_calls_keep_none_refcount():
    path = QPainterPath()
    before = sys.getrefcount(None)
    for _ in range(1000):
        path.moveTo(0, 0)
    after = sys.getrefcount(None)
    # A healthy build leaves None's count unchanged (give a little slack for unrelated frames).
    assert after >= before - 10, f"None refcount fell by {before - after} over 1000 void Qt calls"
