using Pacer.Gateway.Hosting;
using Pacer.Gateway.Storage;
using Pacer.Redis;

namespace Pacer.Gateway.Operations;

/// <summary><c>/healthz</c>: the process answers. <c>/readyz</c>: the store answers, an upstream is configured, the shared limits are usable (degraded to this instance's share counts as ready; failing closed does not), and the gateway is not stopping.</summary>
internal static class HealthEndpoints
{
    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Json(new { status = "ok" }));
        app.MapGet("/readyz", Ready);
    }

    private static IResult Ready(GatewayDatabase database, UpstreamTarget upstream, GatewayOptions options, ShutdownGate gate, IServiceProvider services)
    {
        var shared = services.GetService<RedisLimiterStore>();
        var limits = SharedLimits.Describe(shared);
        var limitsReady = shared is null || !shared.IsDegraded || shared.Options.FailurePolicy == RedisFailurePolicy.ShareLimits;
        var store = database.Ping();
        var upstreamProblem = options.AuthMode == AuthMode.Managed && string.IsNullOrEmpty(upstream.ApiKey)
            ? "managed mode needs ANTHROPIC_API_KEY"
            : null;
        var ready = store is null && upstreamProblem is null && !gate.IsStopping && limitsReady;
        var body = new
        {
            status = ready ? "ready" : "not_ready",
            checks = new
            {
                store = store is null ? "ok" : "unreachable: " + store,
                upstream = upstreamProblem ?? (upstream.IsSimulator ? "simulator " : string.Empty) + upstream.BaseUrl,
                shutdown = gate.IsStopping ? "stopping" : "running",
                limits,
            },
        };
        return Results.Json(body, statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}
