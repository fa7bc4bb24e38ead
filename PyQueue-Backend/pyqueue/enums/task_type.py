"""The nine demo task types that ship with PyQueue.

Task types are open: the handler registry accepts any name. These are the ones that ship.
"""

from enum import StrEnum


class TaskType(StrEnum):
    EMAIL = "EMAIL"
    REPORT = "REPORT"
    DATACLEANUP = "DATACLEANUP"
    SMS = "SMS"
    NEWSLETTER = "NEWSLETTER"
    TAKESLONG = "TAKESLONG"
    FAIL = "FAIL"
    FAILABS = "FAILABS"
    TEST = "TEST"
