from ninja import Router

router = Router(tags=["br_tables"])
