#!/usr/bin/env python3
"""The "print engine" ippeveprinter runs for each job (`ippeveprinter -c`): it counts the
PDF's pages (pdfinfo) and reports them one by one as `ATTR: job-impressions-completed=N`
on stderr, which ippeveprinter turns into the job's IPP attributes and CUPS's ipp backend
carries back to cupsd. Faults come from a JSON control file (A4_RIG_CONTROL):

    {"mode": "ok"}                      print every page
    {"mode": "paper_out", "after": 1}   print `after` pages, report media-empty-error, fail the job
    {"mode": "jam", "after": 0}         same with media-jam-error
    {"mode": "hang"}                    never finish (a stuck job: the kiosk's deadline cancels it)
    {"toner": 5}                        report the toner marker at 5 % (toner-low); default 80

`page_s` (default 0.02) is the time per page. Each printed file's name is appended to
`printed.log` beside the control file (the rig's record of what came out).
"""
import json
import os
import re
import signal
import subprocess
import sys
import time


def main() -> int:
    path = sys.argv[1] if len(sys.argv) > 1 else ""
    control_path = os.environ.get("A4_RIG_CONTROL", "")
    try:
        with open(control_path, encoding="utf-8") as fh:
            control = json.load(fh)
    except (OSError, ValueError):
        control = {"mode": "ok"}
    mode = control.get("mode", "ok")
    page_s = float(control.get("page_s", 0.02))
    info = subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=False)
    match = re.search(r"^Pages:\s+(\d+)", info.stdout, re.M)
    if not match:
        print("ERROR: unreadable document", file=sys.stderr, flush=True)
        return 1
    pages = int(match.group(1))
    print("STATE: -media-empty-error,media-jam-error", file=sys.stderr, flush=True)
    toner = int(control.get("toner", 80))
    print(f"ATTR: marker-names=Black marker-types=toner marker-colors=#000000 marker-levels={toner} "
          "marker-low-levels=10 marker-high-levels=100", file=sys.stderr, flush=True)
    print("STATE: " + ("+" if toner <= 10 else "-") + "toner-low-report", file=sys.stderr, flush=True)
    print(f"ATTR: job-impressions={pages}", file=sys.stderr, flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    if mode == "hang":
        while True:
            time.sleep(0.5)
    stop_after = int(control.get("after", 0)) if mode in ("paper_out", "jam") else pages
    for page in range(1, min(pages, stop_after) + 1):
        time.sleep(page_s)
        print(f"ATTR: job-impressions-completed={page}", file=sys.stderr, flush=True)
    if stop_after < pages:
        reason = "media-empty-error" if mode == "paper_out" else "media-jam-error"
        print(f"STATE: +{reason}", file=sys.stderr, flush=True)
        return 1
    with open(os.path.join(os.path.dirname(control_path) or ".", "printed.log"), "a", encoding="utf-8") as fh:
        fh.write(f"{os.path.basename(path)} {pages}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
