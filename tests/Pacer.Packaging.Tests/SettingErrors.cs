namespace Pacer.Packaging.Tests;

/// <summary>
/// The same two invalid settings, given to the package in code and to the gateway in its environment: each names the
/// fields in the caller's own vocabulary, with the same reasons, on one line.
/// </summary>
internal static class SettingErrors
{
    public const string RateReason = "'5000' is out of range; allowed 1-1000 (set PACER_EXTENDED_RANGES=true to allow up to 100000)";
    public const string RetriesReason = "'11' is out of range; allowed 0-10";

    public static string InCode => $"Invalid Pacer settings (2): MaxRequestsPerMinute: {RateReason}; MaxRetries: {RetriesReason}";

    public static string InEnvironment => $"Invalid Pacer settings (2): ANTHROPIC_RATE_LIMIT_PER_MINUTE: {RateReason}; ANTHROPIC_MAX_RETRIES: {RetriesReason}";
}
