namespace Pacer.Limiting;

/// <summary>What a store holds at one moment.</summary>
/// <param name="RequestsInWindow">Admissions in the last 60 seconds.</param>
/// <param name="UntilOldestLeaves">Time until the oldest admission in the window leaves it; zero when the window is empty.</param>
/// <param name="InFlight">Requests admitted and not yet released.</param>
/// <param name="Buckets">Every bucket with a learned limit or a cooldown.</param>
public sealed record LimiterStoreSnapshot(
    int RequestsInWindow,
    TimeSpan UntilOldestLeaves,
    int InFlight,
    IReadOnlyList<UpstreamBucketSnapshot> Buckets);
