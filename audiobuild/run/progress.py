"""Progress bars for builds: one over the articles of a batch, or over a long article's sentences.

Both executors show them (`batch`'s process pool and `cluster`), so the bar lives
apart from either.
"""

from __future__ import annotations

import contextlib
import logging
import sys

log = logging.getLogger("audiobuild")


@contextlib.contextmanager
def progress_bar(total: int, unit: str, description: str, minimum: int = 2):
    """A tqdm bar on an interactive terminal at INFO level; elsewhere a no-op with the same update()."""
    if total < minimum or not sys.stderr.isatty() or not log.isEnabledFor(logging.INFO):
        yield NoBar()
        return
    from tqdm import tqdm
    from tqdm.contrib.logging import logging_redirect_tqdm

    with logging_redirect_tqdm(loggers=[log]), tqdm(total=total, unit=unit, desc=description, leave=False) as bar:
        yield bar


class NoBar:
    """A bar that shows nothing: where no terminal watches, or before a batch knows its size."""

    def update(self, count: int = 1) -> None:
        """Ignore progress."""
