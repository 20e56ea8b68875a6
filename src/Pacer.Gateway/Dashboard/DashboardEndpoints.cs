using System.Text.Json;
using Pacer.Configuration;
using Pacer.Gateway.Admin;
using Pacer.Gateway.Alerts;
using Pacer.Gateway.Hosting;
using Pacer.Gateway.Proxy;
using Pacer.Limiting;

namespace Pacer.Gateway.Dashboard;

/// <summary>
/// The dashboard: the page (<c>/dashboard</c>, <c>/</c> leads to it) and its embedded files, sign-in
/// (<c>/dashboard/session</c>), and two admin endpoints the page reads besides the seed's: <c>GET /api/admin/live</c>
/// (the last 15 minutes of samples and the alerts) and <c>GET /api/admin/settings</c> (every setting with its range, and
/// the presets). Everything else the page does goes through the existing admin API.
/// </summary>
internal static class DashboardEndpoints
{
    public const string Root = "/dashboard";

    private const int MaxSignInBytes = 4096;

    public static void MapDashboard(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => Results.Redirect(Root));
        app.MapGet(Root, (DashboardAssets assets) => assets.Serve("index.html"));
        app.MapGet(Root + "/assets/{**name}", (string name, DashboardAssets assets) => assets.Serve(name));
        app.MapGet(Root + "/session", SessionState);
        app.MapPost(Root + "/session", SignInAsync);
        app.MapDelete(Root + "/session", SignOut);

        var admin = app.MapGroup(AdminEndpoints.Prefix).AddEndpointFilter<AdminKeyFilter>();
        admin.MapGet("/live", Live);
        admin.MapGet("/settings", Settings);
    }

    private static IResult SessionState(HttpContext context, GatewayOptions options, DashboardSessions sessions)
    {
        var csrf = options.AdminApiKey is null ? null : sessions.CsrfOf(context.Request);
        return Results.Json(new
        {
            success = true,
            adminApi = options.AdminApiKey is null ? "off" : "on",
            signedIn = csrf is not null,
            csrf,
            howToEnable = options.AdminApiKey is null
                ? $"Set PACER_ADMIN_API_KEY to a secret of at least {GatewayConfiguration.MinimumAdminKeyLength} characters (environment or .env) and restart the gateway; then sign in here with that secret."
                : null,
        });
    }

    private static async Task<IResult> SignInAsync(HttpContext context, AdminKeyFilter keys, DashboardSessions sessions)
    {
        // A JSON body cannot be sent by another site's form: a cross-site fetch of it needs a CORS preflight, never granted.
        if (!string.Equals(context.Request.ContentType?.Split(';')[0].Trim(), "application/json", StringComparison.OrdinalIgnoreCase))
        {
            return AdminJsonBody.Invalid("""Sign in with a JSON body {"key":"<PACER_ADMIN_API_KEY>"} and Content-Type: application/json.""");
        }

        var body = await BodyReader.ReadAsync(context.Request, MaxSignInBytes, context.RequestAborted).ConfigureAwait(false);
        string? key = null;
        try
        {
            using var document = body is null ? null : JsonDocument.Parse(body);
            if (document?.RootElement is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty("key", out var value) && value.ValueKind == JsonValueKind.String)
            {
                key = value.GetString();
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Refused below; InvalidOperationException is a key that is not valid UTF-8 or holds an unpaired surrogate escape.
        }

        if (key is null)
        {
            return AdminJsonBody.Invalid("""Sign in with a JSON body {"key":"<PACER_ADMIN_API_KEY>"}.""");
        }

        if (keys.Refusal(context, key) is { } refused)
        {
            return refused;
        }

        var (id, csrf) = sessions.Create();
        DashboardSessions.SetCookie(context, id);
        return Results.Json(new { success = true, csrf });
    }

    private static IResult SignOut(HttpContext context, DashboardSessions sessions)
    {
        if (sessions.Authorizes(context.Request))
        {
            sessions.End(context.Request);
        }

        DashboardSessions.ClearCookie(context);
        return Results.Json(new { success = true });
    }

    private static IResult Live(HttpContext context, LiveHistory history, AlertBoard alerts, TrafficTally tally, Limiter limiter, GatewayOptions options)
    {
        _ = long.TryParse(context.Request.Query["since"], out var since);
        var samples = history.Since(since);
        var rateLimited = limiter.Totals.Snapshot().RateLimited;
        return Results.Json(new
        {
            success = true,
            intervalMs = (long)LiveHistory.Interval.TotalMilliseconds,
            samples = new
            {
                time = samples.Select(s => s.Time),
                requestsInLastMinute = samples.Select(s => s.RequestsInLastMinute),
                requestsPerMinuteLimit = samples.Select(s => s.RequestsPerMinuteLimit),
                inFlight = samples.Select(s => s.InFlight),
                concurrencyLimit = samples.Select(s => s.ConcurrencyLimit),
                queued = samples.Select(s => s.Queued),
                requests = samples.Select(s => s.Requests),
                retries = samples.Select(s => s.Retries),
                upstreamRateLimited = samples.Select(s => s.UpstreamRateLimited),
                passedOnRateLimited = samples.Select(s => s.PassedOnRateLimited),
                failures = samples.Select(s => s.Failures),
                rejections = samples.Select(s => s.Rejections),
            },
            rateLimited = new
            {
                fromUpstream = rateLimited,
                passedOn = tally.PassedOnRateLimited,
                absorbed = Math.Max(0, rateLimited - tally.PassedOnRateLimited),
            },
            alerts = new
            {
                firing = alerts.Firing,
                recent = alerts.Recent,
                webhook = options.Alerts.WebhookUrl is not null,
                thresholds = new
                {
                    windowMs = (long)options.Alerts.Window.TotalMilliseconds,
                    upstream429s = options.Alerts.UpstreamRateLimited,
                    queueWaitMs = (long)options.Alerts.QueueWait.TotalMilliseconds,
                    unreachable = options.Alerts.Unreachable,
                    budgetPercent = options.Alerts.BudgetWarningPercent,
                },
            },
        }, AlertWebhook.Json);
    }

    // The ranges in force: the seed's, or the extended ones when the gateway started with PACER_EXTENDED_RANGES=true.
    private static IResult Settings(Limiter limiter) => Results.Json(new
    {
        success = true,
        extendedRanges = limiter.Options.ExtendedRanges,
        settings = PacerSettings.All.Select(s => new
        {
            name = s.JsonName,
            environmentVariable = s.EnvironmentVariable,
            minimum = s.Minimum,
            maximum = s.MaximumUnder(limiter.Options.ExtendedRanges),
            extendedMaximum = s.ExtendedMaximum,
            wholeNumber = s.WholeNumber,
            unit = s.Unit,
        }),
        presets = SettingPresets.All,
    });
}
