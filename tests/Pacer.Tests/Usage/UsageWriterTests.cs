using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pacer.Usage;

namespace Pacer.Tests.Usage;

/// <summary>The buffer and background writer, driven by a store whose writes the test opens and closes.</summary>
public sealed class UsageWriterTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();
    private readonly List<UsageRecord> _stored = [];
    private TaskCompletionSource _gate = Open();
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _failuresLeft;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static TaskCompletionSource Open()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }

    private static UsageRecord Record(int n) => new() { Time = DateTimeOffset.UnixEpoch, User = $"u{n}", Endpoint = "/e", Model = "m" };

    private UsageWriter Writer(int capacity = 100, bool alwaysFail = false) => new(
        async (batch, _) =>
        {
            _entered.TrySetResult();
            await _gate.Task;
            if (alwaysFail || Interlocked.Decrement(ref _failuresLeft) >= 0)
            {
                throw new IOException("disk full");
            }

            lock (_stored)
            {
                _stored.AddRange(batch);
            }
        },
        new UsageLedgerOptions { BufferCapacity = capacity, MaxBatchSize = 10, TimeProvider = _time },
        NullLogger.Instance);

    [Fact]
    public async Task AppendAsync_BufferFull_WaitsThenDropsAndCounts()
    {
        _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var writer = Writer(capacity: 2);
        writer.Append(Record(1));
        await _entered.Task.WaitAsync(Wait, Ct); // the writer holds record 1; the buffer is empty again
        writer.Append(Record(2));
        writer.Append(Record(3));

        var fourth = writer.AppendAsync(Record(4), Ct).AsTask();
        writer.Append(Record(5));
        fourth.IsCompleted.ShouldBeFalse();
        _time.Advance(TimeSpan.FromSeconds(2));

        (await fourth.WaitAsync(Wait, Ct)).ShouldBeFalse();
        await WaitUntil(() => writer.Statistics.Dropped == 2);
        _gate.SetResult();
        await writer.FlushAsync(Ct).WaitAsync(Wait, Ct);
        _stored.Select(r => r.User).ShouldBe(["u1", "u2", "u3"]);
        writer.Statistics.ShouldBe(new UsageLedgerStatistics(3, 3, 2, 0, 0));
    }

    [Fact]
    public async Task Append_AsManyWaitingAsTheBufferHolds_DropsTheNextAtOnce()
    {
        _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var writer = Writer(capacity: 2);
        writer.Append(Record(1));
        await _entered.Task.WaitAsync(Wait, Ct);
        writer.Append(Record(2));
        writer.Append(Record(3));
        writer.Append(Record(4));
        writer.Append(Record(5));

        writer.Append(Record(6));

        writer.Statistics.Dropped.ShouldBe(1);
        _gate.SetResult();
        await WaitUntil(() => writer.Statistics.Written == 5);
        _stored.Select(r => r.User).ShouldBe(["u1", "u2", "u3", "u4", "u5"]);
    }

    [Fact]
    public async Task AppendAsync_RoomFreesWithinTheWait_IsAccepted()
    {
        _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var writer = Writer(capacity: 1);
        writer.Append(Record(1));
        await _entered.Task.WaitAsync(Wait, Ct);
        writer.Append(Record(2));

        var third = writer.AppendAsync(Record(3), Ct).AsTask();
        _time.Advance(TimeSpan.FromSeconds(1));
        _gate.SetResult();

        (await third.WaitAsync(Wait, Ct)).ShouldBeTrue();
        await writer.FlushAsync(Ct).WaitAsync(Wait, Ct);
        _stored.Count.ShouldBe(3);
    }

    [Fact]
    public async Task FlushAsync_WriteFails_RetriesAfterTheDelayAndCompletes()
    {
        _failuresLeft = 1;
        await using var writer = Writer();
        writer.Append(Record(1));

        var flush = writer.FlushAsync(Ct);
        await WaitUntil(() => writer.Statistics.WriteFailures == 1);
        flush.IsCompleted.ShouldBeFalse();
        // The retry waits one (fake) second; advance until it has, however late the writer reaches its wait.
        await WaitUntil(() =>
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            return flush.IsCompleted;
        });

        await flush.WaitAsync(Wait, Ct);
        _stored.Count.ShouldBe(1);
        writer.Statistics.ShouldBe(new UsageLedgerStatistics(1, 1, 0, 0, 1));
    }

    [Fact]
    public async Task Append_WritesOnTheLedgersOwnThread_NotTheThreadPool()
    {
        // A writer queued on the thread pool waits behind every request of a saturated process: answers stayed
        // uncommitted for up to a second, and a crash lost them. Its own thread is woken by the append itself.
        var threads = new List<(bool Pool, string? Name)>();
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writer = new UsageWriter(
            (batch, _) =>
            {
                lock (threads)
                {
                    threads.Add((Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.Name));
                }

                if (batch.Any(r => r.User == "u3"))
                {
                    written.TrySetResult();
                }

                return Task.CompletedTask;
            },
            new UsageLedgerOptions { TimeProvider = _time },
            NullLogger.Instance);
        await using (writer)
        {
            writer.Append(Record(1));
            await writer.FlushAsync(Ct).WaitAsync(Wait, Ct);
            (await writer.AppendAsync(Record(2), Ct)).ShouldBeTrue();
            writer.Append(Record(3));
            await written.Task.WaitAsync(Wait, Ct);
        }

        threads.ShouldNotBeEmpty();
        threads.ShouldAllBe(t => !t.Pool && t.Name == "Pacer usage writer");
        writer.Statistics.Written.ShouldBe(3);
    }

    [Fact]
    public async Task DisposeAsync_Buffered_WritesEverythingFirst()
    {
        var writer = Writer();
        for (var i = 0; i < 95; i++)
        {
            writer.Append(Record(i));
        }

        await writer.DisposeAsync().AsTask().WaitAsync(Wait, Ct);

        _stored.Count.ShouldBe(95);
        writer.Append(Record(96));
        (await writer.AppendAsync(Record(97), Ct).AsTask().WaitAsync(Wait, Ct)).ShouldBeFalse();
        await WaitUntil(() => writer.Statistics.Dropped == 2);
    }

    [Fact]
    public async Task DisposeAsync_StoreKeepsFailing_GivesUpAfterCloseTimeoutAndCountsLost()
    {
        var writer = Writer(alwaysFail: true);
        for (var i = 0; i < 25; i++)
        {
            writer.Append(Record(i));
        }

        await WaitUntil(() => writer.Statistics.WriteFailures >= 1);
        var closing = writer.DisposeAsync().AsTask();
        _time.Advance(TimeSpan.FromSeconds(30));

        await closing.WaitAsync(Wait, Ct);
        writer.Statistics.Lost.ShouldBe(25);
        writer.Statistics.Written.ShouldBe(0);
        writer.Statistics.Pending.ShouldBe(0);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "condition not met in time");
            await Task.Yield();
        }
    }
}
