from ninja import Router

router = Router(tags=["intake"])
public_router = Router(tags=["public"])
