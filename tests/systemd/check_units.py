#!/usr/bin/python3
"""check_units.py - the shipped systemd units load (`systemd-analyze verify`), keep
the settings the daemons rely on (UMask=0077, StateDirectoryMode=0750, LimitNOFILE,
Type=notify) and score below a threshold in `systemd-analyze security --offline=true`
(8.5 before they were hardened).

Usage: check_units.py UNIT_DIR BIN_DIR [THRESHOLD]
UNIT_DIR holds the configured .service files (the build's daemons/systemd), BIN_DIR the
built daemons, which stand in for the installed ones in ExecStart. Exits 77 (reported
as skipped by CTest) when systemd-analyze is not installed."""

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

UNITS = ("notify-ingest", "notify-priority-router", "notify-channel-worker")
REQUIRED = ("Type=notify", "UMask=0077", "StateDirectoryMode=0750", "LimitNOFILE=8192")


def main():
    unit_dir, bin_dir = Path(sys.argv[1]), Path(sys.argv[2]).resolve()
    threshold = float(sys.argv[3]) if len(sys.argv) > 3 else 2.0
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        print("SKIPPED: systemd-analyze is not installed (Debian package systemd)")
        return 77
    failures = []
    with tempfile.TemporaryDirectory(prefix="notify-units-") as tmp:
        for name in UNITS:
            text = (unit_dir / f"{name}.service").read_text()
            binary = bin_dir / name
            if not binary.exists():
                failures.append(f"{binary} is not built")
                continue
            text = re.sub(r"^ExecStart=\S+", f"ExecStart={binary}", text, flags=re.M)
            unit = Path(tmp) / f"{name}.service"
            unit.write_text(text)
            for setting in REQUIRED:
                if not re.search(rf"^{re.escape(setting)}$", text, re.M):
                    failures.append(f"{name}.service: no {setting}")
            verify = subprocess.run([analyze, "verify", "--man=no", str(unit)],
                                    capture_output=True, text=True)
            if verify.returncode != 0 or verify.stderr.strip():
                failures.append(f"{name}.service: systemd-analyze verify: "
                                f"{verify.returncode} {verify.stderr.strip()}")
            security = subprocess.run([analyze, "security", "--offline=true", str(unit)],
                                      capture_output=True, text=True)
            m = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", security.stdout)
            if not m:
                failures.append(f"{name}.service: no score from systemd-analyze security: "
                                f"{security.stderr.strip()}")
                continue
            score = float(m.group(1))
            print(f"{name}.service: exposure {score} (threshold {threshold})")
            if score >= threshold:
                failures.append(f"{name}.service: exposure {score} is not below {threshold}")
    for f in failures:
        print(f"FAIL: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
