namespace Pacer.Usage;

/// <summary>Counters of a ledger since it opened.</summary>
/// <param name="Accepted">Records taken into the buffer.</param>
/// <param name="Written">Records committed to the store.</param>
/// <param name="Dropped">Records refused because the buffer stayed full (or the ledger was closed).</param>
/// <param name="Lost">Accepted records given up after the store kept failing at close.</param>
/// <param name="WriteFailures">Batch writes that failed and were tried again.</param>
public readonly record struct UsageLedgerStatistics(long Accepted, long Written, long Dropped, long Lost, long WriteFailures)
{
    /// <summary>Gets the records waiting in the buffer.</summary>
    public long Pending => Accepted - Written - Lost;
}
