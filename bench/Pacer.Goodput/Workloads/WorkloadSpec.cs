namespace Pacer.Goodput.Workloads;

/// <summary>
/// The shape of a workload: how many requests, from how many concurrent callers, and the seeded mix of prompt sizes
/// and <c>max_tokens</c>. The same spec and seed give the same requests, byte for byte.
/// </summary>
internal sealed record WorkloadSpec
{
    /// <summary>The full run: 500 requests from 64 callers.</summary>
    public static WorkloadSpec Full { get; } = new();

    /// <summary>The smoke run: 120 requests from 16 callers.</summary>
    public static WorkloadSpec Quick { get; } = new() { Requests = 120, Callers = 16 };

    public int Requests { get; init; } = 500;

    public int Callers { get; init; } = 64;

    public int Seed { get; init; } = 20_260_101;

    /// <summary>Gets the prompt sizes: a share of requests and a range of words (about one token each), drawn uniformly.</summary>
    public IReadOnlyList<(double Share, int MinWords, int MaxWords)> PromptSizes { get; init; } =
    [
        (0.50, 40, 120),
        (0.35, 150, 350),
        (0.15, 500, 900),
    ];

    /// <summary>Gets one <c>max_tokens</c> for every request instead of the mix (the prompts stay the same), or null for the mix.</summary>
    public int? FixedMaxTokens { get; init; }

    /// <summary>Gets the <c>max_tokens</c> values and their shares.</summary>
    public IReadOnlyList<(double Share, int MaxTokens)> MaxTokens { get; init; } =
    [
        (0.20, 64),
        (0.30, 128),
        (0.25, 256),
        (0.15, 512),
        (0.10, 1024),
    ];
}
