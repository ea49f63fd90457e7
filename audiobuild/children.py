"""Child processes that end with their parent: build workers and the encoders they start.

A worker that outlived a `kill -9` of its build would go on writing MP3s and
temporary files into the output folder. On Linux, the kernel sends a child
SIGKILL when its parent dies (prctl's PR_SET_PDEATHSIG), which covers every
way a parent can end; elsewhere children are left to end on their own.

Only Python processes set it, on themselves (`die_with_parent` in a
worker's start): given to `subprocess.Popen` as `preexec_fn`, it runs in the
child between fork and exec, where a lock another thread held at the fork
(the encoder's, the synthesis's) can stop it forever (Python 3.11's
PyOS_AfterFork_Child: a build here hung so, once in some twenty). ffmpeg ends with
its worker all the same: an encoder reads the end of the worker's pipe,
finishes and exits, and a decoder's next write into it fails.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>
# The C library's functions, through the process's own symbols: ctypes.util.find_library("c") would run
# `ldconfig -p` (20 to 30 ms, in every worker that starts).
LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
_prctl = LIBC.prctl if LIBC is not None else None


def die_with_parent(parent: int | None = None) -> None:
    """Have the kernel kill this process when its parent ends; exit now if `parent` has already ended."""
    if _prctl is None:
        return
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if parent is not None and os.getppid() != parent:  # it ended before the call above
        os._exit(1)
