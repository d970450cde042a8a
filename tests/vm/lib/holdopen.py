#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Hold a block device open and read from it (O_DIRECT) until the kernel returns an error.

    holdopen.py <device> <ready-file> <seconds>
Touches <ready-file> after the first successful read, so the caller can delete the device
while it is open. Exits 0 when a read fails with an errno (the device went away under the
open descriptor), 1 when every read succeeded for <seconds>.
"""
import errno
import mmap
import os
import sys
import time

dev, ready, limit = sys.argv[1], sys.argv[2], float(sys.argv[3])
fd = os.open(dev, os.O_RDONLY | os.O_DIRECT)
buf = mmap.mmap(-1, 4096)
reads = 0
deadline = time.monotonic() + limit
while time.monotonic() < deadline:
    try:
        n = os.preadv(fd, [buf], 0)
    except OSError as e:
        print(f"{dev}: read {reads + 1} failed: {errno.errorcode.get(e.errno, e.errno)} ({e.strerror})")
        sys.exit(0)
    if n == 0:
        print(f"{dev}: read {reads + 1} returned end of file")
        sys.exit(0)
    reads += 1
    if reads == 1:
        open(ready, "w").close()
    time.sleep(0.01)
print(f"{dev}: {reads} reads, all succeeded for {limit}s")
sys.exit(1)
