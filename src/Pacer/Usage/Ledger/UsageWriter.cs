using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Pacer.Usage;

/// <summary>
/// The bounded buffer and the single background writer behind a ledger. The writer takes whatever is buffered
/// (up to a batch) and commits it in one transaction, so batches grow with load without any timer; a failed
/// write is retried with backoff, and closing drains the buffer. The writer is a thread of its own, woken directly
/// by an append: on a process whose thread pool is saturated by requests, a writer queued behind them on the pool
/// left answers uncommitted for up to a second, so a crash lost them (issue 15, "Crashes").
/// </summary>
internal sealed class UsageWriter : IAsyncDisposable
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the writer, woken from sleep by an append, lets more records gather before it commits: at a steady
    /// load each request otherwise paid a transaction of its own (a WAL write and a connection's pragmas), a sixth of
    /// the gateway's CPU at 1,000 requests a second (docs/BENCHMARKS.md, "Overhead"); at 10 ms a batch holds about ten
    /// records at that rate instead of two or three. Short beside the crash window that matters (issue 15: an answer
    /// delivered 100 ms before a crash is in the ledger): a batch is committed about 10 ms after its first record.
    /// </summary>
    internal static readonly TimeSpan GatherTime = TimeSpan.FromMilliseconds(10);
    private readonly Channel<UsageRecord> _buffer;
    private readonly Func<IReadOnlyList<UsageRecord>, CancellationToken, Task> _write;
    private readonly UsageLedgerOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _giveUp = new();
    private readonly Lock _gate = new();
    private readonly List<(long Target, TaskCompletionSource Done)> _flushes = [];
    private readonly ManualResetEventSlim _wake = new(initialState: false, spinCount: 0);
    private readonly ManualResetEventSlim _closing = new(initialState: false, spinCount: 0);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _loop;
    private long _accepted;
    private long _written;
    private long _dropped;
    private long _lost;
    private long _writeFailures;
    private int _closed;
    private int _waiting;

    public UsageWriter(Func<IReadOnlyList<UsageRecord>, CancellationToken, Task> write, UsageLedgerOptions options, ILogger logger)
    {
        _write = write;
        _options = options;
        _logger = logger;
        _buffer = Channel.CreateBounded<UsageRecord>(new BoundedChannelOptions(options.BufferCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _loop = _stopped.Task;
        new Thread(Run) { IsBackground = true, Name = "Pacer usage writer" }.Start();
    }

    public UsageLedgerStatistics Statistics
    {
        get
        {
            lock (_gate)
            {
                return new(Interlocked.Read(ref _accepted), _written, Interlocked.Read(ref _dropped), _lost, _writeFailures);
            }
        }
    }

    public void Append(UsageRecord record)
    {
        if (_buffer.Writer.TryWrite(record))
        {
            Interlocked.Increment(ref _accepted);
            _wake.Set();
        }
        else if (Interlocked.Increment(ref _waiting) > _options.BufferCapacity)
        {
            // As many records already wait for room as the buffer holds: more waiting would only grow memory.
            Interlocked.Decrement(ref _waiting);
            Drop(record);
        }
        else
        {
            // Never block the caller: the brief wait for room happens in the background.
            _ = WaitInBackgroundAsync(record);
        }
    }

    public ValueTask<bool> AppendAsync(UsageRecord record, CancellationToken cancellationToken)
    {
        if (_buffer.Writer.TryWrite(record))
        {
            Interlocked.Increment(ref _accepted);
            _wake.Set();
            return ValueTask.FromResult(true);
        }

        return new ValueTask<bool>(WaitAndAppendAsync(record, cancellationToken));
    }

    public Task FlushAsync(CancellationToken cancellationToken)
    {
        var target = Interlocked.Read(ref _accepted);
        lock (_gate)
        {
            if (_written + _lost >= target)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _flushes.Add((target, done));
            return done.Task.WaitAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 1)
        {
            await _loop.ConfigureAwait(false);
            return;
        }

        _buffer.Writer.TryComplete();
        _closing.Set();
        _wake.Set();
        try
        {
            await _loop.WaitAsync(_options.CloseTimeout, _options.TimeProvider).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The store keeps failing: stop retrying, count what is left as lost.
            await _giveUp.CancelAsync().ConfigureAwait(false);
            await _loop.ConfigureAwait(false);
            UsageLog.RecordsLostOnClose(_logger, (int)Statistics.Lost);
        }

        _giveUp.Dispose();

        // _wake and _closing are not disposed: they hold no kernel handle, and an append that raced with closing may still set _wake.
    }

    private async Task<bool> WaitAndAppendAsync(UsageRecord record, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.FullBufferWait, _options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            await _buffer.Writer.WriteAsync(record, linked.Token).ConfigureAwait(false);
            Interlocked.Increment(ref _accepted);
            _wake.Set();
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
        catch (ChannelClosedException)
        {
        }

        Drop(record);
        return false;
    }

    private async Task WaitInBackgroundAsync(UsageRecord record)
    {
        try
        {
            await WaitAndAppendAsync(record, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    private void Drop(UsageRecord record)
    {
        var dropped = Interlocked.Increment(ref _dropped);
        UsageLog.RecordDropped(_logger, (long)_options.FullBufferWait.TotalMilliseconds, record.User, record.Endpoint, record.RequestId, dropped);
    }

    private void Run()
    {
        try
        {
            var batch = new List<UsageRecord>(Math.Min(_options.MaxBatchSize, _options.BufferCapacity));
            while (true)
            {
                while (batch.Count < _options.MaxBatchSize && _buffer.Reader.TryRead(out var record))
                {
                    batch.Add(record);
                }

                if (batch.Count > 0)
                {
                    var written = WriteWithRetry(batch);
                    Completed(written, batch.Count - written);
                    batch.Clear();
                    continue;
                }

                if (_buffer.Reader.Completion.IsCompleted)
                {
                    break;
                }

                // Sleep until an append or closing wakes us; looking again after the reset misses no wake-up.
                _wake.Reset();
                if (!_buffer.Reader.TryPeek(out _) && !_buffer.Reader.Completion.IsCompleted)
                {
                    _wake.Wait();

                    // A kernel-timed wait on this thread, not a timer (closing cuts it short): the records of the next few
                    // requests join this batch.
                    _closing.Wait(GatherTime);
                }
            }

            _stopped.TrySetResult();
        }
        catch (Exception e)
        {
            _stopped.TrySetException(e);
        }
    }

    private int WriteWithRetry(List<UsageRecord> batch)
    {
        var delay = _options.WriteRetryDelay;
        while (true)
        {
            try
            {
                // SQLite writes complete synchronously; a store with real asynchronous I/O is waited for here, on this thread.
                _write(batch, CancellationToken.None).GetAwaiter().GetResult();
                return batch.Count;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Interlocked.Increment(ref _writeFailures);
                if (_giveUp.IsCancellationRequested)
                {
                    return 0;
                }

                UsageLog.WriteFailed(_logger, e, batch.Count, (long)delay.TotalMilliseconds);
                try
                {
                    Task.Delay(delay, _options.TimeProvider, _giveUp.Token).GetAwaiter().GetResult();
                }
                catch (OperationCanceledException)
                {
                    // Closing gave up waiting; one last attempt follows.
                }

                delay = delay * 2 < MaxRetryDelay ? delay * 2 : MaxRetryDelay;
            }
        }
    }

    private void Completed(int written, int lost)
    {
        lock (_gate)
        {
            _written += written;
            _lost += lost;
            var done = _written + _lost;
            for (var i = _flushes.Count - 1; i >= 0; i--)
            {
                if (_flushes[i].Target <= done)
                {
                    _flushes[i].Done.TrySetResult();
                    _flushes.RemoveAt(i);
                }
            }
        }
    }
}
