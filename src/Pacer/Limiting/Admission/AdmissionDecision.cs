namespace Pacer.Limiting;

/// <summary>A store's answer to one admission attempt.</summary>
/// <param name="Status">Admitted, wait, or never admissible.</param>
/// <param name="RetryAfter">
/// When not admitted: the shortest time after which every time-based constraint could allow it (a lower bound);
/// zero when only the concurrency limit blocks (that wait ends on a release, not at a known time).
/// </param>
/// <param name="Blockers">Every constraint that refused the request (for <see cref="AdmissionStatus.TooLarge"/>: the budget that is too small).</param>
/// <param name="SharedRetryAfter">
/// The wait imposed by the constraints shared by every request (the request rate) alone: when another request, of any
/// bucket, might be admitted. Zero when they do not block on time.
/// </param>
/// <param name="OutputReservedOnArrival">
/// Whether the store knows that the bucket's upstream reserves <c>max_tokens</c> on arrival (learned by any process
/// sharing the store), so that a request holds its whole <c>max_tokens</c> against the learned output budget.
/// </param>
public readonly record struct AdmissionDecision(AdmissionStatus Status, TimeSpan RetryAfter, AdmissionBlockers Blockers, TimeSpan SharedRetryAfter = default, bool OutputReservedOnArrival = false)
{
    /// <summary>Gets the decision that admits the request.</summary>
    public static AdmissionDecision Admit { get; } = new(AdmissionStatus.Admitted, TimeSpan.Zero, AdmissionBlockers.None);

    /// <summary>Gets a value indicating whether the request was admitted.</summary>
    public bool Admitted => Status == AdmissionStatus.Admitted;

    /// <summary>Gets a value indicating whether a constraint shared by every request (the request rate or concurrency) blocks, so no other request can be admitted either.</summary>
    public bool BlockedForAll => (Blockers & AdmissionBlockers.Shared) != 0;
}

/// <summary>The outcome of one admission attempt.</summary>
public enum AdmissionStatus
{
    /// <summary>Admitted: the reservation is taken.</summary>
    Admitted,

    /// <summary>Not now: try again after a release or after <see cref="AdmissionDecision.RetryAfter"/>.</summary>
    Wait,

    /// <summary>Never: the request is larger than a whole per-minute budget.</summary>
    TooLarge,
}

/// <summary>The constraints that can refuse an admission.</summary>
[Flags]
public enum AdmissionBlockers
{
    /// <summary>Nothing blocks.</summary>
    None = 0,

    /// <summary><c>MaxConcurrentRequests</c> requests are in flight.</summary>
    Concurrency = 1,

    /// <summary>The operator's <c>MaxRequestsPerMinute</c> pacing or its 60-second window.</summary>
    RequestRate = 2,

    /// <summary>The (key, model class) bucket is cooling down after a 429.</summary>
    Cooldown = 4,

    /// <summary>The learned upstream requests-per-minute bucket.</summary>
    UpstreamRequests = 8,

    /// <summary>The learned upstream input-tokens-per-minute bucket.</summary>
    UpstreamInputTokens = 16,

    /// <summary>The learned upstream output-tokens-per-minute bucket.</summary>
    UpstreamOutputTokens = 32,

    /// <summary>The operator's <c>InputTokensPerMinute</c> budget.</summary>
    InputTokenBudget = 64,

    /// <summary>The operator's <c>OutputTokensPerMinute</c> budget.</summary>
    OutputTokenBudget = 128,

    /// <summary>The store shared by several processes cannot be reached and its failure policy is to refuse (fail closed).</summary>
    SharedStore = 256,

    /// <summary>The constraints shared by every request, whatever its bucket.</summary>
    Shared = Concurrency | RequestRate | SharedStore,
}
