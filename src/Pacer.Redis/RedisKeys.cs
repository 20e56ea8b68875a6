using StackExchange.Redis;

namespace Pacer.Redis;

/// <summary>
/// The keys of one deployment. Every key carries the prefix as a hash tag (<c>{prefix}:...</c>), so all of them live
/// in one hash slot and each script may touch them together on Redis Cluster.
/// </summary>
internal sealed class RedisKeys(string prefix)
{
    private readonly string _tag = "{" + prefix + "}:";

    public RedisKey Pacing => _tag + "pacing";

    public RedisKey Window => _tag + "window";

    public RedisKey Leases => _tag + "leases";

    public RedisKey Buckets => _tag + "buckets";

    public RedisKey Accounting => _tag + "accounting";

    public RedisKey Instances => _tag + "instances";

    public RedisChannel Freed => RedisChannel.Literal(_tag + "freed");

    public RedisKey Settings => _tag + "settings";

    public RedisChannel SettingsChanged => RedisChannel.Literal(_tag + "settings");

    public RedisKey Budget(string user, DateTimeOffset periodStart) => _tag + "budget:" + user + ":" + periodStart.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

    public RedisKey Bucket(Pacer.Limiting.BucketKey bucket) => _tag + "b:" + bucket.UpstreamKey + ":" + bucket.ModelClass;

    /// <summary>Gets the bucket named by a key this deployment wrote.</summary>
    public Pacer.Limiting.BucketKey BucketOf(string key)
    {
        var rest = key[(_tag.Length + 2)..];
        var split = rest.IndexOf(':', StringComparison.Ordinal);
        return split < 0 ? new(rest, string.Empty) : new(rest[..split], rest[(split + 1)..]);
    }
}
