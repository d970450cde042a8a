# SPDX-License-Identifier: BSD-2-Clause
"""Checks for the ctld/open-iscsi VM case: camctl's JSON and sg3_utils' text against what
ctld was configured with. Standard library only; run as python3 -I -S."""

import argparse
import json
import re
import sys


def load(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return json.load(f)


def report(problems, ok_message):
    for p in problems:
        print(f"MISMATCH {p}")
    if not problems:
        print(ok_message)
    return 1 if problems else 0


def expect(problems, what, got, want):
    if got != want:
        problems.append(f"{what}: got {got!r}, want {want!r}")


def cmd_devlist(args):
    """camctl devlist -v --json: the device is there, with the vendor/model and the iSCSI
    transport naming the target."""
    doc = load(args.json)
    devs = [d for d in doc.get("devices", []) if d.get("hctl") == args.hctl]
    problems = []
    if len(devs) != 1:
        problems.append(f"{args.hctl} listed {len(devs)} times")
        return report(problems, "")
    d = devs[0]
    expect(problems, "vendor", d.get("vendor"), args.vendor)
    expect(problems, "model", d.get("model"), args.product)
    expect(problems, "peripheral_device_type", d.get("peripheral_device_type"), 0)
    nodes = d.get("nodes", {})
    expect(problems, "sd node", nodes.get("sd"), args.sd)
    expect(problems, "sg node", nodes.get("sg"), args.sg)
    t = d.get("transport")
    if not isinstance(t, dict):
        problems.append(f"no transport object: {t!r}")
    else:
        expect(problems, "transport type", t.get("type"), "iscsi")
        expect(problems, "transport target_name", t.get("target_name"), args.iqn)
    hosts = [h for h in doc.get("hosts", []) if h.get("host") == int(args.hctl.split(":")[0])]
    if len(hosts) != 1:
        problems.append(f"host {args.hctl.split(':')[0]} listed {len(hosts)} times")
    else:
        expect(problems, "host proc_name", hosts[0].get("proc_name"), "iscsi_tcp")
        expect(problems, "host transport", hosts[0].get("transport"), "iscsi")
    return report(problems, f"{args.hctl}: iscsi {args.iqn}, {args.vendor} {args.product}")


def cmd_inquiry(args):
    """camctl inquiry --json: vendor/product as configured."""
    inq = load(args.json).get("inquiry", {})
    problems = []
    expect(problems, "vendor", inq.get("vendor"), args.vendor)
    expect(problems, "product", inq.get("product"), args.product)
    expect(problems, "peripheral_device_type", inq.get("peripheral_device_type"), 0)
    return report(problems, f"inquiry: {args.vendor} {args.product}")


def cmd_sg_inq(args):
    """sg_inq text: vendor/product as configured."""
    text = open(args.file, encoding="utf-8", errors="replace").read()
    problems = []
    for label, want in (("Vendor identification", args.vendor),
                        ("Product identification", args.product)):
        m = re.search(label + r": ?(.*)$", text, re.M)
        expect(problems, label, m.group(1).strip() if m else None, want)
    return report(problems, f"sg_inq: {args.vendor} {args.product}")


def cmd_sg_persist_keys(args):
    """sg_persist -k: the registered keys include <key>."""
    text = open(args.file, encoding="utf-8", errors="replace").read()
    keys = [int(k, 16) for k in re.findall(r"^\s*0x([0-9a-fA-F]+)\s*$", text, re.M)]
    problems = []
    if int(args.key, 0) not in keys:
        problems.append(f"key {args.key} not among {[hex(k) for k in keys]}")
    return report(problems, f"key {args.key} registered")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("devlist")
    for a in ("json", "hctl", "iqn", "vendor", "product", "sd", "sg"):
        p.add_argument(a)
    p.set_defaults(fn=cmd_devlist)
    p = sub.add_parser("inquiry")
    for a in ("json", "vendor", "product"):
        p.add_argument(a)
    p.set_defaults(fn=cmd_inquiry)
    p = sub.add_parser("sg-inq")
    for a in ("file", "vendor", "product"):
        p.add_argument(a)
    p.set_defaults(fn=cmd_sg_inq)
    p = sub.add_parser("sg-persist-keys")
    for a in ("file", "key"):
        p.add_argument(a)
    p.set_defaults(fn=cmd_sg_persist_keys)
    args = ap.parse_args()
    sys.exit(args.fn(args))


if __name__ == "__main__":
    main()
