using Pacer.Configuration;
using Pacer.Redis;

namespace Pacer.Gateway.Hosting;

/// <summary>Reads the engine's and the gateway's settings together, so that one message names every invalid field.</summary>
internal static class StartupSettings
{
    /// <summary>Returns both, or throws <see cref="PacerOptionsException"/> listing every invalid field.</summary>
    public static (PacerOptions Engine, GatewayOptions Gateway) Read(IConfiguration configuration) => Read(configuration, out _, out _);

    /// <summary>Returns the engine's, the gateway's and the shared store's settings (null without <c>PACER_REDIS_URL</c>), or throws listing every invalid field.</summary>
    public static (PacerOptions Engine, GatewayOptions Gateway) Read(IConfiguration configuration, out RedisLimiterOptions? redis, out bool startDegraded)
    {
        var engine = PacerConfiguration.Bind(configuration, out var engineErrors);
        var gateway = GatewayConfiguration.Bind(configuration, out var gatewayErrors);
        redis = RedisConfiguration.Bind(configuration, out startDegraded, out var redisErrors);
        var errors = engineErrors.Concat(gatewayErrors).Concat(redisErrors).ToList();
        if (errors.Count > 0)
        {
            throw new PacerOptionsException(errors);
        }

        if (LoopsBack(gateway, configuration["urls"]) is { } loop)
        {
            throw new PacerOptionsException([loop]);
        }

        return (engine, gateway);
    }

    /// <summary>
    /// Refuses an upstream that is the gateway itself, which happens when the shell that starts the gateway already
    /// points <c>ANTHROPIC_BASE_URL</c> at it for its clients.
    /// </summary>
    private static SettingError? LoopsBack(GatewayOptions gateway, string? commandLineUrls)
    {
        if (gateway.UpstreamBaseUrl is not { IsLoopback: true } upstream)
        {
            return null;
        }

        foreach (var url in (commandLineUrls ?? gateway.Urls).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Uri.TryCreate(url.Replace("*", "localhost", StringComparison.Ordinal).Replace("+", "localhost", StringComparison.Ordinal), UriKind.Absolute, out var listen)
                && listen.Port == upstream.Port && listen.Port != 0 && (listen.IsLoopback || listen.Host is "0.0.0.0" or "[::]"))
            {
                return new SettingError("ANTHROPIC_BASE_URL", upstream.ToString(),
                    $"points at the gateway itself ({url}); unset it (or set it to the real API) in the shell that runs the gateway");
            }
        }

        return null;
    }
}
