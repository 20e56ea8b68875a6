using Pacer.Simulator.Faults;
using Pacer.Simulator.Hosting;
using Pacer.Simulator.Limits;
using Pacer.Simulator.Options;

namespace Pacer.Simulator.Api;

/// <summary>
/// Plays the faults that replace an answer: error statuses, the spend-cap 429, a connection reset before any header,
/// and no answer at all. Returns false when the request should be answered (possibly with a stream fault later).
/// </summary>
internal sealed class FaultResponder(SimulatorState state, CancellationToken stopping)
{
    public async Task<bool> TryRespondAsync(ApiCall call, FaultStep step, ModelOptions model, string source)
    {
        call.Record.Update(a => a with { Fault = step.Kind == FaultKind.None ? null : step.Text, FaultSource = step.Kind == FaultKind.None ? null : source });
        switch (step.Kind)
        {
            case FaultKind.Status:
                call.WriteLimitHeaders(model.Pool);
                var (type, message) = Describe(step.Status, model);
                await call.ErrorAsync(step.Status, type, message, step.RetryAfterSeconds).ConfigureAwait(false);
                return true;
            case FaultKind.SpendLimit:
                call.WriteLimitHeaders(model.Pool);
                await call.ErrorAsync(429, "rate_limit_error", RateLimitMessages.SpendCap, errorCode: "enforced_spend_limit_reached", limitHit: "spend").ConfigureAwait(false);
                return true;
            case FaultKind.Reset:
                call.Complete(0, "reset");
                call.Http.Abort();
                return true;
            case FaultKind.NoResponse:
                await HangAsync(call).ConfigureAwait(false);
                call.Complete(0, "no_response");
                call.Http.Abort();
                return true;
            default:
                return false;
        }
    }

    /// <summary>Holds the connection open, silent, until the client leaves, the host stops or the hang time passes.</summary>
    public async Task HangAsync(ApiCall call)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(call.Aborted, stopping);
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(state.Options.Faults.HangMs), state.Time, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The client gave up or the simulator is stopping: either way the hang is over.
        }
    }

    private static (string Type, string Message) Describe(int status, ModelOptions model) => status switch
    {
        429 => ("rate_limit_error", RateLimitMessages.Injected(model.Id)),
        500 => ("api_error", "Internal server error"),
        503 => ("api_error", "Service unavailable"),
        504 => ("timeout_error", "Request timed out"),
        _ => ("overloaded_error", "Overloaded"),
    };

    /// <summary>The limit name of a refused decision, as the attempt log shows it.</summary>
    public static string? LimitName(LimitDecision decision) =>
        decision.Exceeded is { } kind ? RateLimitMessages.LimitName(kind) : null;
}
