"""Reading a user-named file whole, safely: only regular files, never more than a size limit,
in chunks so a caller can show progress and cancel.

/dev/zero reports size 0 and never ends, a FIFO blocks the first read forever, a directory or a
symlink loop fails with a message that does not say what it is: every path a user names (network
files, --data, CSV import, a dataset's linked CSV) goes through ``read_regular_file`` first.
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Callable

CHUNK = 8 * 2**20


class NotRegularFile(OSError):
    """The path exists (or loops) but is not a regular file; ``str`` says what it is."""


class FileTooLarge(OSError):
    """The file is larger than the caller's limit; ``str`` gives both sizes."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO), not a regular file"
    if stat.S_ISCHR(mode):
        return "a device (character special file), not a regular file"
    if stat.S_ISBLK(mode):
        return "a block device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a regular file"
    return "not a regular file"


def check_regular(path: str | os.PathLike) -> int:
    """The size of ``path`` if it is a regular file (after symlinks); otherwise NotRegularFile
    saying what it is, or the OSError of the failed look-up (FileNotFoundError, PermissionError)."""
    try:
        st = os.stat(path)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise NotRegularFile(errno.ELOOP, "a symbolic link that loops (it never reaches a file)",
                                 str(path)) from None
        raise
    if not stat.S_ISREG(st.st_mode):
        raise NotRegularFile(errno.EINVAL, _kind(st.st_mode), str(path))
    return st.st_size


def _mb(n: int) -> str:
    return f"{n / 2**20:.0f} MB" if n >= 2**20 else f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} bytes"


def read_regular_file(path: str | os.PathLike, limit: int,
                      progress: Callable[[int, int], bool | None] | None = None) -> bytearray:
    """The bytes of a regular file of at most ``limit`` bytes. ``progress(done, total)`` is called
    after each chunk; returning False stops the read with InterruptedError."""
    path = Path(path)
    size = check_regular(path)
    if size > limit:
        raise FileTooLarge(errno.EFBIG, f"the file is {_mb(size)}; at most {_mb(limit)} can be opened",
                           str(path))
    # O_NONBLOCK: if the path were swapped for a FIFO between the check and the open, the open
    # must not block; fstat on the open descriptor is what we then trust.
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(errno.EINVAL, _kind(st.st_mode), str(path))
        total = st.st_size
        buf = bytearray(total)  # filled in place: no second copy of a large file
        view, done = memoryview(buf), 0
        while done < total:
            n = os.readv(fd, [view[done:done + CHUNK]]) if hasattr(os, "readv") else \
                _read_into(fd, view[done:done + CHUNK])
            if n == 0:  # the file shrank while we read it
                del view
                del buf[done:]
                return buf
            done += n
            if progress is not None and progress(done, total) is False:
                raise InterruptedError(errno.EINTR, "cancelled", str(path))
        del view
        if os.read(fd, 1):  # the file grew while we read it
            raise FileTooLarge(errno.EFBIG, "the file grew while it was read", str(path))
        return buf
    finally:
        os.close(fd)


def _read_into(fd: int, view: memoryview) -> int:
    data = os.read(fd, len(view))
    view[:len(data)] = data
    return len(data)


def describe_os_error(e: OSError) -> str:
    """One line for an OSError from the functions above (without the path)."""
    if isinstance(e, FileNotFoundError):
        return "no such file"
    if isinstance(e, IsADirectoryError):
        return "a folder, not a file"
    if isinstance(e, PermissionError):
        return "permission denied"
    if isinstance(e, NotADirectoryError):
        return "a folder on the way is a file"
    return e.strerror or str(e)
