namespace Pacer.Limiting;

/// <summary>
/// The accounting rules, in one place and the same for every store: what a request's completion, release and
/// confirmation change in its bucket's budgets. Admission takes what the request holds (one request, its input
/// estimate, its output hold) from every budget and into the unconfirmed totals of the learned ones; these rules then
/// reconcile it with the real usage and with what the server's headers have shown it counted
/// (<see cref="ServerCount"/>). The API counts a request and its input on arrival, and its output as it is produced or,
/// under the reserving accounting, as <c>max_tokens</c> on arrival refunded at the end.
/// </summary>
internal static class Accounting
{
    /// <summary>
    /// A request completed with <paramref name="usage"/>: the operator budgets are charged or refunded the difference;
    /// so is the learned input budget unless a response already showed what the server charged for the input; so is
    /// the learned output budget. When the server's own last word already counted this answer's real output
    /// (<see cref="ServerCount.Produced"/>), the hold was confirmed then, and the difference is a settlement
    /// (<see cref="BudgetChange.OutputSettlement"/>) for a store that keeps its own count, which took the hold as the
    /// answer's output: left as it was, each answer whose estimate was above its real output left that count too low,
    /// a drift only the header's rounding bounded. Under the reserving accounting
    /// (<see cref="ServerCount.Everything"/>) the server refunds the unused reservation into a bucket it cannot
    /// overfill, and the refund is no longer unconfirmed.
    /// </summary>
    public static BudgetChange Complete(RequestCost reserved, TokenUsage usage, ServerCount counted)
    {
        double input = usage.RateLimitedInputTokens - reserved.InputTokens;
        double output = usage.OutputTokens - reserved.OutputTokens;
        double learnedOutput = usage.OutputTokens - reserved.LearnedOutputTokens;
        var inputDelta = counted == ServerCount.None ? new BudgetDelta(input, input) : default;
        var outputDelta = counted switch
        {
            ServerCount.Produced => default,
            ServerCount.Everything => new BudgetDelta(learnedOutput, 0),
            _ => new BudgetDelta(learnedOutput, learnedOutput),
        };

        return new BudgetChange(default, inputDelta, outputDelta, input, output)
        {
            OutputRefundWithinRoom = counted == ServerCount.Everything,
            OutputSettlement = counted == ServerCount.Produced ? learnedOutput : 0,
        };
    }

    /// <summary>
    /// A request ended holding <paramref name="held"/> (its reservation, or its usage once completed). One never
    /// completed gives its tokens back, but for what the server already counted (the request itself still counts
    /// against requests per minute); what it held leaves the unconfirmed totals, since no response will confirm it now.
    /// </summary>
    public static BudgetChange Release(RequestCost held, bool completed, ServerCount counted)
    {
        var outputCounted = counted is ServerCount.Everything or ServerCount.Produced;
        BudgetDelta requests = default, input = default, output = default;
        double operatorInput = 0, operatorOutput = 0;
        if (!completed)
        {
            operatorInput = -held.InputTokens;
            operatorOutput = -held.OutputTokens;
            if (!outputCounted)
            {
                output = new BudgetDelta(-held.LearnedOutputTokens, 0);
            }

            if (counted == ServerCount.None)
            {
                input = new BudgetDelta(-held.InputTokens, 0);
            }
        }

        if (counted == ServerCount.None)
        {
            requests = new BudgetDelta(0, -1);
            input += new BudgetDelta(0, -held.InputTokens);
        }

        if (!outputCounted)
        {
            output += new BudgetDelta(0, -held.LearnedOutputTokens);
        }

        return new BudgetChange(requests, input, output, operatorInput, operatorOutput);
    }

    /// <summary>
    /// The server's count now includes what <paramref name="counted"/> says of a request holding <paramref name="held"/>:
    /// that part leaves the unconfirmed totals. <see cref="ServerCount.Produced"/> follows
    /// <see cref="ServerCount.RequestAndInput"/> for the same request and confirms its output hold alone.
    /// </summary>
    public static BudgetChange Confirm(RequestCost held, ServerCount counted) => counted switch
    {
        ServerCount.RequestAndInput => new BudgetChange(new BudgetDelta(0, -1), new BudgetDelta(0, -held.InputTokens), default, 0, 0),
        ServerCount.Everything => new BudgetChange(new BudgetDelta(0, -1), new BudgetDelta(0, -held.InputTokens), new BudgetDelta(0, -held.LearnedOutputTokens), 0, 0),
        ServerCount.Produced => new BudgetChange(default, default, new BudgetDelta(0, -held.LearnedOutputTokens), 0, 0),
        _ => default,
    };
}
