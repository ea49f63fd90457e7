"""Child processes that end with their parent: build workers and the encoders they start.

A worker that outlived a `kill -9` of its build would go on writing MP3s and
temporary files into the output folder. On Linux, the kernel sends a child
SIGKILL when its parent dies (prctl's PR_SET_PDEATHSIG), which covers every
way a parent can end; elsewhere children are left to end on their own.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>
_prctl = None
if sys.platform.startswith("linux"):
    _prctl = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).prctl


def die_with_parent(parent: int | None = None) -> None:
    """Have the kernel kill this process when its parent ends; exit now if `parent` has already ended.

    Safe to call between fork and exec (`subprocess.Popen(preexec_fn=...)`):
    the C function is looked up at import, not in the child.
    """
    if _prctl is None:
        return
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if parent is not None and os.getppid() != parent:  # it ended before the call above
        os._exit(1)
