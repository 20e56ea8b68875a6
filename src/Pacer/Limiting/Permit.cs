namespace Pacer.Limiting;

/// <summary>
/// One admission. It holds a concurrency slot and a token reservation until it is disposed.
/// <see cref="Complete"/> reconciles the reservation with what the response really used; disposing a permit that
/// was never completed returns its token reservation (the request itself still counts against requests per minute).
/// </summary>
public abstract class Permit : IDisposable
{
    /// <summary>Gets the permit's id, which also names its concurrency lease in the store (unique for its limiter).</summary>
    public abstract long Id { get; }

    /// <summary>Gets how long the request waited for admission.</summary>
    public abstract TimeSpan QueueTime { get; }

    /// <summary>Gets what was reserved at admission.</summary>
    public abstract RequestCost Reserved { get; }

    /// <summary>Reconciles the reservation with the tokens really used: unused tokens are refunded, excess charged.</summary>
    public abstract void Complete(TokenUsage usage);

    /// <summary>Releases the concurrency slot; returns the reservation unless <see cref="Complete"/> was called.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the permit; called once.</summary>
    protected abstract void Dispose(bool disposing);
}
