using Pacer.Http;

namespace Pacer.Retrying;

/// <summary>
/// A request's deadline and the margin kept before it: Pacer gives up at the <see cref="Cutoff"/>, <see cref="Margin"/>
/// before the caller's own deadline, so that the caller gets Pacer's classified error rather than its own timeout.
/// </summary>
/// <remarks>
/// The margin is a tenth of the budget the request arrived with, at most <see cref="MaxMargin"/>: one second for any
/// budget of ten seconds or more (time enough to write the error and cross a network), 100 ms for a budget of one second.
/// </remarks>
internal readonly record struct RequestDeadline
{
    /// <summary>The largest margin: one second.</summary>
    public static readonly TimeSpan MaxMargin = TimeSpan.FromSeconds(1);

    /// <summary>The margin's share of the budget when that is less than <see cref="MaxMargin"/>.</summary>
    public const double MarginShare = 0.1;

    private RequestDeadline(DateTimeOffset deadline, TimeSpan margin)
    {
        Deadline = deadline;
        Margin = margin;
    }

    /// <summary>Gets the caller's deadline.</summary>
    public DateTimeOffset Deadline { get; }

    /// <summary>Gets how long before <see cref="Deadline"/> Pacer gives up.</summary>
    public TimeSpan Margin { get; }

    /// <summary>Gets the moment Pacer gives up: <see cref="Deadline"/> minus <see cref="Margin"/>.</summary>
    public DateTimeOffset Cutoff => Deadline - Margin;

    /// <summary>The deadline of a request arriving at <paramref name="now"/>, with its margin; none without a deadline.</summary>
    public static RequestDeadline? From(DateTimeOffset? deadline, DateTimeOffset now)
    {
        if (deadline is not { } until)
        {
            return null;
        }

        var budget = until - now;
        var share = budget > TimeSpan.Zero ? TimeSpan.FromTicks((long)(budget.Ticks * MarginShare)) : TimeSpan.Zero;
        return new RequestDeadline(until, share < MaxMargin ? share : MaxMargin);
    }

    /// <summary>Gets the time left before the cutoff at <paramref name="now"/>; zero or less when it has come.</summary>
    public TimeSpan LeftAt(DateTimeOffset now) => Cutoff - now;

    /// <summary>The error for a request given up at the cutoff, saying what was cut.</summary>
    public PacerDeadlineExceededException Exceeded(string what, DateTimeOffset now) =>
        new(Deadline, Margin, $"The request's deadline is {Math.Max(0, (Deadline - now).TotalMilliseconds):0} ms away "
            + $"(margin {Margin.TotalMilliseconds:0} ms): {what}.");
}
