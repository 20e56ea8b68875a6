using Pacer.Limiting;

namespace Pacer.Cli.Run;

/// <summary>What <c>pacer run</c> was asked to do.</summary>
internal sealed record RunOptions
{
    public required string Input { get; init; }

    public required string Output { get; init; }

    public bool RetryErrored { get; init; }

    public bool SkipInvalid { get; init; }

    /// <summary>Gets the class the requests wait in; batch by default, so that interactive traffic on the same key goes first.</summary>
    public RequestPriority Priority { get; init; } = RequestPriority.Batch;

    /// <summary>Gets a gateway (or other endpoint) to send through instead of <c>ANTHROPIC_BASE_URL</c>.</summary>
    public Uri? BaseUrl { get; init; }

    /// <summary>Gets how often a plain progress line is written when the output is not a terminal.</summary>
    public TimeSpan ProgressEvery { get; init; } = TimeSpan.FromSeconds(5);
}
