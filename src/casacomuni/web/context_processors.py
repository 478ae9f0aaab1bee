def shell(request):
    return {"active_membership": getattr(request, "membership", None)}
