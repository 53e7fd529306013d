"""The watch API's input and output shapes (ninja schemas); the routes are in `api`."""

import datetime

from ninja import Schema

from retaguarda.core.api import StrictSchema
from retaguarda.watch.models import Occurrence, OccurrenceComment, Routine

In = StrictSchema


class ParamOut(Schema):
    key: str
    label: str
    default: int
    value: int
    minimum: int
    maximum: int


class RuleOut(Schema):
    code: str
    title: str
    department: str
    severity: str
    enabled: bool
    params: list[ParamOut]
    steps: list[str]


class RuleSettingIn(In):
    enabled: bool = True
    params: dict[str, int] = {}


class StepOut(Schema):
    number: int
    text: str
    done_at: datetime.datetime | None
    done_by_id: int | None


class OccurrenceOut(Schema):
    id: int
    rule: str
    title: str
    subject_type: str
    subject_id: str
    subject_label: str
    subject_url: str
    department: str
    severity: str
    state: str
    assignee_id: int | None
    deadline: datetime.datetime
    late: bool
    explanation: str
    figures: dict
    action_plan: str
    opened_at: datetime.datetime
    closed_at: datetime.datetime | None
    resolution: str
    close_reason: str
    times_opened: int
    routine_id: int | None
    period: datetime.date | None
    version: int

    @staticmethod
    def resolve_late(obj) -> bool:
        return obj.is_late


class OccurrenceDetailOut(OccurrenceOut):
    steps: list[StepOut]

    @staticmethod
    def resolve_steps(obj):
        return list(obj.steps.all())


class AssignIn(In):
    assignee_id: int | None


class CommentIn(In):
    writes = (OccurrenceComment,)
    text: str


class CommentOut(Schema):
    id: int
    user_id: int | None
    text: str
    created_at: datetime.datetime


class ResolveIn(In):
    columns = {"note": Occurrence.close_reason}
    note: str = ""


class DismissIn(In):
    columns = {"reason": Occurrence.close_reason}
    reason: str


class PlanIn(In):
    writes = (Occurrence,)
    version: int
    action_plan: str | None = None
    deadline: datetime.datetime | None = None


class StepCheckIn(In):
    done: bool = True


class RoutineIn(In):
    writes = (Routine,)
    name: str
    department: str
    frequency: str
    weekday: int | None = None
    month_day: int | None = None
    due_hour: int = 18
    checklist: str
    assignee_id: int | None = None
    severity: str = "medium"
    active: bool = True


class RoutinePatch(RoutineIn):
    writes = (Routine,)
    version: int


class RoutineOut(Schema):
    id: int
    name: str
    department: str
    frequency: str
    weekday: int | None
    month_day: int | None
    due_hour: int
    checklist: str
    assignee_id: int | None
    severity: str
    active: bool
    version: int


class RunOut(Schema):
    rules: int
    found: int
    opened: int
    reopened: int
    resolved: int
    refreshed: int
    escalated: int
