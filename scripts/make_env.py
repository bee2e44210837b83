"""Write a development `.env` from `.env.example` when there is none: DEBUG on and a fresh SECRET_KEY."""

import secrets
import sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
target = root / ".env"
if target.exists():
    sys.exit(0)

values = {"DEBUG": "true", "SECRET_KEY": secrets.token_urlsafe(50)}
lines = []
for line in (root / ".env.example").read_text().splitlines():
    key = line.split("=", 1)[0]
    if not line.startswith("#") and key in values:
        line = f"{key}={values[key]}"
    lines.append(line)
target.write_text("\n".join(lines) + "\n")
target.chmod(0o600)
print("Wrote .env for development (DEBUG on, a new SECRET_KEY).")
