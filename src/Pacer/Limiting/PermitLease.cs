using System.Threading.RateLimiting;

namespace Pacer.Limiting;

/// <summary>A successful lease holding a <see cref="Permit"/>; disposing it disposes the permit.</summary>
internal sealed class PermitLease(Permit? permit) : RateLimitLease
{
    /// <summary>Gets a successful lease that holds nothing (the answer to a request for zero permits).</summary>
    public static PermitLease Empty { get; } = new(null);

    /// <summary>Gets the permit, so that its holder can complete it with the response's usage.</summary>
    public Permit? Permit => permit;

    public override bool IsAcquired => true;

    public override IEnumerable<string> MetadataNames => [];

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        metadata = null;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            permit?.Dispose();
        }

        base.Dispose(disposing);
    }
}
