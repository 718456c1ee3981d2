"""The embedded default writes e-mail to an absolute folder, not relative to the current directory."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def settings_of(env: dict) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        "print(json.dumps({'path': getattr(s, 'EMAIL_FILE_PATH', None), 'backend': s.EMAIL_BACKEND}))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("EMAIL_URL", "DOCKET_VAR_DIR")}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.local", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_mail_folder_is_absolute_under_the_var_dir(tmp_path):
    result = settings_of({"DOCKET_VAR_DIR": str(tmp_path)})
    assert result["backend"].endswith("filebased.EmailBackend")
    assert result["path"] == str(tmp_path / "mail")


def test_smtp_url_selects_smtp(tmp_path):
    result = settings_of({"DOCKET_VAR_DIR": str(tmp_path), "EMAIL_URL": "smtp://mailpit:1025"})
    assert result["backend"].endswith("smtp.EmailBackend")
