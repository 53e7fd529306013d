from datetime import datetime

from ninja import Router, Schema

from retaguarda.core.api import Page, PageLimit, keyset_page_body
from retaguarda.core.api_auth import require
from retaguarda.core.models import AuditRecord
from retaguarda.core.scope import scoped

router = Router(tags=["audit"])


class AuditOut(Schema):
    id: int
    created_at: datetime
    actor: str
    origin: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict

    @staticmethod
    def resolve_actor(obj):
        return obj.actor_label


@router.get("/audit", response=Page[AuditOut], auth=require("audit.view"))
def audit_records(
    request,
    object_type: str = "",
    object_id: str = "",
    user_id: int | None = None,
    cursor: str | None = None,
    limit: PageLimit = 50,
):
    qs = scoped(AuditRecord, request.company)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if user_id:
        qs = qs.filter(user_id=user_id)
    return keyset_page_body(qs, cursor=cursor, limit=limit, ordering=("-id",))
