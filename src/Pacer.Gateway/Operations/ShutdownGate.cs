namespace Pacer.Gateway.Operations;

/// <summary>
/// Graceful shutdown. When the host begins stopping, new proxied requests are answered with a retryable 529 and
/// requests waiting for admission are released with the same answer; requests in flight run on until
/// <see cref="Hosting.GatewayOptions.ShutdownTimeout"/>, just before which streams still open end with an error event.
/// </summary>
internal sealed class ShutdownGate : IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _drainOver;
    private readonly TimeSpan _drainTime;

    public ShutdownGate(TimeSpan shutdownTimeout, TimeProvider timeProvider)
    {
        // Leave a moment between ending the streams and the host cutting connections, so that the error events get out.
        _drainTime = shutdownTimeout > TimeSpan.FromSeconds(2) ? shutdownTimeout - TimeSpan.FromSeconds(1) : shutdownTimeout / 2;
        _drainOver = new CancellationTokenSource(Timeout.InfiniteTimeSpan, timeProvider);
    }

    /// <summary>Gets a value indicating whether shutdown has begun.</summary>
    public bool IsStopping => _stopping.IsCancellationRequested;

    /// <summary>Gets a token cancelled when shutdown begins.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Gets a token cancelled when the time allowed for requests in flight is nearly over.</summary>
    public CancellationToken DrainOver => _drainOver.Token;

    /// <summary>Begins shutdown.</summary>
    public void Begin()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _drainOver.CancelAfter(_drainTime);
        _stopping.Cancel();
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _drainOver.Dispose();
    }
}
