"""memory: peak resident memory (VmHWM) of the app's server workers after the load scenarios."""

import http.client

from bench.registry import SKIPPED, Figure, Outcome, scenario

TARGET_MIB = 150


def _warm_load(ctx, server, requests: int) -> None:
    """When no load scenario ran, some authenticated API traffic so the workers hold a real working set."""
    headers = ctx.api_headers()
    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    for path in ("/api/v1/auth/me", "/api/v1/health", "/api/v1/openapi.json"):
        for _ in range(requests):
            conn.request("GET", path, headers=headers)
            conn.getresponse().read()
    conn.close()


@scenario("memory", "peak RSS (VmHWM) of a server worker after the load scenarios")
def run(ctx) -> Outcome:
    out = Outcome()
    memory = ctx.current_app_memory()
    if not memory.get("workers"):
        server = ctx.app_server()
        _warm_load(ctx, server, 10 if ctx.quick else 50)
        memory = ctx.current_app_memory()
        out.note = "no load scenario ran before it: measured after light API traffic (auth/me, health, openapi)"
    if not memory.get("workers"):
        return Outcome(status=SKIPPED, note="could not read the workers' memory")
    out.details["app"] = memory
    out.details["floor"] = ctx.floor_memory
    out.figures.append(
        Figure(
            "peak RSS of a worker",
            memory["max_peak_mib"],
            "MiB",
            floor=(ctx.floor_memory or {}).get("max_peak_mib"),
            target=f"< {TARGET_MIB} MiB",
            detail=f"max of {len(memory['workers'])} workers, VmHWM",
        )
    )
    return out
