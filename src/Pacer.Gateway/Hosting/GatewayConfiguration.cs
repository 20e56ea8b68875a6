using System.Globalization;
using Pacer.Configuration;
using Pacer.Gateway.Alerts;

namespace Pacer.Gateway.Hosting;

/// <summary>
/// Reads <see cref="GatewayOptions"/>: each environment variable (or <c>.env</c> line) wins over the <c>Gateway</c>
/// section. Every invalid value is reported at once, named as the operator wrote it, with what is allowed.
/// </summary>
internal static class GatewayConfiguration
{
    public const int MinimumAdminKeyLength = 16;

    public static GatewayOptions Bind(IConfiguration configuration, out IReadOnlyList<SettingError> errors)
    {
        var found = new List<SettingError>();
        var reader = new Reader(configuration, found);
        var options = new GatewayOptions();

        if (reader.Text("PACER_GATEWAY_URLS", nameof(GatewayOptions.Urls)) is { } urls)
        {
            options = options with { Urls = urls };
        }

        if (reader.Text("ANTHROPIC_BASE_URL", "UpstreamBaseUrl") is { } baseUrl)
        {
            if (Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && string.IsNullOrEmpty(uri.Query))
            {
                options = options with { UpstreamBaseUrl = uri };
            }
            else
            {
                reader.Error("ANTHROPIC_BASE_URL", baseUrl, "must be an absolute http:// or https:// address without a query, for example https://api.anthropic.com");
            }
        }

        options = options with { UpstreamApiKey = reader.Text("ANTHROPIC_API_KEY", "UpstreamApiKey") };

        if (reader.Text("PACER_ADMIN_API_KEY", nameof(GatewayOptions.AdminApiKey)) is { } adminKey)
        {
            if (adminKey.Length < MinimumAdminKeyLength || adminKey.Any(char.IsWhiteSpace))
            {
                // The value is a secret: report only its length.
                reader.Error("PACER_ADMIN_API_KEY", $"({adminKey.Length} characters)", $"must be at least {MinimumAdminKeyLength} characters without spaces");
            }
            else
            {
                options = options with { AdminApiKey = adminKey };
            }
        }

        if (reader.Text("PACER_AUTH_MODE", nameof(GatewayOptions.AuthMode)) is { } mode)
        {
            if (Enum.TryParse<AuthMode>(mode, ignoreCase: true, out var authMode) && !int.TryParse(mode, out _))
            {
                options = options with { AuthMode = authMode };
            }
            else
            {
                reader.Error("PACER_AUTH_MODE", mode, "must be passthrough or managed");
            }
        }

        if (reader.Text("PACER_DB_PATH", nameof(GatewayOptions.DatabasePath)) is { } path)
        {
            options = options with { DatabasePath = path };
        }

        if (reader.Number("PACER_MAX_BODY_BYTES", nameof(GatewayOptions.MaxRequestBodyBytes), 1024, 1L << 30) is { } maxBody)
        {
            options = options with { MaxRequestBodyBytes = maxBody };
        }

        if (reader.Number("PACER_STREAM_IDLE_TIMEOUT", nameof(GatewayOptions.StreamIdleTimeout), 100, 3_600_000, "ms") is { } idle)
        {
            options = options with { StreamIdleTimeout = TimeSpan.FromMilliseconds(idle) };
        }

        if (reader.Number("PACER_SHUTDOWN_TIMEOUT", nameof(GatewayOptions.ShutdownTimeout), 0, 3_600_000, "ms") is { } shutdown)
        {
            options = options with { ShutdownTimeout = TimeSpan.FromMilliseconds(shutdown) };
        }

        if (reader.Flag("PACER_TRUST_USER_HEADER", nameof(GatewayOptions.TrustUserHeader)) is { } trust)
        {
            options = options with { TrustUserHeader = trust };
        }

        if (reader.Flag("PACER_INLINE_IO", nameof(GatewayOptions.InlineIo)) is { } inline)
        {
            options = options with { InlineIo = inline };
        }

        options = BindConnectionLimits(reader, options);
        options = options with { Alerts = BindAlerts(reader) };

        if (options.AuthMode == AuthMode.Managed && options.UpstreamApiKey is null && !options.UseSimulator)
        {
            reader.Error("ANTHROPIC_API_KEY", "(not set)", "is required when PACER_AUTH_MODE=managed with an ANTHROPIC_BASE_URL: the gateway calls upstream with its own key");
        }

        errors = found;
        return options;
    }

    /// <summary>Kestrel's limits on slow or idle clients and the origins allowed to call from a browser.</summary>
    private static GatewayOptions BindConnectionLimits(Reader reader, GatewayOptions options)
    {
        if (reader.Number("PACER_REQUEST_HEADERS_TIMEOUT", nameof(GatewayOptions.RequestHeadersTimeout), 1000, 600_000, "ms") is { } headers)
        {
            options = options with { RequestHeadersTimeout = TimeSpan.FromMilliseconds(headers) };
        }

        if (reader.Number("PACER_KEEP_ALIVE_TIMEOUT", nameof(GatewayOptions.KeepAliveTimeout), 1000, 3_600_000, "ms") is { } keepAlive)
        {
            options = options with { KeepAliveTimeout = TimeSpan.FromMilliseconds(keepAlive) };
        }

        if (reader.Number("PACER_MIN_REQUEST_BODY_RATE", "MinRequestBodyRate", 0, 100_000_000, "bytes/s") is { } rate)
        {
            options = options with { MinRequestBodyBytesPerSecond = rate };
        }

        if (reader.Number("PACER_MAX_CONNECTIONS", nameof(GatewayOptions.MaxConnections), 0, 10_000_000) is { } connections)
        {
            options = options with { MaxConnections = connections };
        }

        if (reader.Text("PACER_CORS_ORIGINS", nameof(GatewayOptions.CorsOrigins)) is { } origins)
        {
            var allowed = new List<string>();
            foreach (var origin in origins.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (CrossOrigin.Normalize(origin) is { } normalized)
                {
                    allowed.Add(normalized);
                }
                else
                {
                    reader.Error("PACER_CORS_ORIGINS", origin, "each origin must be scheme://host[:port] with http or https and nothing after, for example https://app.example.com; '*' is not allowed");
                }
            }

            options = options with { CorsOrigins = allowed };
        }

        return options;
    }

    private static AlertOptions BindAlerts(Reader reader)
    {
        var alerts = new AlertOptions();
        if (reader.Text("PACER_ALERT_WEBHOOK_URL", "AlertWebhookUrl") is { } webhook)
        {
            if (Uri.TryCreate(webhook, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            {
                alerts = alerts with { WebhookUrl = uri };
            }
            else
            {
                // The URL may hold a token: name only what is wrong with it.
                reader.Error("PACER_ALERT_WEBHOOK_URL", $"({webhook.Length} characters)", "must be an absolute http:// or https:// address");
            }
        }

        if (reader.Number("PACER_ALERT_WINDOW", "AlertWindow", 10_000, 3_600_000, "ms") is { } window)
        {
            alerts = alerts with { Window = TimeSpan.FromMilliseconds(window) };
        }

        if (reader.Number("PACER_ALERT_UPSTREAM_429S", "AlertUpstream429s", 1, 1_000_000) is { } rateLimited)
        {
            alerts = alerts with { UpstreamRateLimited = (int)rateLimited };
        }

        if (reader.Number("PACER_ALERT_QUEUE_WAIT", "AlertQueueWait", 1, 3_600_000, "ms") is { } queueWait)
        {
            alerts = alerts with { QueueWait = TimeSpan.FromMilliseconds(queueWait) };
        }

        if (reader.Number("PACER_ALERT_UNREACHABLE", "AlertUnreachable", 1, 1_000_000) is { } unreachable)
        {
            alerts = alerts with { Unreachable = (int)unreachable };
        }

        if (reader.Number("PACER_ALERT_BUDGET_PERCENT", "AlertBudgetPercent", 1, 99, "%") is { } percent)
        {
            alerts = alerts with { BudgetWarningPercent = (int)percent };
        }

        return alerts;
    }

    /// <summary>Reads each value from its environment variable, else from <c>Gateway:Name</c>; blank means not set.</summary>
    private sealed class Reader(IConfiguration configuration, List<SettingError> errors)
    {
        public string? Text(string environmentVariable, string name)
        {
            var value = configuration[environmentVariable] ?? configuration[$"{GatewayOptions.SectionName}:{name}"];
            return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        }

        public bool? Flag(string environmentVariable, string name)
        {
            if (Text(environmentVariable, name) is not { } text)
            {
                return null;
            }

            if (bool.TryParse(text, out var flag))
            {
                return flag;
            }

            Error(environmentVariable, text, "must be true or false");
            return null;
        }

        public long? Number(string environmentVariable, string name, long minimum, long maximum, string unit = "")
        {
            if (Text(environmentVariable, name) is not { } text)
            {
                return null;
            }

            var range = string.Create(CultureInfo.InvariantCulture, $"{minimum}-{maximum}{(unit.Length == 0 ? string.Empty : " " + unit)}");
            if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                Error(environmentVariable, text, $"is not a whole number; allowed {range}");
                return null;
            }

            if (value < minimum || value > maximum)
            {
                Error(environmentVariable, text, $"is out of range; allowed {range}");
                return null;
            }

            return value;
        }

        public void Error(string field, string value, string reason) => errors.Add(new SettingError(field, value, reason));
    }
}
