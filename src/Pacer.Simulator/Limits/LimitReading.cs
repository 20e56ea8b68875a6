namespace Pacer.Simulator.Limits;

/// <summary>The three buckets of one key and pool at one moment, as written in the <c>anthropic-ratelimit-*</c> headers.</summary>
internal readonly record struct LimitReading(BucketReading Requests, BucketReading InputTokens, BucketReading OutputTokens);
