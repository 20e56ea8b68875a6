using Pacer.Limiting;

namespace Pacer.Cli.Run;

/// <summary>Tokens and cost of one model's successful requests.</summary>
internal sealed class ModelTotals(string model)
{
    public string Model { get; } = model;

    public long Requests { get; private set; }

    public long InputTokens { get; private set; }

    public long OutputTokens { get; private set; }

    public long CacheCreationTokens { get; private set; }

    public long CacheReadTokens { get; private set; }

    /// <summary>Gets the cost in USD, or null when the price book has no price for the model.</summary>
    public decimal? Cost { get; private set; } = 0;

    public void Add(TokenUsage usage, decimal? cost)
    {
        Requests++;
        InputTokens += usage.InputTokens;
        OutputTokens += usage.OutputTokens;
        CacheCreationTokens += usage.CacheCreationInputTokens;
        CacheReadTokens += usage.CacheReadInputTokens;
        Cost = cost is { } value && Cost is { } sum ? sum + value : null;
    }

    public ModelTotals Copy()
    {
        var copy = new ModelTotals(Model);
        copy.Requests = Requests;
        copy.InputTokens = InputTokens;
        copy.OutputTokens = OutputTokens;
        copy.CacheCreationTokens = CacheCreationTokens;
        copy.CacheReadTokens = CacheReadTokens;
        copy.Cost = Cost;
        return copy;
    }
}
