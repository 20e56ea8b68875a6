using System.Globalization;
using Microsoft.Extensions.Configuration;
using Pacer.Configuration;

namespace Pacer.Redis;

/// <summary>
/// Reads the <c>PACER_REDIS_*</c> settings (environment, <c>.env</c>, or the <c>Pacer:Redis</c> section). Without
/// <c>PACER_REDIS_URL</c> there is no shared store. Every invalid value is reported at once, with what is allowed.
/// </summary>
public static class RedisConfiguration
{
    /// <summary>The setting that turns the shared store on.</summary>
    public const string UrlVariable = "PACER_REDIS_URL";

    /// <summary>Reads the settings; returns null when <c>PACER_REDIS_URL</c> is not set. <paramref name="startDegraded"/>: <c>PACER_REDIS_START_DEGRADED</c>.</summary>
    public static RedisLimiterOptions? Bind(IConfiguration configuration, out bool startDegraded, out IReadOnlyList<SettingError> errors)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var found = new List<SettingError>();
        errors = found;
        startDegraded = false;
        var url = Read(configuration, UrlVariable, "Url");
        if (string.IsNullOrWhiteSpace(url))
        {
            return null;
        }

        try
        {
            RedisUrl.Parse(url);
        }
        catch (FormatException exception)
        {
            // The value may hold a password: report only what is wrong.
            found.Add(new SettingError(UrlVariable, "(hidden)", exception.Message.Replace("PACER_REDIS_URL ", string.Empty, StringComparison.Ordinal)));
        }

        var options = new RedisLimiterOptions { Url = url };
        if (Read(configuration, "PACER_REDIS_PREFIX", "Prefix") is { } prefix)
        {
            if (prefix.Length is > 0 and <= 64 && prefix.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                options = options with { Prefix = prefix };
            }
            else
            {
                found.Add(new SettingError("PACER_REDIS_PREFIX", prefix, "must be 1-64 letters, digits, '-', '_' or '.'"));
            }
        }

        if (Number(configuration, found, "PACER_REDIS_LEASE_SECONDS", "LeaseSeconds", 2, 300) is { } lease)
        {
            options = options with { LeaseTimeToLive = TimeSpan.FromSeconds(lease) };
        }

        if (Number(configuration, found, "PACER_REDIS_TIMEOUT", "Timeout", 10, 10000) is { } timeout)
        {
            options = options with { OperationTimeout = TimeSpan.FromMilliseconds(timeout) };
        }

        if (Read(configuration, "PACER_REDIS_FAILURE", "Failure") is { } failure)
        {
            switch (failure.Trim().ToLowerInvariant())
            {
                case "share":
                    options = options with { FailurePolicy = RedisFailurePolicy.ShareLimits };
                    break;
                case "closed":
                    options = options with { FailurePolicy = RedisFailurePolicy.FailClosed };
                    break;
                default:
                    found.Add(new SettingError("PACER_REDIS_FAILURE", failure, "must be share (each instance takes its share of the limits) or closed (refuse every request)"));
                    break;
            }
        }

        if (Read(configuration, "PACER_REDIS_START_DEGRADED", "StartDegraded") is { } degraded)
        {
            if (bool.TryParse(degraded.Trim(), out var value))
            {
                startDegraded = value;
            }
            else
            {
                found.Add(new SettingError("PACER_REDIS_START_DEGRADED", degraded, "must be true or false"));
            }
        }

        return options;
    }

    private static string? Read(IConfiguration configuration, string variable, string key) =>
        configuration[variable] is { Length: > 0 } value ? value : configuration[$"Pacer:Redis:{key}"];

    private static int? Number(IConfiguration configuration, List<SettingError> found, string variable, string key, int min, int max)
    {
        if (Read(configuration, variable, key) is not { } text)
        {
            return null;
        }

        if (int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        found.Add(new SettingError(variable, text, $"must be a whole number from {min} to {max}"));
        return null;
    }
}
