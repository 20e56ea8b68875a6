using Pacer.Redis;

namespace Pacer.Gateway.Operations;

/// <summary>Where this instance's limits live, in one phrase, for <c>/readyz</c> and the status: the same words in both.</summary>
internal static class SharedLimits
{
    public static string Describe(RedisLimiterStore? shared) =>
        shared is null ? "in memory (this instance only)"
        : !shared.IsDegraded ? $"redis: shared by {shared.LiveInstances} instance(s)"
        : shared.Options.FailurePolicy == RedisFailurePolicy.FailClosed ? "redis: unreachable, refusing requests (PACER_REDIS_FAILURE=closed)"
        : $"redis: unreachable, degraded to this instance's share (1/{shared.LiveInstances}) of the limits";
}
