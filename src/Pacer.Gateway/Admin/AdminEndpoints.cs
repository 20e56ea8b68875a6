using Pacer.Configuration;
using Pacer.Gateway.Hosting;
using Pacer.Gateway.Operations;
using Pacer.Gateway.Proxy;
using Pacer.Limiting;

namespace Pacer.Gateway.Admin;

/// <summary>The seed's admin API: <c>GET /api/admin/rate-limit-status</c> and <c>POST /api/admin/update-rate-limits</c>.</summary>
internal static class AdminEndpoints
{
    public const string Prefix = "/api/admin";

    private const string UpdateShape = """{"config":{"maxRequestsPerMinute":100,"maxConcurrentRequests":10,"maxRetries":5}}""";

    public static RouteGroupBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup(Prefix).AddEndpointFilter<AdminKeyFilter>();
        admin.MapGet("/rate-limit-status", StatusAsync);
        admin.MapPost("/update-rate-limits", UpdateAsync);
        admin.MapPost("/reset-rate-limits", ResetAsync);
        admin.MapKeys();
        admin.MapUsage();
        return admin;
    }

    private static async Task<IResult> StatusAsync(HttpContext context, Limiter limiter, RateLimitSettings settings, GatewayOptions options, UpstreamTarget upstream) =>
        Results.Json(RateLimitStatus.From(limiter.Options, await limiter.SnapshotAsync(context.RequestAborted).ConfigureAwait(false), Describe(context, settings, options, upstream)));

    private static async Task<IResult> UpdateAsync(HttpRequest request, Limiter limiter, RateLimitSettings settings, GatewayOptions options, UpstreamTarget upstream)
    {
        var sync = request.HttpContext.RequestServices.GetService<SettingsSync>();
        var (document, error) = await AdminJsonBody.ReadAsync(request, UpdateShape).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        using (document)
        {
            var root = document!.RootElement;
            if (AdminJsonBody.RefuseUnknown(root, UpdateShape, "config") is { } unknown)
            {
                return unknown;
            }

            if (!root.TryGetProperty("config", out var config))
            {
                return AdminJsonBody.Invalid($"The body has no 'config' object; expected {UpdateShape}");
            }

            var update = PacerOptionsUpdate.Parse(config, out var parseErrors);
            update.ApplyTo(limiter.Options, SettingNaming.Json, out var rangeErrors);
            var errors = parseErrors.Concat(rangeErrors).ToList();
            if (errors.Count > 0)
            {
                return Refused(errors, limiter.Options);
            }

            if (update.Values.Count == 0)
            {
                return AdminJsonBody.Invalid("'config' names no setting; known: " + string.Join(", ", PacerSettings.All.Select(s => s.JsonName)));
            }

            PacerOptions applied;
            try
            {
                applied = settings.Apply(update);
            }
            catch (PacerOptionsException refused)
            {
                return Refused(refused.Errors, limiter.Options);
            }

            if (sync is not null)
            {
                await sync.PublishAsync(update).ConfigureAwait(false);
            }

            var updated = update.Values.ToDictionary(p => p.Key.JsonName, p => p.Value, StringComparer.Ordinal);
            return Results.Json(RateLimitStatus.From(applied, limiter.Snapshot(), Describe(request.HttpContext, settings, options, upstream), "Rate limits updated", updated));
        }
    }

    private static async Task<IResult> ResetAsync(HttpContext context, Limiter limiter, RateLimitSettings settings, GatewayOptions options, UpstreamTarget upstream, EnvironmentSettings environment)
    {
        var applied = settings.Reset(environment.Options);
        if (context.RequestServices.GetService<SettingsSync>() is { } sync)
        {
            await sync.PublishAsync(null).ConfigureAwait(false);
        }

        return Results.Json(RateLimitStatus.From(applied, limiter.Snapshot(), Describe(context, settings, options, upstream), "Persisted settings cleared; the environment's values apply"));
    }

    private static AnthropicError Refused(IReadOnlyList<SettingError> errors, PacerOptions inForce) =>
        new(StatusCodes.Status400BadRequest, "invalid_request_error", $"Invalid settings ({errors.Count}), nothing changed: " + string.Join("; ", errors))
        {
            Admin = true,
            Errors = errors,
            ExtendedRanges = inForce.ExtendedRanges,
        };

    private static GatewayStatus Describe(HttpContext context, RateLimitSettings settings, GatewayOptions options, UpstreamTarget upstream) =>
        new(options.AuthMode.ToString().ToLowerInvariant(), upstream.BaseUrl.ToString(), upstream.IsSimulator, settings.Persisted(),
            SharedLimits.Describe(context.RequestServices.GetService<Pacer.Redis.RedisLimiterStore>()));
}
