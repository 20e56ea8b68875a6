using Pacer.Configuration;

namespace Pacer.Limiting;

/// <summary>
/// What the <see cref="AdmissionPump"/> needs of the engine it serves: the owner of the leases, the policy and the clock,
/// what a waiter holds if admitted now, and what becomes of each answer of the store. The members marked so run under the
/// engine's lock, which the pump holds when it calls them.
/// </summary>
internal interface IAdmissionHost
{
    /// <summary>Gets the owner of the leases the pump's candidates would hold.</summary>
    string InstanceId { get; }

    /// <summary>Gets the policy in force.</summary>
    PacerOptions Options { get; }

    /// <summary>Reads the clock, in ticks.</summary>
    long Now();

    /// <summary>Gets what <paramref name="waiter"/> holds if admitted now. Under the lock.</summary>
    RequestCost CostNow(Waiter waiter);

    /// <summary>Takes what the store's answer tells of a bucket beyond this engine. Under the lock.</summary>
    void Learned(BucketKey bucket, AdmissionDecision decision);

    /// <summary>Admits a waiter the store admitted, holding <paramref name="cost"/>. Under the lock.</summary>
    void Grant(Waiter waiter, RequestCost cost, long now);

    /// <summary>Fails a waiter with a rejection, counted in the totals.</summary>
    void Reject(Waiter waiter, PacerRejectedException rejection);

    /// <summary>Gives back what the store took for a waiter that left while the store decided. Outside the lock.</summary>
    void Unclaimed(AdmissionCandidate candidate);

    /// <summary>Reports a failure of the store; the waiters stay queued.</summary>
    void StoreFailed(Exception exception);
}
