"""memory: peak resident memory (VmHWM) of the app's server workers after the load scenarios."""

import http.client

from bench.registry import SKIPPED, Figure, Outcome, scenario

TARGET_MIB = 150


def _light_load(ctx, server, requests: int) -> None:
    """When no load scenario ran, some authenticated API traffic so the workers hold a real working set."""
    headers = ctx.api_headers()
    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    for path in ("/api/v1/auth/me", "/api/v1/health", "/api/v1/openapi.json"):
        for _ in range(requests):
            conn.request("GET", path, headers=headers)
            conn.getresponse().read()
    conn.close()


@scenario("memory", "peak RSS (VmHWM) of a server worker after the load scenarios, and after one sign-in")
def run(ctx) -> Outcome:
    out = Outcome()
    memory = ctx.current_app_memory()
    if not memory.get("workers"):
        server = ctx.app_server()
        _light_load(ctx, server, 10 if ctx.quick else 50)
        memory = ctx.current_app_memory()
        out.note = "no load scenario ran before it: measured after light API traffic (auth/me, health, openapi)"
    if not memory.get("workers"):
        return Outcome(status=SKIPPED, note="could not read the workers' memory")
    out.details["app"] = memory
    out.details["floor"] = ctx.floor_memory
    ctx.log(f"  after load: peak {memory['max_peak_mib']} MiB (floor {ctx.floor_memory.get('max_peak_mib')} MiB)")
    out.figures.append(
        Figure(
            "peak RSS of a worker after load",
            memory["max_peak_mib"],
            "MiB",
            floor=(ctx.floor_memory or {}).get("max_peak_mib"),
            target=f"< {TARGET_MIB} MiB",
            detail=f"max VmHWM of {len(memory['workers'])} workers",
        )
    )
    if ctx._server is not None and ctx._server.name == "app":
        status = ctx.sign_in_over_http()
        after = ctx.current_app_memory()
        out.details["after_sign_in"] = after
        if status != 200:
            out.errors += 1
        ctx.log(f"  after one sign-in (POST /api/v1/auth/token, {status}): peak {after['max_peak_mib']} MiB")
        out.figures.append(
            Figure(
                "peak RSS after one API sign-in",
                after["max_peak_mib"],
                "MiB",
                detail="Argon2 password check",
            )
        )
    return out
