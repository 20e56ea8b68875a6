namespace Pacer.Redis;

/// <summary>How the limiter's numbers are shared on Redis (settings <c>PACER_REDIS_*</c>; see <c>docs/SCALING.md</c>).</summary>
public sealed record RedisLimiterOptions
{
    /// <summary>The default <see cref="Prefix"/>.</summary>
    public const string DefaultPrefix = "pacer";

    /// <summary>Gets the server: <c>redis://[user:password@]host:port[/db]</c>, <c>rediss://</c> for TLS, or a StackExchange.Redis configuration string. Environment: <c>PACER_REDIS_URL</c>.</summary>
    public required string Url { get; init; }

    /// <summary>Gets what separates deployments sharing one Redis; every key is <c>{prefix}:...</c> (one hash slot, so Redis Cluster works).</summary>
    /// <value>The default value is <c>pacer</c>. Environment: <c>PACER_REDIS_PREFIX</c>.</value>
    public string Prefix { get; init; } = DefaultPrefix;

    /// <summary>Gets how long a concurrency lease lives unless its process renews it: a crashed process's slots come back within it.</summary>
    /// <value>The default value is 10 s. Environment: <c>PACER_REDIS_LEASE_SECONDS</c> (2-300).</value>
    public TimeSpan LeaseTimeToLive { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets the longest wait for one Redis call; past it the store acts on its failure policy.</summary>
    /// <value>The default value is 500 ms. Environment: <c>PACER_REDIS_TIMEOUT</c> (10-10000 ms).</value>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets what happens while Redis cannot be reached.</summary>
    /// <value>The default value is <see cref="RedisFailurePolicy.ShareLimits"/>. Environment: <c>PACER_REDIS_FAILURE</c> (<c>share</c> or <c>closed</c>).</value>
    public RedisFailurePolicy FailurePolicy { get; init; } = RedisFailurePolicy.ShareLimits;

    /// <summary>Gets how long after a failure the store tries Redis again.</summary>
    /// <value>The default value is 2 s.</value>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets how long a bucket's learned numbers are kept in Redis after their last use.</summary>
    /// <value>The default value is 24 hours.</value>
    public TimeSpan BucketTimeToLive { get; init; } = TimeSpan.FromHours(24);
}

/// <summary>What a process does while Redis cannot be reached.</summary>
public enum RedisFailurePolicy
{
    /// <summary>
    /// Each process limits itself to its share of every limit (divided by the live instances it last counted), logs once,
    /// reports itself degraded, and goes back to the shared limits by itself when Redis returns.
    /// </summary>
    ShareLimits,

    /// <summary>Nothing is admitted: each request is refused at once (never left waiting on Redis) until Redis returns.</summary>
    FailClosed,
}
