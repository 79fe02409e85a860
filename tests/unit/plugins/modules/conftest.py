# Copyright (c) twilio_ops.chat contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible_collections.twilio_ops.chat.tests.unit.plugins.modules.utils import ENVIRONMENT


@pytest.fixture(autouse=True)
def no_twilio_environment(monkeypatch):
    """The options' environment fallbacks read nothing the test did not set itself."""
    for variable in ENVIRONMENT:
        monkeypatch.delenv(variable, raising=False)
