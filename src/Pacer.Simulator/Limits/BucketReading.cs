namespace Pacer.Simulator.Limits;

/// <summary>One bucket as the response headers show it: its limit, what remains, and when it is full again.</summary>
internal readonly record struct BucketReading(long Limit, long Remaining, DateTimeOffset Reset)
{
    public static BucketReading Of(TokenBucket bucket, DateTimeOffset now) =>
        new(bucket.Limit, bucket.Available(now), now + bucket.TimeUntilFull(now));
}
