using System.Globalization;
using System.Text.Json.Serialization;
using Pacer.Configuration;
using Pacer.Limiting;

namespace Pacer.Gateway.Admin;

/// <summary>
/// The body of <c>GET /api/admin/rate-limit-status</c> and of an accepted update: the seed's fields first, exactly as
/// SEED.md shows them, then Pacer's extras.
/// </summary>
internal sealed record RateLimitStatus(
    bool Success,
    SeedConfiguration Configuration,
    SeedCurrentStatus CurrentStatus,
    string Timestamp,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, double>? Updated,
    IReadOnlyDictionary<string, object> Settings,
    QueueStatus Queue,
    IReadOnlyList<UpstreamBucketSnapshot> UpstreamBuckets,
    PacerTotalsSnapshot Totals,
    GatewayStatus Gateway,
    InstanceStatus Instance)
{
    public static RateLimitStatus From(PacerOptions options, LimiterSnapshot snapshot, GatewayStatus gateway, string? message = null, IReadOnlyDictionary<string, double>? updated = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(snapshot);
        var settings = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var setting in PacerSettings.All)
        {
            settings[setting.JsonName] = setting.Name == nameof(PacerOptions.LearnLimits) ? options.LearnLimits : setting.Get(options);
        }

        return new RateLimitStatus(
            Success: true,
            new SeedConfiguration(options.MaxRequestsPerMinute, options.MaxConcurrentRequests, options.MaxRetries, options.BaseDelay, options.MaxDelay, options.BackoffFactor),
            new SeedCurrentStatus(snapshot.RecentRequests, snapshot.CurrentRequests, snapshot.RequestsInLastMinute, snapshot.TimeUntilReset),
            IsoTime(snapshot.Timestamp),
            message,
            updated,
            settings,
            new QueueStatus(snapshot.QueuedRequests, snapshot.QueuedUsers, new QueueByPriority(snapshot.QueuedInteractive, snapshot.QueuedBatch)),
            snapshot.UpstreamBuckets,
            snapshot.Totals,
            gateway,
            new InstanceStatus(snapshot.InstanceId, snapshot.InstanceRequests, snapshot.QueuedRequests));
    }

    /// <summary>Formats a moment as the seed does: <c>2024-01-01T12:00:00.000Z</c>.</summary>
    public static string IsoTime(DateTimeOffset moment) =>
        moment.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>The seed's <c>configuration</c> object, field for field.</summary>
internal sealed record SeedConfiguration(int MaxRequestsPerMinute, int MaxConcurrentRequests, int MaxRetries, int BaseDelay, int MaxDelay, double BackoffFactor);

/// <summary>The seed's <c>currentStatus</c> object, field for field.</summary>
internal sealed record SeedCurrentStatus(int RecentRequests, int CurrentRequests, int RequestsInLastMinute, long TimeUntilReset);

/// <summary>
/// This gateway instance's own figures: with limits shared on Redis, <c>currentStatus</c> counts every instance's
/// requests, and these count this one's (its queue is always its own).
/// </summary>
internal sealed record InstanceStatus(string Id, int CurrentRequests, int QueuedRequests);

/// <summary>Requests waiting for admission and the callers they belong to.</summary>
internal sealed record QueueStatus(int Requests, int Users, QueueByPriority ByPriority);

/// <summary>Requests waiting for admission in each priority class.</summary>
internal sealed record QueueByPriority(int Interactive, int Batch);

/// <summary>
/// What the gateway is connected to, which settings come from the store rather than the environment, and where its
/// limits live (in memory, shared on Redis, or degraded while Redis cannot be reached).
/// </summary>
internal sealed record GatewayStatus(string AuthMode, string Upstream, bool Simulator, IReadOnlyCollection<string> PersistedSettings, string Limits);
