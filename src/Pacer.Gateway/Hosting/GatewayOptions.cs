using Pacer.Gateway.Alerts;

namespace Pacer.Gateway.Hosting;

/// <summary>
/// The gateway's own settings (the engine's live in <see cref="Pacer.Configuration.PacerOptions"/>). Each is read from its
/// environment variable (or <c>.env</c>) first, then from the <c>Gateway</c> section of <c>appsettings.json</c>.
/// </summary>
internal sealed record GatewayOptions
{
    /// <summary>The configuration section that holds these settings.</summary>
    public const string SectionName = "Gateway";

    /// <summary>The default listening address.</summary>
    public const string DefaultUrls = "http://127.0.0.1:8080";

    /// <summary>The default of <see cref="InlineIo"/>.</summary>
    public const bool DefaultInlineIo = true;

    /// <summary>The real Anthropic API, used when <c>ANTHROPIC_API_KEY</c> is given without <c>ANTHROPIC_BASE_URL</c>.</summary>
    public static readonly Uri AnthropicApi = new("https://api.anthropic.com");

    /// <summary>Gets the addresses to listen on (<c>PACER_GATEWAY_URLS</c>; <c>--urls</c> wins).</summary>
    public string Urls { get; init; } = DefaultUrls;

    /// <summary>Gets the upstream base address (<c>ANTHROPIC_BASE_URL</c>); null means the default or the simulator.</summary>
    public Uri? UpstreamBaseUrl { get; init; }

    /// <summary>Gets the gateway's own upstream key (<c>ANTHROPIC_API_KEY</c>), used in managed mode.</summary>
    public string? UpstreamApiKey { get; init; }

    /// <summary>Gets the admin key (<c>PACER_ADMIN_API_KEY</c>); null turns the admin API off.</summary>
    public string? AdminApiKey { get; init; }

    /// <summary>Gets how callers authenticate (<c>PACER_AUTH_MODE</c>).</summary>
    public AuthMode AuthMode { get; init; } = AuthMode.Passthrough;

    /// <summary>Gets the SQLite file for persisted settings and managed keys (<c>PACER_DB_PATH</c>).</summary>
    public string DatabasePath { get; init; } = "pacer.db";

    /// <summary>Gets the largest request body accepted on <c>/v1/*</c>, in bytes (<c>PACER_MAX_BODY_BYTES</c>).</summary>
    public long MaxRequestBodyBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>Gets how long a stream may stay silent before the gateway ends it with an error event (<c>PACER_STREAM_IDLE_TIMEOUT</c>).</summary>
    public TimeSpan StreamIdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets how long requests in flight may run on after shutdown begins (<c>PACER_SHUTDOWN_TIMEOUT</c>).</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets a value indicating whether the caller's <c>x-pacer-user</c> header names the user (<c>PACER_TRUST_USER_HEADER</c>).</summary>
    public bool TrustUserHeader { get; init; }

    /// <summary>
    /// Gets a value indicating whether Kestrel runs the request path inline on its socket I/O threads instead of handing
    /// each step to the thread pool (<c>PACER_INLINE_IO</c>): less latency per request, but anything that blocks on the
    /// request path then holds every connection served by that I/O thread.
    /// </summary>
    public bool InlineIo { get; init; } = DefaultInlineIo;

    /// <summary>
    /// Gets how long a client may take to send a request's headers, from its first byte or, on a kept-alive connection,
    /// from the end of the previous answer (<c>PACER_REQUEST_HEADERS_TIMEOUT</c>); a slower client is disconnected.
    /// </summary>
    public TimeSpan RequestHeadersTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets how long a connection may stay idle between requests, or before its first (<c>PACER_KEEP_ALIVE_TIMEOUT</c>).</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(130);

    /// <summary>
    /// Gets the slowest a request body may arrive, in bytes per second averaged after a 5-second grace period, before the
    /// connection is closed (<c>PACER_MIN_REQUEST_BODY_RATE</c>); 0 turns the check off.
    /// </summary>
    public long MinRequestBodyBytesPerSecond { get; init; } = 240;

    /// <summary>
    /// Gets the most connections open at once (<c>PACER_MAX_CONNECTIONS</c>); one more is closed as soon as it is accepted.
    /// 0 means no limit but the process's open-file limit.
    /// </summary>
    public long MaxConnections { get; init; } = 15_000;

    /// <summary>
    /// Gets the origins whose browser pages may call the gateway (<c>PACER_CORS_ORIGINS</c>, comma-separated); empty
    /// means none: no <c>Access-Control-*</c> header is ever sent and every preflight is refused.
    /// </summary>
    public IReadOnlyList<string> CorsOrigins { get; init; } = [];

    /// <summary>Gets the alert rules' thresholds and webhook (<c>PACER_ALERT_*</c>).</summary>
    public AlertOptions Alerts { get; init; } = new();

    /// <summary>Gets a value indicating whether the built-in simulator is the upstream (neither base URL nor key given).</summary>
    public bool UseSimulator => UpstreamBaseUrl is null && UpstreamApiKey is null;
}
