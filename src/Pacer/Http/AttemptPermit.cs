using Pacer.Limiting;
using Pacer.Retrying;

namespace Pacer.Http;

/// <summary>
/// The one owner of a request's limiter permit: it holds the permit of the attempt in progress, gives it back when the
/// retry pipeline waits before the next attempt or the request fails, and hands it over to the final response's body,
/// after which releasing is that body's business. Disposing it releases whatever it still holds.
/// </summary>
internal sealed class AttemptPermit(RetryState retry) : IDisposable
{
    private Permit? _held;

    /// <summary>Holds the permit of a new attempt; the retry pipeline releases it through this owner before a retry's wait.</summary>
    public void Hold(Permit permit)
    {
        Release();
        _held = permit;
        retry.Lease = this;
    }

    /// <summary>Gives the permit to the final response: this owner no longer releases it.</summary>
    public Permit? HandOver()
    {
        var permit = _held;
        _held = null;
        return permit;
    }

    /// <summary>Releases the permit held, if any.</summary>
    public void Release()
    {
        var permit = _held;
        _held = null;
        permit?.Dispose();
    }

    /// <inheritdoc />
    public void Dispose() => Release();
}
