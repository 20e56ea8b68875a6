namespace Pacer.Limiting;

/// <summary>The limiter's load at one moment, read without allocating (for log lines and gauges).</summary>
/// <param name="CurrentRequests">Requests admitted and not yet finished (the snapshot's <c>currentRequests</c>).</param>
/// <param name="RecentRequests">Admissions in the last 60 seconds (the snapshot's <c>recentRequests</c>).</param>
/// <param name="QueuedRequests">Requests waiting for admission.</param>
public readonly record struct LimiterLoad(int CurrentRequests, int RecentRequests, int QueuedRequests);
