namespace Pacer.Usage;

/// <summary>
/// The durable record of every request: appended without blocking, written in batches by a background writer,
/// queried for totals. Disposing flushes what is buffered.
/// </summary>
public interface IUsageLedger : IAsyncDisposable
{
    /// <summary>Gets a description of the store (kind and location, never a password).</summary>
    string Store { get; }

    /// <summary>Gets the counters since the ledger opened.</summary>
    UsageLedgerStatistics Statistics { get; }

    /// <summary>
    /// Buffers a record and returns at once. When the buffer is full the record waits for room in the background
    /// for <see cref="UsageLedgerOptions.FullBufferWait"/>, then is dropped and counted.
    /// </summary>
    void Append(UsageRecord record);

    /// <summary>Buffers a record, waiting for room up to <see cref="UsageLedgerOptions.FullBufferWait"/>; false when it was dropped.</summary>
    ValueTask<bool> AppendAsync(UsageRecord record, CancellationToken cancellationToken = default);

    /// <summary>Completes when every record accepted before the call is committed to the store.</summary>
    Task FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>Totals over the query's range, grouped as it asks. Records still in the buffer are not included; flush first to include them.</summary>
    Task<UsageReport> QueryAsync(UsageQuery query, CancellationToken cancellationToken = default);

    /// <summary>The records in the query's range (grouping ignored), oldest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<UsageRecord>> ReadAsync(UsageQuery query, int limit = 1000, CancellationToken cancellationToken = default);
}
