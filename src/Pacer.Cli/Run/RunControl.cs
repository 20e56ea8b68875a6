using System.Runtime.InteropServices;

namespace Pacer.Cli.Run;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM during a run. The first stops admitting: nothing new is read, requests still waiting
/// for admission are cancelled (they are sent by the next run), requests already sent finish and are written. The
/// second cancels the requests in flight too (their results are not written; the next run sends them again).
/// </summary>
internal sealed class RunControl : IDisposable
{
    private readonly Lock _gate = new();
    private readonly HashSet<BatchItem> _waiting = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly List<PosixSignalRegistration> _signals = [];

    /// <summary>Gets a token cancelled at the first signal: stop reading and admitting.</summary>
    public CancellationToken Stopping => _stop.Token;

    /// <summary>Gets a token cancelled at the second signal: cancel everything.</summary>
    public CancellationToken Aborting => _abort.Token;

    public bool IsStopping => _stop.IsCancellationRequested;

    public bool IsAborting => _abort.IsCancellationRequested;

    /// <summary>Gets or sets what to tell the user at each signal.</summary>
    public Action<string>? Notify { get; set; }

    public void ListenToSignals()
    {
        foreach (var signal in (PosixSignal[])[PosixSignal.SIGINT, PosixSignal.SIGTERM])
        {
            _signals.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                Signal();
            }));
        }
    }

    /// <summary>One Ctrl+C: the first stops admitting, the second cancels what is in flight.</summary>
    public void Signal()
    {
        if (!IsStopping)
        {
            Notify?.Invoke("Stopping: no new requests are admitted; requests in flight finish and are written. Press Ctrl+C again to cancel them.");
            List<BatchItem> waiting;
            lock (_gate)
            {
                _stop.Cancel();
                waiting = [.. _waiting];
                _waiting.Clear();
            }

            foreach (var item in waiting)
            {
                item.Cancel();
            }
        }
        else if (!IsAborting)
        {
            Notify?.Invoke("Cancelling the requests in flight; they are sent again by the next run.");
            _abort.Cancel();
        }
    }

    /// <summary>Registers an item that waits for admission; false when stopping already.</summary>
    public bool TryBeginWaiting(BatchItem item)
    {
        lock (_gate)
        {
            return !IsStopping && _waiting.Add(item);
        }
    }

    /// <summary>Called when the engine admitted the item's attempt: true to send it, false when the run is stopping and it was never sent.</summary>
    public bool TryMarkSent(BatchItem item)
    {
        lock (_gate)
        {
            if (item.Sent)
            {
                return true;
            }

            if (IsStopping)
            {
                return false;
            }

            item.Sent = true;
            _waiting.Remove(item);
            return true;
        }
    }

    public void Finished(BatchItem item)
    {
        lock (_gate)
        {
            _waiting.Remove(item);
        }
    }

    public void Dispose()
    {
        foreach (var signal in _signals)
        {
            signal.Dispose();
        }

        _stop.Dispose();
        _abort.Dispose();
    }
}
