"""Reading a file a user names (a roster, a worksheet spec, a class set's manifest): never past a limit.

The callers open the file themselves (with O_NONBLOCK, so a FIFO, a device or a file whose read
would wait, such as /proc/kmsg, is refused rather than waited on) and say in their own words
what is wrong with it; this module holds the one loop they share.
"""

from __future__ import annotations

import os


def read_at_most(fd: int, limit: int) -> bytes:
    """The bytes of the open file `fd`, read to its end or until there are more than `limit`.

    A result longer than `limit` means the file is too large (the caller says so); reading
    stops there, whatever the file's size claims. On a descriptor opened with O_NONBLOCK, a
    read that would wait raises BlockingIOError (an OSError).
    """
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = os.read(fd, limit + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)
