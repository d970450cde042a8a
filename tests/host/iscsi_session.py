#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""One iSCSI session that stays logged in (libiscsi through ctypes), for tests that need what
a long-lived initiator sees, such as unit attentions raised while it is logged in.

Usage: iscsi_session.py HOST:PORT TARGET LUN
Prints "ready" once logged in with no unit attention pending, then for each line "tur" on
stdin sends TEST UNIT READY and prints "STATUS KEY ASC ASCQ" (hex, sense fields 0 without
sense); "quit" or end of input logs out.
"""
import ctypes
import sys


class Sense(ctypes.Structure):
    _fields_ = [("error_type", ctypes.c_ubyte), ("key", ctypes.c_int), ("ascq", ctypes.c_int)]


class Task(ctypes.Structure):
    # The leading members of libiscsi's struct scsi_task (scsi-lowlevel.h).
    _fields_ = [("status", ctypes.c_int), ("cdb_size", ctypes.c_int), ("xfer_dir", ctypes.c_int),
                ("expxferlen", ctypes.c_int), ("cdb", ctypes.c_ubyte * 16),
                ("residual_status", ctypes.c_int), ("residual", ctypes.c_size_t),
                ("sense", Sense)]


def main():
    portal, target, lun = sys.argv[1], sys.argv[2], int(sys.argv[3])
    lib = ctypes.CDLL("libiscsi.so.7")
    lib.iscsi_create_context.restype = ctypes.c_void_p
    lib.iscsi_create_context.argtypes = [ctypes.c_char_p]
    lib.iscsi_set_targetname.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.iscsi_set_session_type.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.iscsi_full_connect_sync.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    lib.iscsi_get_error.restype = ctypes.c_char_p
    lib.iscsi_get_error.argtypes = [ctypes.c_void_p]
    lib.iscsi_testunitready_sync.restype = ctypes.POINTER(Task)
    lib.iscsi_testunitready_sync.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.scsi_free_scsi_task.argtypes = [ctypes.POINTER(Task)]
    lib.iscsi_logout_sync.argtypes = [ctypes.c_void_p]
    lib.iscsi_destroy_context.argtypes = [ctypes.c_void_p]

    ctx = lib.iscsi_create_context(b"iqn.2024-01.org.camx:session-test")
    lib.iscsi_set_targetname(ctx, target.encode())
    lib.iscsi_set_session_type(ctx, 2)  # ISCSI_SESSION_NORMAL
    if lib.iscsi_full_connect_sync(ctx, portal.encode(), lun) != 0:
        print("login failed:", lib.iscsi_get_error(ctx).decode(), file=sys.stderr)
        return 1

    def tur():
        t = lib.iscsi_testunitready_sync(ctx, lun)
        if not t:
            print("TEST UNIT READY failed:", lib.iscsi_get_error(ctx).decode(), file=sys.stderr)
            sys.exit(1)
        r = t.contents
        out = (r.status, r.sense.key if r.status == 2 else 0,
               (r.sense.ascq >> 8) if r.status == 2 else 0, (r.sense.ascq & 0xff) if r.status == 2 else 0)
        lib.scsi_free_scsi_task(t)
        return out

    for _ in range(8):  # the power-on and any other attention of a new nexus
        if tur()[0] == 0:
            break
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() == "tur":
            print("%02x %x %02x %02x" % tur(), flush=True)
        elif line.strip() == "quit":
            break
    lib.iscsi_logout_sync(ctx)
    lib.iscsi_destroy_context(ctx)
    return 0


if __name__ == "__main__":
    sys.exit(main())
