namespace Pacer.Usage;

/// <summary>How a ledger buffers and writes its records.</summary>
public sealed record UsageLedgerOptions
{
    /// <summary>Gets how many records may wait in memory for the background writer.</summary>
    /// <value>The default value is 10000.</value>
    public int BufferCapacity { get; init; } = 10_000;

    /// <summary>Gets the most records written in one transaction.</summary>
    /// <value>The default value is 1000.</value>
    public int MaxBatchSize { get; init; } = 1_000;

    /// <summary>Gets how long an append waits for room when the buffer is full before the record is dropped and counted.</summary>
    /// <value>The default value is 2 seconds.</value>
    public TimeSpan FullBufferWait { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets the first wait before a failed batch write is tried again; it doubles up to 30 seconds.</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan WriteRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets how long disposing waits for the buffer to be written before what is left is counted as lost.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets the clock used for every wait.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(BufferCapacity, 1, nameof(BufferCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchSize, 1, nameof(MaxBatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(FullBufferWait, TimeSpan.Zero, nameof(FullBufferWait));
        ArgumentOutOfRangeException.ThrowIfLessThan(WriteRetryDelay, TimeSpan.FromMilliseconds(1), nameof(WriteRetryDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(CloseTimeout, TimeSpan.Zero, nameof(CloseTimeout));
        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}
