"""The suite reads English output: whatever the machine's locale (LANG=zh_CN ...), the library speaks
English here unless a test asks for Chinese (tests/test_i18n.py)."""

import os

os.environ["AUTOGRAD_LITE_LANG"] = "en"
