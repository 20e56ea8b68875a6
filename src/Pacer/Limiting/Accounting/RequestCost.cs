namespace Pacer.Limiting;

/// <summary>What one request is expected to spend: one request, its estimated input tokens and its <c>max_tokens</c>.</summary>
/// <param name="InputTokens">Estimated input tokens (prompt, system, tools).</param>
/// <param name="OutputTokens">Output tokens reserved: the request's <c>max_tokens</c>.</param>
public readonly record struct RequestCost(int InputTokens, int OutputTokens)
{
    private readonly int? _learnedOutputTokens;

    /// <summary>
    /// Gets the output tokens held against a learned upstream output budget: <see cref="OutputTokens"/> unless set
    /// lower (an output estimate, when <c>OutputReservation</c> is <c>estimate</c>). Operator budgets always hold
    /// <see cref="OutputTokens"/>.
    /// </summary>
    public int LearnedOutputTokens
    {
        get => _learnedOutputTokens ?? OutputTokens;
        init => _learnedOutputTokens = value;
    }
}
