using System.Net.Http.Headers;
using Pacer.Configuration;

namespace Pacer.Limiting;

/// <summary>
/// The Anthropic-aware limiter: admits a request when the operator's policy (requests per minute, concurrency,
/// token budgets) and every learned upstream budget allow it, in a fair queue.
/// </summary>
public sealed class Limiter : IDisposable
{
    /// <summary>Creates a limiter with the given policy.</summary>
    public Limiter(PacerOptions options, TimeProvider? timeProvider = null, ILimiterStore? store = null, ModelClassMap? modelClasses = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = PacerOptionsValidator.ThrowIfInvalid(options);
        TimeProvider = timeProvider ?? TimeProvider.System;
        _ = store;
        _ = modelClasses;
        throw new NotImplementedException();
    }

    /// <summary>Gets the policy in force.</summary>
    public PacerOptions Options { get; private set; }

    /// <summary>Gets the clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Gets the running totals, which the faces (handler, gateway) increment.</summary>
    public PacerTotals Totals { get; } = new();

    /// <summary>Waits until the request is admitted; throws <see cref="PacerRejectedException"/> when it cannot be in time.</summary>
    public ValueTask<Permit> AcquireAsync(AcquireRequest request, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <summary>Corrects the upstream budgets of (key, model class) from a response's <c>anthropic-ratelimit-*</c> headers.</summary>
    public void Observe(string upstreamKey, string model, HttpResponseHeaders headers) =>
        throw new NotImplementedException();

    /// <summary>Puts the (key, model class) bucket into cooldown: nothing is admitted for it until <paramref name="retryAfter"/> passes.</summary>
    public void Cooldown(string upstreamKey, string model, TimeSpan retryAfter) =>
        throw new NotImplementedException();

    /// <summary>Applies a partial update whole or not at all; throws <see cref="PacerOptionsException"/> listing every invalid field.</summary>
    public PacerOptions Reconfigure(PacerOptionsUpdate update, SettingNaming naming = SettingNaming.Json) =>
        throw new NotImplementedException();

    /// <summary>Replaces the whole policy after validating it.</summary>
    public void Reconfigure(PacerOptions options) =>
        throw new NotImplementedException();

    /// <summary>Takes a snapshot of the state.</summary>
    public LimiterSnapshot Snapshot() =>
        throw new NotImplementedException();

    /// <summary>Rejects every waiter with <see cref="RejectionReason.ShuttingDown"/>.</summary>
    public void Dispose() =>
        throw new NotImplementedException();
}
