using Pacer.Configuration;

namespace Pacer.Limiting;

/// <summary>
/// The candidates of one admission pass and the store's decisions for them, kept in arrays that the limiter reuses from
/// pass to pass (nothing allocated per admission). One pass at a time owns the batch.
/// </summary>
public sealed class AdmissionBatch
{
    private readonly AdmissionCandidate[] _candidates;
    private readonly AdmissionDecision[] _decisions;

    /// <summary>Creates a batch for up to <paramref name="capacity"/> candidates whose leases <paramref name="owner"/> holds.</summary>
    public AdmissionBatch(string owner, int capacity)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Owner = owner;
        _candidates = new AdmissionCandidate[capacity];
        _decisions = new AdmissionDecision[capacity];
    }

    /// <summary>Gets who holds the leases of the admitted candidates (one limiter, one process).</summary>
    public string Owner { get; }

    /// <summary>Gets or sets the policy the candidates are decided under.</summary>
    public PacerOptions Policy { get; set; } = new();

    /// <summary>Gets or sets a value indicating whether the store only looks: it decides but takes nothing.</summary>
    public bool LookOnly { get; set; }

    /// <summary>Gets the number of candidates.</summary>
    public int Count { get; private set; }

    /// <summary>Gets the most candidates the batch holds.</summary>
    public int Capacity => _candidates.Length;

    /// <summary>Gets a value indicating whether no more candidates fit.</summary>
    public bool IsFull => Count == _candidates.Length;

    /// <summary>Gets candidate <paramref name="index"/>.</summary>
    public ref readonly AdmissionCandidate Candidate(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
        return ref _candidates[index];
    }

    /// <summary>Gets the decision for candidate <paramref name="index"/>.</summary>
    public AdmissionDecision Decision(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
        return _decisions[index];
    }

    /// <summary>Sets the decision for candidate <paramref name="index"/> (the store's answer).</summary>
    public void Decide(int index, AdmissionDecision decision)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
        _decisions[index] = decision;
    }

    /// <summary>Adds a candidate; returns false when the batch is full.</summary>
    public bool Add(in AdmissionCandidate candidate)
    {
        if (IsFull)
        {
            return false;
        }

        _decisions[Count] = default;
        _candidates[Count++] = candidate;
        return true;
    }

    /// <summary>Empties the batch for the next pass.</summary>
    public void Clear()
    {
        Array.Clear(_candidates, 0, Count);
        Count = 0;
        LookOnly = false;
    }
}

/// <summary>One request a pass would admit: the budgets it draws on, the lease it would hold, and what it takes.</summary>
/// <param name="Bucket">The (upstream key, model class) whose budgets it draws on.</param>
/// <param name="LeaseId">The id of its concurrency lease (its permit's id), unique for the batch's owner.</param>
/// <param name="Cost">What it takes: one request, its input tokens, its output hold.</param>
public readonly record struct AdmissionCandidate(BucketKey Bucket, long LeaseId, RequestCost Cost);
