namespace Pacer.Configuration;

/// <summary>
/// The two ranges that <c>PACER_EXTENDED_RANGES=true</c> widens, as constants for the settings table, the
/// <see cref="System.ComponentModel.DataAnnotations.RangeAttribute"/>s and the engine's memory bounds.
/// </summary>
internal static class SettingRanges
{
    /// <summary>The seed's largest <c>maxRequestsPerMinute</c>.</summary>
    public const int MaxRequestsPerMinute = 1000;

    /// <summary>The largest <c>maxRequestsPerMinute</c> with extended ranges.</summary>
    public const int ExtendedMaxRequestsPerMinute = 100_000;

    /// <summary>The seed's largest <c>maxConcurrentRequests</c>.</summary>
    public const int MaxConcurrentRequests = 50;

    /// <summary>The largest <c>maxConcurrentRequests</c> with extended ranges.</summary>
    public const int ExtendedMaxConcurrentRequests = 10_000;
}
