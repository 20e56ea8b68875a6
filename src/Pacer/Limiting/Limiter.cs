using System.Diagnostics.CodeAnalysis;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Pacer.Configuration;

namespace Pacer.Limiting;

/// <summary>
/// The Anthropic-aware limiter: admits a request when the operator's policy (requests per minute, concurrency,
/// token budgets), every learned upstream budget and any cooldown allow it, serving waiting callers round-robin.
/// Its numbers live in an <see cref="ILimiterStore"/> (in memory by default; shared by several processes on Redis);
/// the queue and the accounting rules are its own. Thread-safe. See <c>docs/LIMITER.md</c>.
/// </summary>
public sealed class Limiter : IDisposable
{
    private readonly LimiterEngine _engine;

    /// <summary>Creates a limiter with the given policy.</summary>
    /// <param name="options">The operator's policy; validated.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="store">Where the numbers live; by default an in-memory store of this limiter's own (on <paramref name="timeProvider"/>).</param>
    /// <param name="modelClasses">Which models share limits; <see cref="ModelClassMap.Default"/> by default.</param>
    /// <param name="estimator">The input-token estimator; a new <see cref="InputTokenEstimator"/> by default.</param>
    /// <param name="outputEstimator">The output-token estimator used when <c>OutputReservation</c> is <c>estimate</c> or <c>auto</c>; a new one by default.</param>
    /// <param name="logger">Where the limiter reports what it learns about the upstream and a store's failures; none by default.</param>
    /// <exception cref="PacerOptionsException">A setting is out of range.</exception>
    public Limiter(
        PacerOptions options,
        TimeProvider? timeProvider = null,
        ILimiterStore? store = null,
        ModelClassMap? modelClasses = null,
        InputTokenEstimator? estimator = null,
        OutputTokenEstimator? outputEstimator = null,
        ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _engine = new LimiterEngine(
            PacerOptionsValidator.ThrowIfInvalid(options),
            timeProvider ?? TimeProvider.System,
            store,
            modelClasses ?? ModelClassMap.Default,
            estimator ?? new InputTokenEstimator(),
            outputEstimator ?? new OutputTokenEstimator(),
            logger);
    }

    /// <summary>Gets the policy in force.</summary>
    public PacerOptions Options => _engine.Options;

    /// <summary>Gets the clock.</summary>
    public TimeProvider TimeProvider => _engine.TimeProvider;

    /// <summary>Gets this limiter's id in its store: the owner of its concurrency leases (random, not secret).</summary>
    public string InstanceId => _engine.InstanceId;

    /// <summary>Gets the running totals, which the faces (handler, gateway) increment; the limiter counts its own rejections.</summary>
    public PacerTotals Totals => _engine.Totals;

    /// <summary>Gets the map from model names to the classes whose limits they share.</summary>
    public ModelClassMap ModelClasses => _engine.ModelClasses;

    /// <summary>Gets the input-token estimator (calibrate it with each response's <c>usage.input_tokens</c>).</summary>
    public InputTokenEstimator Estimator => _engine.Estimator;

    /// <summary>Gets the output-token estimator (calibrate it with each response's <c>usage.output_tokens</c>).</summary>
    public OutputTokenEstimator OutputEstimator => _engine.OutputEstimator;

    /// <summary>Gets the requests in flight (the snapshot's <c>CurrentRequests</c>); no allocation.</summary>
    public int InFlight => _engine.Load().CurrentRequests;

    /// <summary>Gets the requests waiting for admission (the snapshot's <c>QueuedRequests</c>); no lock, no allocation.</summary>
    public int Queued => _engine.Queued;

    /// <summary>Gets the admissions in the last 60 seconds (the snapshot's <c>RequestsInLastMinute</c>); no allocation.</summary>
    public int RequestsInLastMinute => _engine.Load().RecentRequests;

    /// <summary>Gets the requests of one priority class waiting for admission; no lock, no allocation.</summary>
    public int QueuedOf(RequestPriority priority) => _engine.QueuedOf(priority);

    /// <summary>Gets the budgets a request for <paramref name="model"/> through <paramref name="upstreamKey"/> draws on.</summary>
    public BucketKey BucketOf(string upstreamKey, string model) => _engine.BucketOf(upstreamKey, model);

    /// <summary>
    /// Waits until the request is admitted. Throws <see cref="PacerRejectedException"/> when it cannot be admitted in
    /// time (at once when that is already known) and <see cref="OperationCanceledException"/> when cancelled.
    /// Dispose the permit when the response has been read to its end.
    /// </summary>
    public ValueTask<Permit> AcquireAsync(AcquireRequest request, CancellationToken cancellationToken = default) =>
        _engine.AcquireAsync(request, cancellationToken);

    /// <summary>
    /// Admits the request only if it can be admitted now, without waiting and without passing anyone queued. With a
    /// store shared over a network this blocks the calling thread for the store's answer.
    /// </summary>
    public bool TryAcquire(AcquireRequest request, [NotNullWhen(true)] out Permit? permit) => _engine.TryAcquire(request, out permit);

    /// <summary>
    /// Tells whether the request could be admitted now (nobody queued and every budget allows it), taking nothing.
    /// With a store shared over a network this blocks the calling thread for the store's answer.
    /// </summary>
    public bool WouldAdmit(AcquireRequest request) => _engine.WouldAdmit(request);

    /// <summary>Applies a partial update whole or not at all; throws <see cref="PacerOptionsException"/> listing every invalid field.</summary>
    /// <returns>The policy now in force.</returns>
    public PacerOptions Reconfigure(PacerOptionsUpdate update, SettingNaming naming = SettingNaming.Json)
    {
        ArgumentNullException.ThrowIfNull(update);
        return _engine.Reconfigure(update, naming);
    }

    /// <summary>Replaces the whole policy after validating it.</summary>
    public void Reconfigure(PacerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _engine.Swap(PacerOptionsValidator.ThrowIfInvalid(options));
    }

    /// <summary>Reads the load (in flight, admitted in the last minute, queued) without allocating.</summary>
    public LimiterLoad Load() => _engine.Load();

    /// <summary>Takes a snapshot of the state (see <see cref="LimiterSnapshot"/> for each field's meaning); with a networked store, blocks for its answer.</summary>
    public LimiterSnapshot Snapshot()
    {
        var snapshot = _engine.SnapshotAsync(CancellationToken.None);
        return snapshot.IsCompletedSuccessfully ? snapshot.Result : snapshot.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Takes a snapshot of the state (see <see cref="LimiterSnapshot"/> for each field's meaning).</summary>
    public ValueTask<LimiterSnapshot> SnapshotAsync(CancellationToken cancellationToken = default) => _engine.SnapshotAsync(cancellationToken);

    /// <summary>Corrects the upstream budgets of (key, model class) from a response's <c>anthropic-ratelimit-*</c> headers.</summary>
    public void Observe(string upstreamKey, string model, HttpResponseHeaders headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        _engine.Observe(BucketOf(upstreamKey, model), headers);
    }

    /// <summary>
    /// Corrects the upstream budgets from the headers of the response to the request that holds <paramref name="permit"/>.
    /// Prefer this form: knowing which request the server has now counted makes the correction exact.
    /// </summary>
    /// <param name="permit">The permit of the request answered.</param>
    /// <param name="headers">The answer's headers.</param>
    /// <param name="answerComplete">
    /// True when the headers were written once the answer was complete (a non-streaming Messages answer with status 200):
    /// the server's counts then include the request's real output, so its output hold is not counted a second time.
    /// </param>
    public void Observe(Permit permit, HttpResponseHeaders headers, bool answerComplete = false)
    {
        ArgumentNullException.ThrowIfNull(permit);
        ArgumentNullException.ThrowIfNull(headers);
        _engine.Observe(permit, headers, answerComplete);
    }

    /// <summary>Corrects the upstream budgets of (key, model class) from parsed headers.</summary>
    public void Observe(string upstreamKey, string model, RateLimitObservation observation) =>
        _engine.Observe(BucketOf(upstreamKey, model), observation);

    /// <summary>
    /// Gets what a request for <paramref name="model"/> through <paramref name="upstreamKey"/> holds against the learned
    /// output budget now: <see cref="OutputReservation.MaxTokens"/> or <see cref="OutputReservation.Estimate"/>. With
    /// <c>auto</c> it is the estimate until the upstream has shown that it reserves <c>max_tokens</c> (see docs/LIMITER.md).
    /// </summary>
    public OutputReservation OutputReservationOf(string upstreamKey, string model) => _engine.OutputReservationOf(BucketOf(upstreamKey, model));

    /// <summary>Puts the (key, model class) bucket into cooldown: nothing is admitted for it until <paramref name="retryAfter"/> passes.</summary>
    public void Cooldown(string upstreamKey, string model, TimeSpan retryAfter) => _engine.Cooldown(BucketOf(upstreamKey, model), retryAfter);

    /// <summary>Rejects every waiter with <see cref="RejectionReason.ShuttingDown"/>; later acquisitions are rejected too.</summary>
    public void Dispose() => _engine.Dispose();
}
