"""``python -m visgrad``: the same as the ``visgrad`` command."""

import sys

from visgrad.cli import main

sys.exit(main())
