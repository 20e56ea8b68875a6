namespace Pacer.Gateway.Dashboard;

/// <summary>
/// The gateway at one second: load against the limits, and running totals since start (the dashboard draws their
/// differences per second).
/// </summary>
internal readonly record struct LiveSample(
    long Time,
    int RequestsInLastMinute,
    int RequestsPerMinuteLimit,
    int InFlight,
    int ConcurrencyLimit,
    int Queued,
    long Requests,
    long Retries,
    long UpstreamRateLimited,
    long PassedOnRateLimited,
    long Failures,
    long Rejections);
