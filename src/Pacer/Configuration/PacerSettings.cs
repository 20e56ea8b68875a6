namespace Pacer.Configuration;

/// <summary>The table of every setting: names in each source, default, range. Binding, validation and the admin API read it.</summary>
public static class PacerSettings
{
    /// <summary>
    /// Gets every setting, the seed's six first, in the seed's order. Each range is the seed's; <c>PACER_EXTENDED_RANGES=true</c>
    /// (<see cref="PacerOptions.ExtendedRanges"/>) widens the first two to <see cref="PacerSetting.ExtendedMaximum"/>.
    /// </summary>
    public static IReadOnlyList<PacerSetting> All { get; } =
    [
        Whole(nameof(PacerOptions.MaxRequestsPerMinute), "ANTHROPIC_RATE_LIMIT_PER_MINUTE", 1, SettingRanges.MaxRequestsPerMinute, "", o => o.MaxRequestsPerMinute, (o, v) => o with { MaxRequestsPerMinute = (int)v }, SettingRanges.ExtendedMaxRequestsPerMinute),
        Whole(nameof(PacerOptions.MaxConcurrentRequests), "ANTHROPIC_CONCURRENT_REQUESTS", 1, SettingRanges.MaxConcurrentRequests, "", o => o.MaxConcurrentRequests, (o, v) => o with { MaxConcurrentRequests = (int)v }, SettingRanges.ExtendedMaxConcurrentRequests),
        Whole(nameof(PacerOptions.MaxRetries), "ANTHROPIC_MAX_RETRIES", 0, 10, "", o => o.MaxRetries, (o, v) => o with { MaxRetries = (int)v }),
        Whole(nameof(PacerOptions.BaseDelay), "ANTHROPIC_BASE_DELAY", 100, 10000, "ms", o => o.BaseDelay, (o, v) => o with { BaseDelay = (int)v }),
        Whole(nameof(PacerOptions.MaxDelay), "ANTHROPIC_MAX_DELAY", 1000, 120000, "ms", o => o.MaxDelay, (o, v) => o with { MaxDelay = (int)v }),
        new(nameof(PacerOptions.BackoffFactor), "backoffFactor", "ANTHROPIC_BACKOFF_FACTOR", 1, 5, wholeNumber: false, "", o => o.BackoffFactor, (o, v) => o with { BackoffFactor = v }),
        Whole(nameof(PacerOptions.Burst), "PACER_BURST", 1, 100, "", o => o.Burst, (o, v) => o with { Burst = (int)v }),
        Whole(nameof(PacerOptions.MaxQueueLength), "PACER_MAX_QUEUE_LENGTH", 0, 1_000_000, "", o => o.MaxQueueLength, (o, v) => o with { MaxQueueLength = (int)v }),
        Whole(nameof(PacerOptions.MaxQueueWait), "PACER_MAX_QUEUE_WAIT", 0, 3_600_000, "ms", o => o.MaxQueueWait, (o, v) => o with { MaxQueueWait = (int)v }),
        Whole(nameof(PacerOptions.AttemptTimeout), "PACER_ATTEMPT_TIMEOUT", 1000, 3_600_000, "ms", o => o.AttemptTimeout, (o, v) => o with { AttemptTimeout = (int)v }),
        Whole(nameof(PacerOptions.InputTokensPerMinute), "PACER_INPUT_TOKENS_PER_MINUTE", 0, 100_000_000, "", o => o.InputTokensPerMinute, (o, v) => o with { InputTokensPerMinute = (int)v }),
        Whole(nameof(PacerOptions.OutputTokensPerMinute), "PACER_OUTPUT_TOKENS_PER_MINUTE", 0, 100_000_000, "", o => o.OutputTokensPerMinute, (o, v) => o with { OutputTokensPerMinute = (int)v }),
        Whole(nameof(PacerOptions.LearnLimits), "PACER_LEARN_LIMITS", 0, 1, "(false/true)", o => o.LearnLimits ? 1 : 0, (o, v) => o with { LearnLimits = v != 0 }),
        Whole(nameof(PacerOptions.OutputReservation), "PACER_OUTPUT_RESERVATION", 0, 2, "(0 max_tokens, 1 estimate, 2 auto)", o => (int)o.OutputReservation, (o, v) => o with { OutputReservation = (OutputReservation)(int)v }),
        Whole(nameof(PacerOptions.TokenBurstSeconds), "PACER_TOKEN_BURST_SECONDS", 1, 60, "s", o => o.TokenBurstSeconds, (o, v) => o with { TokenBurstSeconds = (int)v }),
        Whole(nameof(PacerOptions.BatchMinShare), "PACER_BATCH_MIN_SHARE", 0, 50, "%", o => o.BatchMinShare, (o, v) => o with { BatchMinShare = (int)v }),
    ];

    /// <summary>Finds a setting by its property name, camelCase name or environment variable (case-insensitive).</summary>
    public static PacerSetting? Find(string name)
    {
        foreach (var setting in All)
        {
            if (string.Equals(setting.Name, name, StringComparison.OrdinalIgnoreCase)
                || string.Equals(setting.EnvironmentVariable, name, StringComparison.OrdinalIgnoreCase))
            {
                return setting;
            }
        }

        return null;
    }

    /// <summary>Gets a value indicating whether the setting holds true/false rather than a number.</summary>
    internal static bool IsBoolean(PacerSetting setting) => setting.Name == nameof(PacerOptions.LearnLimits);

    /// <summary>Gets a value indicating whether the setting is a mode also given by name (<c>max_tokens</c>, <c>estimate</c>, <c>auto</c>).</summary>
    internal static bool IsMode(PacerSetting setting) => setting.Name == nameof(PacerOptions.OutputReservation);

    /// <summary>Reads a boolean (<c>true</c>/<c>false</c>) or a mode name for the settings that take one; false for any other text.</summary>
    internal static bool TryParseWord(PacerSetting setting, string text, out double value)
    {
        value = 0;
        if (IsBoolean(setting) && bool.TryParse(text, out var flag))
        {
            value = flag ? 1 : 0;
            return true;
        }

        if (IsMode(setting))
        {
            if (string.Equals(text, "max_tokens", StringComparison.OrdinalIgnoreCase))
            {
                value = (int)OutputReservation.MaxTokens;
                return true;
            }

            if (string.Equals(text, "estimate", StringComparison.OrdinalIgnoreCase))
            {
                value = (int)OutputReservation.Estimate;
                return true;
            }

            if (string.Equals(text, "auto", StringComparison.OrdinalIgnoreCase))
            {
                value = (int)OutputReservation.Auto;
                return true;
            }
        }

        return false;
    }

    /// <summary>Gets what a value that does not parse should have been: <c>boolean</c>, <c>mode</c> or <c>number</c>.</summary>
    internal static string KindOf(PacerSetting setting) => IsBoolean(setting) ? "boolean" : IsMode(setting) ? "mode (max_tokens, estimate or auto)" : "number";

    private static PacerSetting Whole(
        string name,
        string environmentVariable,
        double minimum,
        double maximum,
        string unit,
        Func<PacerOptions, double> get,
        Func<PacerOptions, double, PacerOptions> set,
        double? extendedMaximum = null) =>
        new(name, char.ToLowerInvariant(name[0]) + name[1..], environmentVariable, minimum, maximum, wholeNumber: true, unit, get, set, extendedMaximum);
}
