using Pacer.Configuration;

namespace Pacer.Limiting;

/// <summary>The limiter's <see cref="PacerRejectedException"/>s, each saying why and when to ask again.</summary>
internal static class Rejections
{
    public static PacerRejectedException QueueFull(int queued, AdmissionDecision decision, PacerOptions policy)
    {
        // Asking again makes sense once at least one pacing slot has passed.
        var slot = TimeSpan.FromTicks(TimeSpan.TicksPerMinute / policy.MaxRequestsPerMinute);
        return new PacerRejectedException(
            RejectionReason.QueueFull,
            decision.RetryAfter > slot ? decision.RetryAfter : slot,
            $"The queue already holds {queued} waiting requests (MaxQueueLength {policy.MaxQueueLength}).");
    }

    /// <summary>The wait outlasts the request's deadline or MaxQueueWait; <c>Cooldown</c> when a cooldown blocks it.</summary>
    public static PacerRejectedException TooLate(AdmissionDecision decision, bool passed)
    {
        var cooldown = (decision.Blockers & AdmissionBlockers.Cooldown) != 0;
        var wait = decision.RetryAfter;
        return new PacerRejectedException(
            cooldown ? RejectionReason.Cooldown : RejectionReason.WaitTooLong,
            wait,
            $"Admission {(passed ? "passed" : "would pass")} the request's deadline or MaxQueueWait: at least {wait.TotalMilliseconds:0} ms more wait for {decision.Blockers}.");
    }

    public static PacerRejectedException TooLarge(RequestCost cost, AdmissionDecision decision) => new(
        RejectionReason.TooLarge,
        TimeSpan.Zero,
        $"The request ({cost.InputTokens} input, {cost.OutputTokens} output tokens reserved) is larger than a whole per-minute budget: {decision.Blockers}.");

    public static PacerRejectedException DeadlinePassed() =>
        new(RejectionReason.WaitTooLong, TimeSpan.Zero, "The request's deadline has already passed.");

    public static PacerRejectedException ShuttingDown() =>
        new(RejectionReason.ShuttingDown, TimeSpan.Zero, "The limiter is shutting down.");
}
