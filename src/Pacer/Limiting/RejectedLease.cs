using System.Threading.RateLimiting;

namespace Pacer.Limiting;

/// <summary>A failed lease: why, and when to ask again.</summary>
internal sealed class RejectedLease(TimeSpan retryAfter, string reason) : RateLimitLease
{
    /// <summary>Gets the answer to an attempt that would have to wait.</summary>
    public static RejectedLease NotNow { get; } = new(TimeSpan.Zero, "Not admissible now.");

    public override bool IsAcquired => false;

    public override IEnumerable<string> MetadataNames => [MetadataName.RetryAfter.Name, MetadataName.ReasonPhrase.Name];

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter
            : metadataName == MetadataName.ReasonPhrase.Name ? reason
            : null;
        return metadata is not null;
    }
}
