"""Write the development `.env` from `.env.example`: DEBUG on, a fresh SECRET_KEY and token key.

An existing `.env` is kept; only a missing token encryption key is added to it.
"""

import base64
import os
import secrets
from pathlib import Path

root = Path(__file__).resolve().parent.parent
target = root / ".env"


def fernet_key() -> str:
    # The format of cryptography's Fernet.generate_key(), without needing the package installed yet.
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


if target.exists():
    text = target.read_text()
    if not any(line.startswith("ASC_TOKEN_KEYS=") and line.strip() != "ASC_TOKEN_KEYS=" for line in text.splitlines()):
        lines = [line for line in text.splitlines() if not line.startswith("ASC_TOKEN_KEYS=")]
        target.write_text("\n".join([*lines, f"ASC_TOKEN_KEYS={fernet_key()}"]) + "\n")
        print("Added a development token encryption key (ASC_TOKEN_KEYS) to .env.")
else:
    values = {"DEBUG": "true", "SECRET_KEY": secrets.token_urlsafe(50), "ASC_TOKEN_KEYS": fernet_key()}
    lines = []
    for line in (root / ".env.example").read_text().splitlines():
        key = line.removeprefix("# ").split("=", 1)[0]
        if key in values and "=" in line and (not line.startswith("#") or line.startswith(f"# {key}=")):
            line = f"{key}={values.pop(key)}"
        lines.append(line)
    target.write_text("\n".join(lines) + "\n")
    target.chmod(0o600)
    print("Wrote .env for development (DEBUG on, a new SECRET_KEY and token encryption key).")
