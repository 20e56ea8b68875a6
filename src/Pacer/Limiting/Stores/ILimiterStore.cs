using Pacer.Configuration;

namespace Pacer.Limiting;

/// <summary>
/// Where the limiter's numbers live: the operator's request-rate window and pacing, the concurrency leases, and per
/// (upstream key, model class) the learned upstream budgets, the operator's token budgets, a cooldown and the learned
/// output accounting. A store offers a few atomic operations on plain numbers; every rule about what a request holds,
/// what is refunded and what the server has already counted is the engine's (see <c>docs/LIMITER.md</c>), the same for
/// every store. Calls are made outside the limiter's lock, one per admission pass. Times are the store's own: a store
/// shared by several processes reads one clock (Redis <c>TIME</c>), never each process's; every duration passed in or
/// out is relative to that clock's now.
/// </summary>
public interface ILimiterStore
{
    /// <summary>
    /// Gets how long a concurrency lease lives unless its holder renews it (<see cref="RenewAsync"/>); null when leases
    /// never expire because the store lives and dies with the process that holds them.
    /// </summary>
    TimeSpan? LeaseTimeToLive { get; }

    /// <summary>
    /// Raised, outside any lock of the store's, when capacity may have been freed by a holder the limiter does not see
    /// (another limiter or process released a lease, a cooldown or a policy changed): waiters should look again.
    /// </summary>
    event EventHandler? CapacityFreed;

    /// <summary>
    /// Decides the candidates of <paramref name="batch"/> in order, atomically, and writes one decision each. A candidate
    /// is admitted when every budget it draws on allows it; it then takes from all of them and holds a concurrency lease,
    /// or takes nothing. A bucket whose candidate must wait stays closed to the later candidates of the batch (FIFO per
    /// bucket); once a limit shared by every request refuses one, the rest get the same refusal.
    /// </summary>
    ValueTask AdmitAsync(AdmissionBatch batch, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies one update to a bucket atomically, in this order: refill, the deltas of <see cref="BucketUpdate.Change"/>,
    /// the learned levels, the cooldown, the output accounting flag, and last frees the lease named.
    /// </summary>
    ValueTask UpdateAsync(BucketUpdate update, CancellationToken cancellationToken = default);

    /// <summary>Extends the leases of <paramref name="owner"/> named in <paramref name="leases"/> by <see cref="LeaseTimeToLive"/>; an expired lease is not revived.</summary>
    ValueTask RenewAsync(string owner, ReadOnlyMemory<long> leases, CancellationToken cancellationToken = default);

    /// <summary>Forgets, for every bucket, what was learned of the upstream's output accounting (the operator chose it again).</summary>
    ValueTask ForgetOutputAccountingAsync(CancellationToken cancellationToken = default);

    /// <summary>Reads the requests in flight and in the 60-second window without allocating (queued: 0, the engine knows them); a shared store may answer with its latest reading.</summary>
    LimiterLoad ReadLoad();

    /// <summary>Reads the state, with each bucket's levels refilled to the store's now under <paramref name="policy"/>.</summary>
    ValueTask<LimiterStoreSnapshot> SnapshotAsync(PacerOptions policy, CancellationToken cancellationToken = default);
}
